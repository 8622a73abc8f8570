// Asterix expert: every object in a row moves on the same frames, and when they move is
// a fixed function of the frame count (the move period ramps down every 100 frames), so
// the expert knows where each enemy and gold piece will be. It searches all five-move
// plans, drops those that touch an enemy, and prefers plans that collect gold soon and
// end near the next gold, away from the side columns where new objects appear.
#include <algorithm>
#include <array>
#include <cstdlib>
#include <vector>

#include "envs/arcade/asterix.h"
#include "policies/arcade/game_experts.h"

namespace calico {
namespace {

constexpr int kDepth = 5;
constexpr int kFirst = Asterix::kFirstRow;
constexpr int kLast = Asterix::kLastRow;
constexpr double kDead = -1e9;

struct Object {
  bool active = false;
  bool gold = false;
  int col = 0;
  int dir = 1;
};

class AsterixExpert final : public BoardExpert {
 public:
  using BoardExpert::BoardExpert;

 protected:
  void ResetGame() override {}

  int Choose(const Board& board, double reward, int64_t frame) override {
    int row = 5, col = 5;
    objects_ = {};
    for (int r = 0; r < kGridSize; ++r) {
      for (int c = 0; c < kGridSize; ++c) {
        if (board.Has(r, c, Asterix::kPlayer)) row = r, col = c;
        const bool enemy = board.Has(r, c, Asterix::kEnemy), gold = board.Has(r, c, Asterix::kGold);
        if (!enemy && !gold) continue;
        Object& o = objects_[r];
        o.active = true;
        o.gold = gold;
        o.col = c;
        // Direction from the trail; a new object has none and enters from its side.
        if (board.Has(r, c - 1, Asterix::kTrail)) {
          o.dir = 1;
        } else if (board.Has(r, c + 1, Asterix::kTrail)) {
          o.dir = -1;
        } else {
          o.dir = c == 0 ? 1 : -1;
        }
      }
    }
    // Which of the next frames move the objects (replays the game's move timer).
    moves_.fill(0);
    int period = Asterix::kStartMovePeriod, timer = Asterix::kStartMovePeriod;
    for (int64_t f = 1; f <= frame + kDepth; ++f) {
      bool moved = false;
      if (--timer <= 0) timer = period, moved = true;
      if (f % Asterix::kRampInterval == 0) period = std::max(1, period - 1);
      if (f > frame) moves_[f - frame] = moved;
    }
    for (int k = 1; k <= kDepth; ++k) moves_[k] += moves_[k - 1];  // moves within k frames

    double best = kDead - 1;
    int best_action = kNoop;
    for (int action : {kNoop, kLeft, kRight, kUp, kDown}) {
      const double value = Search(action, 1, row, col, 0);
      if (value > best) best = value, best_action = action;
    }
    return best_action;
  }

 private:
  // Column of the object in `row` after `k` frames (may be off the grid).
  int ColAt(int row, int k) const { return objects_[row].col + objects_[row].dir * moves_[k]; }

  // Value of taking `action` as move k (1-based) from (row, col); `collected` is a bit
  // per row whose gold this plan has taken.
  double Search(int action, int k, int row, int col, int collected) {
    if (action == kLeft) col = std::max(0, col - 1);
    if (action == kRight) col = std::min(kGridSize - 1, col + 1);
    if (action == kUp) row = std::max(kFirst, row - 1);
    if (action == kDown) row = std::min(kLast, row + 1);
    double gained = 0;
    const Object& o = objects_[row];
    if (o.active && !(collected >> row & 1)) {
      // Touch before the objects move (at their k-1 position) or after (k).
      const bool touch = ColAt(row, k - 1) == col || ColAt(row, k) == col;
      if (touch && !o.gold) return kDead;
      if (touch) {
        collected |= 1 << row;
        gained = 100.0 - 5 * k;
      }
    }
    if (k == kDepth) return gained + Leaf(row, col, collected);
    double best = kDead;
    for (int next : {kNoop, kLeft, kRight, kUp, kDown}) best = std::max(best, Search(next, k + 1, row, col, collected));
    return best == kDead ? kDead : gained + best;
  }

  double Leaf(int row, int col, int collected) const {
    double value = 0;
    int nearest = 100;
    for (int r = kFirst; r <= kLast; ++r) {
      const Object& o = objects_[r];
      const int c = ColAt(r, kDepth);
      if (!o.active || !o.gold || (collected >> r & 1) || c < 0 || c >= kGridSize) continue;
      // Gold moving away along the row is harder to catch: count the lead it has.
      const int lead = (c - col) * o.dir > 0 ? 2 : 0;
      nearest = std::min(nearest, std::abs(r - row) + std::abs(c - col) + lead);
    }
    if (nearest < 100) value -= nearest;
    if (col == 0 || col == kGridSize - 1) value -= 3;  // objects appear there unannounced
    // An enemy coming down this row is a threat the search horizon may not see yet.
    const Object& o = objects_[row];
    if (o.active && !o.gold && (col - ColAt(row, kDepth)) * o.dir >= 0) {
      value -= 4.0 / (1 + std::abs(col - ColAt(row, kDepth)));
    }
    return value;
  }

  std::array<Object, kGridSize> objects_;
  std::array<int, kDepth + 1> moves_{};  // moves_[k]: object moves within the next k frames
};

}  // namespace

std::unique_ptr<BoardExpert> MakeAsterixExpert(ArcadeObservation observation) {
  return std::make_unique<AsterixExpert>(observation, 4);
}

}  // namespace calico
