// Breakout on the 10x10 grid (after MinAtar's rules, written from their description):
// a one-cell paddle on the bottom row, a ball moving diagonally one cell per frame, three
// rows of bricks. Breaking a brick is +1; a cleared wall comes back; missing the ball
// ends the game. Channels: paddle, ball, trail (the cell behind the ball along its
// current direction: where it came from when it moved straight), brick.
// As in MinAtar, Breakout has no difficulty ramp (the ball already moves every frame).
#ifndef CALICO_ENVS_ARCADE_BREAKOUT_H_
#define CALICO_ENVS_ARCADE_BREAKOUT_H_

#include <array>
#include <string>
#include <vector>

#include "envs/arcade/grid_game.h"

namespace calico {

// Not thread-safe (see GridGame).
class Breakout final : public GridGame {
 public:
  enum Channel { kPaddle = 0, kBall = 1, kTrail = 2, kBrick = 3 };
  // Rows holding the brick wall.
  static constexpr int kFirstBrickRow = 1;
  static constexpr int kLastBrickRow = 3;

  // Everything the rules read; public so tests can set up positions.
  struct State {
    int paddle_col = 4;
    int ball_row = 4, ball_col = 0;
    int ball_dr = 1, ball_dc = 1;    // each -1 or +1
    std::array<std::array<bool, kGridSize>, kGridSize> bricks{};  // [row][col]
    int walls_cleared = 0;
  };

  // GridGame (see there).
  const char* name() const override { return "breakout"; }
  const std::vector<std::string>& channel_names() const override;
  void Reset(Rng* rng) override;
  GameStep Step(int action, Rng* rng) override;
  void Draw(Board* board) const override;
  int difficulty() const override { return 0; }

  // The state, read-only (the next Draw shows it).
  const State& state() const { return state_; }
  // Test hook: the state to set up a position; the rules take it as it is.
  State& mutable_state() { return state_; }

 private:
  void FillWall();

  State state_;
};

}  // namespace calico

#endif  // CALICO_ENVS_ARCADE_BREAKOUT_H_
