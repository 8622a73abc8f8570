// GridGame: the rules of one MinAtar-style game on the 10x10 grid, without specs,
// sticky actions or time limits (ArcadeEnvironment adds those).
#ifndef CALICO_ENVS_ARCADE_GRID_GAME_H_
#define CALICO_ENVS_ARCADE_GRID_GAME_H_

#include <string>
#include <vector>

#include "base/random.h"
#include "envs/arcade/board.h"

namespace calico {

// What one frame of a game produced.
struct GameStep {
  double reward = 0.0;
  bool game_over = false;  // a true termination (discount 0)
};

// One game's state and rules. Not thread-safe; instances share nothing. All randomness
// comes from the Rng the caller passes, so a game is deterministic given it.
class GridGame {
 public:
  virtual ~GridGame() = default;

  // Short lower-case name ("breakout").
  virtual const char* name() const = 0;
  // Channel names in bit order (bit k of a cell mask is channel k); at most kMaxChannels.
  virtual const std::vector<std::string>& channel_names() const = 0;
  int num_channels() const { return static_cast<int>(channel_names().size()); }

  // Starts a new game.
  virtual void Reset(Rng* rng) = 0;
  // Plays one frame with `action` in [0, kNumArcadeActions) (the caller has checked it).
  virtual GameStep Step(int action, Rng* rng) = 0;
  // Draws the current state into `board` (cleared first; same channel count).
  virtual void Draw(Board* board) const = 0;
  // How far the difficulty has ramped (0 at the start; grows as the game speeds up).
  virtual int difficulty() const = 0;
};

}  // namespace calico

#endif  // CALICO_ENVS_ARCADE_GRID_GAME_H_
