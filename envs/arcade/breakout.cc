#include "envs/arcade/breakout.h"

namespace calico {

const std::vector<std::string>& Breakout::channel_names() const {
  static const std::vector<std::string>* names = new std::vector<std::string>{"paddle", "ball", "trail", "brick"};
  return *names;
}

void Breakout::FillWall() {
  for (int r = kFirstBrickRow; r <= kLastBrickRow; ++r) state_.bricks[r].fill(true);
}

void Breakout::Reset(Rng* rng) {
  state_ = State();
  FillWall();
  // The ball starts below the wall in a corner, heading down towards the middle.
  const bool from_left = rng->UniformInt(0, 2) == 0;
  state_.ball_row = kLastBrickRow + 1;
  state_.ball_col = from_left ? 0 : kGridSize - 1;
  state_.ball_dr = 1;
  state_.ball_dc = from_left ? 1 : -1;
}

GameStep Breakout::Step(int action, Rng* rng) {
  State& s = state_;
  GameStep out;
  if (action == kLeft && s.paddle_col > 0) --s.paddle_col;
  if (action == kRight && s.paddle_col < kGridSize - 1) ++s.paddle_col;

  const int r = s.ball_row, c = s.ball_col;
  int nc = c + s.ball_dc;
  if (nc < 0 || nc >= kGridSize) {  // side wall
    s.ball_dc = -s.ball_dc;
    nc = c + s.ball_dc;
  }
  int nr = r + s.ball_dr;
  if (nr < 0) {  // ceiling
    s.ball_dr = 1;
    nr = r + 1;
  }
  const int paddle_row = kGridSize - 1;
  if (nr < paddle_row && s.bricks[nr][nc]) {
    // The brick breaks and the ball bounces back vertically from where it was.
    s.bricks[nr][nc] = false;
    out.reward = 1.0;
    s.ball_dr = -s.ball_dr;
    bool any = false;
    for (const auto& row : s.bricks) {
      for (bool b : row) any = any || b;
    }
    if (!any) {
      FillWall();
      ++s.walls_cleared;
    }
  } else if (nr == paddle_row) {
    if (s.paddle_col == nc) {
      // A clean hit: the ball slides onto the column above the paddle and heads up. The
      // sideways slide changes the ball's (row + col) parity, so it reaches every brick.
      s.ball_dr = -1;
      s.ball_col = nc;
    } else if (s.paddle_col == c) {
      // Caught on the paddle's edge: it bounces straight back the way it came.
      s.ball_dr = -1;
      s.ball_dc = -s.ball_dc;
    } else {
      s.ball_row = nr;
      s.ball_col = nc;
      out.game_over = true;
    }
  } else {
    s.ball_row = nr;
    s.ball_col = nc;
  }
  return out;
}

void Breakout::Draw(Board* board) const {
  board->Clear();
  const State& s = state_;
  board->Set(kGridSize - 1, s.paddle_col, kPaddle);
  board->Set(s.ball_row, s.ball_col, kBall);
  // The trail shows the direction even right after a bounce, when the ball stayed put.
  const int trail_row = s.ball_row - s.ball_dr, trail_col = s.ball_col - s.ball_dc;
  if (trail_row >= 0 && trail_row < kGridSize && trail_col >= 0 && trail_col < kGridSize) {
    board->Set(trail_row, trail_col, kTrail);
  }
  for (int r = 0; r < kGridSize; ++r) {
    for (int c = 0; c < kGridSize; ++c) {
      if (s.bricks[r][c]) board->Set(r, c, kBrick);
    }
  }
}

}  // namespace calico
