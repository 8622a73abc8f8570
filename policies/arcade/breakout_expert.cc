// Breakout expert: reads the ball's direction from its trail and simulates the ball
// forward (walls, ceiling and the bricks on the board) to where it next comes down to
// the paddle row. There it can be caught two ways: squarely (the paddle under the column
// the ball falls into; the ball slides over and goes up) or on the paddle's edge (the
// paddle under the ball; the ball goes back the way it came). The expert searches both
// choices over the next few bounces and takes the one that breaks a brick soonest, which
// also steers the ball out of loops that miss the last bricks.
#include <algorithm>
#include <array>
#include <cstdlib>

#include "envs/arcade/breakout.h"
#include "policies/arcade/game_experts.h"

namespace calico {
namespace {

constexpr int kPaddleRow = kGridSize - 1;
constexpr int kBounces = 6;      // catches the search looks ahead
constexpr int kNever = 1 << 20;  // no brick breaks within the search
// Frames to spare when the paddle gets into place: a sticky action repeats the previous
// move with probability 0.1, so arriving just in time can push the paddle past the ball.
constexpr int kSlack = 2;

using Bricks = std::array<std::array<bool, kGridSize>, kGridSize>;

struct Ball {
  int row, col, dr, dc;
};

struct Flight {
  int above_col = -1;   // the ball's column on row 8 just before it comes down
  int next_col = -1;    // the column it falls into (a square catch needs the paddle there)
  int dc = 0;           // its horizontal direction then
  int frames = kNever;  // frames until it comes down (the catch happens on that frame)
  int first_brick = kNever;  // frame of the first broken brick
};

// Follows Breakout::Step for the ball alone until it would enter the paddle row;
// `bricks` loses the bricks it breaks.
Flight Fly(Ball b, Bricks* bricks) {
  Flight flight;
  for (int frame = 1; frame <= 400; ++frame) {
    int nc = b.col + b.dc;
    if (nc < 0 || nc >= kGridSize) {
      b.dc = -b.dc;
      nc = b.col + b.dc;
    }
    int nr = b.row + b.dr;
    if (nr < 0) {
      b.dr = 1;
      nr = b.row + 1;
    }
    if (nr == kPaddleRow) {
      flight.above_col = b.col;
      flight.next_col = nc;
      flight.dc = b.dc;
      flight.frames = frame;
      return flight;
    }
    if ((*bricks)[nr][nc]) {
      (*bricks)[nr][nc] = false;
      b.dr = -b.dr;
      flight.first_brick = std::min(flight.first_brick, frame);
    } else {
      b.row = nr;
      b.col = nc;
    }
  }
  return flight;
}

// The two catches of `flight`: (paddle column, ball afterwards).
std::array<std::pair<int, Ball>, 2> Catches(const Flight& f) {
  return {{{f.next_col, Ball{kPaddleRow - 1, f.next_col, -1, f.dc}},
           {f.above_col, Ball{kPaddleRow - 1, f.above_col, -1, -f.dc}}}};
}

// Frames until the first broken brick when the ball flies from `ball`, the paddle
// starting at `paddle`, with `bounces` catches left to choose.
int FramesToBrick(const Ball& ball, Bricks bricks, int paddle, int bounces) {
  const Flight flight = Fly(ball, &bricks);
  if (flight.first_brick < kNever || flight.frames >= kNever) return flight.first_brick;
  if (bounces == 0) return kNever;
  int best = kNever;
  for (const auto& [target, next] : Catches(flight)) {
    if (std::abs(target - paddle) > flight.frames - kSlack) continue;  // too tight to plan on
    const int rest = FramesToBrick(next, bricks, target, bounces - 1);
    if (rest < kNever) best = std::min(best, flight.frames + rest);
  }
  return best;
}

class BreakoutExpert final : public BoardExpert {
 public:
  using BoardExpert::BoardExpert;

 protected:
  void ResetGame() override {}

  int Choose(const Board& board, double reward, int64_t frame) override {
    int paddle = kGridSize / 2, ball_row = -1, ball_col = -1;
    Bricks bricks{};
    for (int r = 0; r < kGridSize; ++r) {
      for (int c = 0; c < kGridSize; ++c) {
        if (board.Has(r, c, Breakout::kPaddle)) paddle = c;
        if (board.Has(r, c, Breakout::kBall)) ball_row = r, ball_col = c;
        bricks[r][c] = board.Has(r, c, Breakout::kBrick);
      }
    }
    if (ball_row < 0 || ball_row >= kPaddleRow) return kNoop;

    // Direction from the trail (the cell behind the ball); none only at the start,
    // when the ball falls from a corner towards the middle.
    Ball ball{ball_row, ball_col, 1, ball_col < kGridSize / 2 ? 1 : -1};
    for (int tr : {-1, 1}) {
      for (int tc : {-1, 1}) {
        if (board.Has(ball_row + tr, ball_col + tc, Breakout::kTrail)) ball.dr = -tr, ball.dc = -tc;
      }
    }
    const Flight flight = Fly(ball, &bricks);
    if (flight.frames >= kNever) return kNoop;
    // Catches with time to spare first; among those, the one that breaks a brick
    // soonest; the square catch on ties.
    int target = -1;
    std::pair<bool, int> best{true, kNever + 1};
    for (const auto& [col, next] : Catches(flight)) {
      const int spare = flight.frames - std::abs(col - paddle);
      if (spare < 0) continue;
      const std::pair<bool, int> key{spare < kSlack, FramesToBrick(next, bricks, col, kBounces)};
      if (key < best) best = key, target = col;
    }
    if (target < 0) target = flight.next_col;  // out of reach either way: try anyway
    if (target < paddle) return kLeft;
    if (target > paddle) return kRight;
    return kNoop;
  }
};

}  // namespace

std::unique_ptr<BoardExpert> MakeBreakoutExpert(ArcadeObservation observation) {
  return std::make_unique<BreakoutExpert>(observation, 4);
}

}  // namespace calico
