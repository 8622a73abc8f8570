#include "agent/episode_runner.h"

#include <cstdlib>
#include <sstream>

#include "base/file_io.h"
#include "base/random.h"
#include "base/status_macros.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

// Episodes of 5 + seed % 4 steps; reward = action value * seed-dependent noise, so the
// returns depend on both the seed and the policy. Fails on seed 13 when asked to.
class NoisyEnv : public Environment {
 public:
  NoisyEnv() {
    specs_["x"] = {"x", {1}, DType::kFloat32, {-1}, {1}};
  }
  const SpecMap& observation_spec() const override { return specs_; }
  const SpecMap& action_spec() const override { return specs_; }
  absl::StatusOr<TimeStep> Reset(uint64_t seed) override {
    if (seed == 13) return absl::InternalError("seed 13 is cursed");
    rng_ = Rng(seed);
    remaining_ = 5 + static_cast<int>(seed % 4);
    return Obs(StepType::kFirst, 0);
  }
  absl::StatusOr<TimeStep> Step(const NamedArrays& action) override {
    RETURN_IF_ERROR(CheckArrays(specs_, action, "action"));
    --remaining_;
    return Obs(remaining_ == 0 ? StepType::kLast : StepType::kMid, action.at("x").floats[0] * rng_.Uniform());
  }
  absl::StatusOr<Array> Render(int height, int width) override {
    return Array::Uint8({height, width, 3}, std::vector<uint8_t>(static_cast<size_t>(height) * width * 3,
                                                                 static_cast<uint8_t>(remaining_ * 20)));
  }

 private:
  TimeStep Obs(StepType type, double reward) {
    TimeStep t;
    t.step_type = type;
    t.reward = reward;
    t.observation["x"] = Array::Float({1}, {static_cast<float>(remaining_) / 10});
    return t;
  }
  SpecMap specs_;
  Rng rng_{0};
  int remaining_ = 0;
};

class ConstantPolicy : public Policy {
 public:
  explicit ConstantPolicy(float value) : value_(value) {}
  void Reset(uint64_t seed) override {}
  absl::StatusOr<NamedArrays> Act(const TimeStep& timestep) override {
    return NamedArrays{{"x", Array::Float({1}, {value_})}};
  }

 private:
  float value_;
};

TaskRegistry Registry() {
  TaskRegistry registry;
  EXPECT_OK(registry.Register({"test/noisy", "noise", 8}, []() -> absl::StatusOr<std::unique_ptr<Environment>> {
    return std::make_unique<NoisyEnv>();
  }));
  return registry;
}

PolicyFactory Constant(float value) {
  return [value](const std::string&, const Environment&) -> absl::StatusOr<std::unique_ptr<Policy>> {
    return std::make_unique<ConstantPolicy>(value);
  };
}

TEST(EpisodeRunnerTest, ResultsDoNotDependOnTheThreadCount) {
  const TaskRegistry registry = Registry();
  EpisodeRunnerOptions options;
  options.task = "test/noisy";
  options.episodes = 9;
  options.threads = 1;
  ASSERT_OK_AND_ASSIGN(EpisodeRunnerReport one, RunEpisodes(registry, Constant(1), options, nullptr));
  options.threads = 3;
  std::ostringstream progress;
  ASSERT_OK_AND_ASSIGN(EpisodeRunnerReport three, RunEpisodes(registry, Constant(1), options, &progress));
  ASSERT_EQ(one.episodes.size(), 9u);
  for (int i = 0; i < 9; ++i) {
    EXPECT_EQ(one.episodes[i].episode_return, three.episodes[i].episode_return);
    EXPECT_EQ(one.episodes[i].steps, 5 + i % 4);
  }
  EXPECT_EQ(one.mean_return, three.mean_return);
  EXPECT_GT(one.stddev_return, 0);
  EXPECT_EQ(one.total_steps, 5 + 6 + 7 + 8 + 5 + 6 + 7 + 8 + 5);
  EXPECT_THAT(progress.str(), HasSubstr("episode 9/9"));
  EXPECT_THAT(progress.str(), HasSubstr("ETA"));
  ASSERT_OK_AND_ASSIGN(EpisodeRunnerReport zero, RunEpisodes(registry, Constant(0), options, nullptr));
  EXPECT_EQ(zero.mean_return, 0.0);
}

TEST(EpisodeRunnerTest, RecordsTheFirstEpisodeAsAGif) {
  const TaskRegistry registry = Registry();
  EpisodeRunnerOptions options;
  options.task = "test/noisy";
  options.episodes = 3;
  options.first_seed = 2;  // episode 0 has 7 steps: 8 frames
  options.video_path = std::string(std::getenv("TEST_TMPDIR")) + "/episode.gif";
  options.video_height = 16;
  options.video_width = 24;
  ASSERT_OK(RunEpisodes(registry, Constant(1), options, nullptr).status());
  ASSERT_OK_AND_ASSIGN(std::string gif, ReadFile(options.video_path));
  EXPECT_EQ(gif.substr(0, 6), "GIF89a");
  int frames = 0;
  for (size_t i = 0; i + 3 < gif.size(); ++i) frames += gif.compare(i, 4, "\x21\xF9\x04\x04") == 0;
  EXPECT_EQ(frames, 8);
}

TEST(EpisodeRunnerTest, ErrorsNameTaskAndSeed) {
  const TaskRegistry registry = Registry();
  EpisodeRunnerOptions options;
  options.task = "test/noisy";
  options.episodes = 20;
  options.first_seed = 0;
  EXPECT_THAT(RunEpisodes(registry, Constant(1), options, nullptr),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("test/noisy seed 13: seed 13 is cursed")));
  EXPECT_THAT(RunEpisodes(registry, Constant(2), options, nullptr),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("action 'x'")));
  options.task = "test/other";
  EXPECT_THAT(RunEpisodes(registry, Constant(1), options, nullptr),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("known tasks: test/noisy")));
  options.task = "test/noisy";
  options.episodes = 0;
  EXPECT_THAT(RunEpisodes(registry, Constant(1), options, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("episodes is 0")));
}

}  // namespace
}  // namespace calico
