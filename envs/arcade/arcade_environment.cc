#include "envs/arcade/arcade_environment.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "envs/arcade/check.h"

namespace calico {
namespace {

// Policies seed their own Rng with the episode seed too (RunEpisode passes one seed to
// both); mixing a salt in keeps the game's stream unrelated to a random policy's.
constexpr uint64_t kSeedSalt = 0x6172636164650001ULL;  // "arcade" + 1

}  // namespace

ArcadeEnvironment::ArcadeEnvironment(std::unique_ptr<GridGame> game, const ArcadeOptions& options)
    : game_(std::move(game)), options_(options), board_(game_ ? game_->num_channels() : 1) {
  ARCADE_CHECK(game_ != nullptr);
  const int channels = game_->num_channels();
  if (options_.observation == ArcadeObservation::kBoard) {
    observation_spec_["board"] = {"board", {kGridSize, kGridSize}, DType::kInt32, {0}, {double((1 << channels) - 1)}};
  } else {
    observation_spec_["pixels"] = {"pixels", {kPixelsSide, kPixelsSide, 3}, DType::kUint8, {0}, {255}};
  }
  action_spec_["action"] = {"action", {}, DType::kInt32, {0}, {kNumArcadeActions - 1}};
}

TimeStep ArcadeEnvironment::MakeTimeStep(StepType type, double reward, double discount) {
  game_->Draw(&board_);
  TimeStep step;
  step.step_type = type;
  step.reward = reward;
  step.discount = discount;
  if (options_.observation == ArcadeObservation::kBoard) {
    step.observation["board"] = BoardToArray(board_);
  } else {
    step.observation["pixels"] = BoardToPixels(board_);
  }
  return step;
}

absl::StatusOr<TimeStep> ArcadeEnvironment::Reset(uint64_t seed) {
  rng_ = Rng(Rng(seed ^ kSeedSalt).Next());
  game_->Reset(&rng_);
  last_action_ = kNoop;
  steps_ = 0;
  started_ = true;
  finished_ = false;
  return MakeTimeStep(StepType::kFirst, 0.0, 1.0);
}

absl::StatusOr<TimeStep> ArcadeEnvironment::Step(const NamedArrays& action) {
  if (!started_) {
    return absl::FailedPreconditionError(absl::StrCat("arcade/", game_->name(), ": Step called before Reset"));
  }
  if (finished_) {
    return absl::FailedPreconditionError(
        absl::StrCat("arcade/", game_->name(), ": Step called after the LAST step; call Reset"));
  }
  RETURN_IF_ERROR(CheckArrays(action_spec_, action, "action"));
  int chosen = action.at("action").ints[0];
  // Sticky actions (MinAtar): with probability p the game sees the previous action again.
  if (options_.sticky_action_probability > 0 && rng_.Uniform() < options_.sticky_action_probability) {
    chosen = last_action_;
  }
  last_action_ = chosen;
  const GameStep outcome = game_->Step(chosen, &rng_);
  ++steps_;
  if (outcome.game_over) {
    finished_ = true;
    return MakeTimeStep(StepType::kLast, outcome.reward, 0.0);
  }
  if (steps_ >= options_.max_steps) {
    finished_ = true;
    return MakeTimeStep(StepType::kLast, outcome.reward, 1.0);
  }
  return MakeTimeStep(StepType::kMid, outcome.reward, 1.0);
}

absl::StatusOr<Array> ArcadeEnvironment::Render(int height, int width) {
  if (!started_) {
    return absl::FailedPreconditionError(absl::StrCat("arcade/", game_->name(), ": Render called before Reset"));
  }
  return RenderBoard(board_, height, width);
}

}  // namespace calico
