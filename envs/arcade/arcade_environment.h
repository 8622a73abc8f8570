// ArcadeEnvironment: a GridGame as a calico Environment, with MinAtar's sticky actions,
// a time limit, the "board" or "pixels" observation and video frames.
#ifndef CALICO_ENVS_ARCADE_ARCADE_ENVIRONMENT_H_
#define CALICO_ENVS_ARCADE_ARCADE_ENVIRONMENT_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "base/random.h"
#include "envs/arcade/board.h"
#include "envs/arcade/grid_game.h"
#include "envs/environment.h"

namespace calico {

// Which observation the environment returns.
enum class ArcadeObservation {
  kBoard,   // "board": INT32 [10, 10] channel bitmasks, bounds [0, 2^C - 1]
  kPixels,  // "pixels": UINT8 [80, 80, 3], an 8x8 block of CellColour per cell
};

struct ArcadeOptions {
  ArcadeObservation observation = ArcadeObservation::kBoard;
  // Chance that the previous applied action repeats instead of the chosen one (MinAtar).
  double sticky_action_probability = 0.1;
  // Agent steps before a LAST step with discount 1 (truncation).
  int64_t max_steps = 10000;
};

// Not thread-safe; instances are independent (each owns its game and Rng). Reset(seed)
// seeds one Rng that drives sticky actions and every spawn, so the same seed and actions
// give bit-identical TimeSteps.
class ArcadeEnvironment final : public Environment {
 public:
  // `game` must not be null; options are taken as given (the task table checks them).
  ArcadeEnvironment(std::unique_ptr<GridGame> game, const ArcadeOptions& options);

  const SpecMap& observation_spec() const override { return observation_spec_; }
  const SpecMap& action_spec() const override { return action_spec_; }
  absl::StatusOr<TimeStep> Reset(uint64_t seed) override;
  absl::StatusOr<TimeStep> Step(const NamedArrays& action) override;
  // Nearest-neighbour frame of the board (see RenderBoard); FailedPrecondition before Reset.
  absl::StatusOr<Array> Render(int height, int width) override;

  // The current board (empty before Reset).
  const Board& board() const { return board_; }
  // The action the game received on the last Step (after stickiness; 0 after Reset).
  int last_applied_action() const { return last_action_; }
  // Agent steps since Reset.
  int64_t steps() const { return steps_; }
  // The game itself, so tests can set up states; redraws happen on the next Step.
  GridGame& game() { return *game_; }

 private:
  TimeStep MakeTimeStep(StepType type, double reward, double discount);

  std::unique_ptr<GridGame> game_;
  ArcadeOptions options_;
  SpecMap observation_spec_;
  SpecMap action_spec_;
  Rng rng_{0};
  Board board_;
  int last_action_ = kNoop;
  int64_t steps_ = 0;
  bool started_ = false;
  bool finished_ = false;
};

}  // namespace calico

#endif  // CALICO_ENVS_ARCADE_ARCADE_ENVIRONMENT_H_
