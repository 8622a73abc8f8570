// Asterix expert: every object in a row moves on the same frames, and when they move is
// a fixed function of the frame count (the move period ramps down every 100 frames), so
// the expert knows where each enemy and gold piece will be. It searches all five-move
// plans, drops those that touch an enemy, and prefers plans that collect gold soon and
// end near the next gold, away from the side columns where new objects appear.
#include <algorithm>
#include <array>
#include <cstdlib>
#include <utility>
#include <vector>

#include "envs/arcade/asterix.h"
#include "policies/arcade/game_experts.h"

namespace calico {
namespace {

constexpr int kDepth = 5;
constexpr int kFirst = Asterix::kFirstRow;
constexpr int kLast = Asterix::kLastRow;
constexpr double kDead = -1e9;
constexpr int kMoves[] = {kNoop, kLeft, kRight, kUp, kDown};  // fire does nothing here

struct Object {
  bool active = false;
  bool gold = false;
  int col = 0;
  int dir = 1;
};

// Asterix's move, spawn and ramp timers, as the game runs them (Asterix::Step).
struct Timers {
  int64_t frame = 0;  // frames played
  int period = Asterix::kStartMovePeriod, timer = Asterix::kStartMovePeriod;
  int spawn_period = Asterix::kStartSpawnPeriod, spawn_timer = Asterix::kStartSpawnPeriod;

  // Plays one frame; returns whether objects moved and whether one may have appeared.
  std::pair<bool, bool> Advance() {
    ++frame;
    bool moved = false, spawned = false;
    if (--spawn_timer <= 0) spawn_timer = spawn_period, spawned = true;
    if (--timer <= 0) timer = period, moved = true;
    if (frame % Asterix::kRampInterval == 0) {
      period = std::max(1, period - 1);
      spawn_period = std::max(Asterix::kMinSpawnPeriod, spawn_period - 1);
    }
    return {moved, spawned};
  }
};

class AsterixExpert final : public BoardExpert {
 public:
  using BoardExpert::BoardExpert;

 protected:
  void ResetGame() override {
    previous_ = kNoop;
    timers_ = Timers();
  }

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
    // Which of the next frames move objects or spawn new ones: the game's timers are
    // fixed functions of the frame count, so the expert replays them (catching up to
    // this frame, then looking ahead on a copy).
    while (timers_.frame < frame) timers_.Advance();
    moves_.fill(0);
    spawns_.fill(false);
    Timers ahead = timers_;
    for (int k = 1; k <= kDepth; ++k) {
      const auto [moved, spawned] = ahead.Advance();
      moves_[k] = moved;
      spawns_[k] = spawned;
    }
    for (int k = 1; k <= kDepth; ++k) moves_[k] += moves_[k - 1];  // moves within k frames

    int best_action = kNoop;
    Node(0, row, col, 0, previous_, &best_action);
    previous_ = best_action;
    return best_action;
  }

 private:
  // Column of the object in `row` after `k` frames (may be off the grid).
  int ColAt(int row, int k) const { return objects_[row].col + objects_[row].dir * moves_[k]; }

  // Value of the position (row, col) after k moves, the last applied one `previous`:
  // the best over actions of 0.9 * (that action) + 0.1 * (`previous` again), since a
  // sticky action repeats the previous one with probability 0.1. A plan whose repeat
  // could be fatal is therefore as bad as a fatal plan. `collected` has a bit per row
  // whose gold this plan has taken; `choice` (at the root) receives the best action.
  double Node(int k, int row, int col, int collected, int previous, int* choice) {
    if (k == kDepth) return Leaf(row, col, collected);
    std::array<double, kNumArcadeActions> outcome;
    for (int action : kMoves) outcome[action] = Apply(action, k + 1, row, col, collected);
    double best = kDead * 2;
    for (int action : kMoves) {
      const double value = 0.9 * outcome[action] + 0.1 * outcome[previous];
      if (value > best) best = value, *choice = action;
    }
    return best;
  }

  // Value of `action` applied as move k (1-based) from (row, col).
  double Apply(int action, int k, int row, int col, int collected) {
    if (action == kLeft) col = std::max(0, col - 1);
    if (action == kRight) col = std::min(kGridSize - 1, col + 1);
    if (action == kUp) row = std::max(kFirst, row - 1);
    if (action == kDown) row = std::min(kLast, row + 1);
    if (Spawned(row, col, k)) return kDead;
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
    int unused;
    return gained + Node(k, row, col, collected, action, &unused);
  }

  // Whether an object that may appear in the empty `row` within the next k frames could
  // touch the player at `col` on frame k (it enters at a side column, before the move).
  bool Spawned(int row, int col, int k) const {
    if (objects_[row].active) return false;
    for (int s = 1; s <= k; ++s) {
      if (!spawns_[s]) continue;
      for (int j : {k - 1, k}) {
        if (j < s) continue;
        const int travelled = moves_[j] - moves_[s - 1];
        if (col == travelled || col == kGridSize - 1 - travelled) return true;
      }
    }
    return false;
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
  int previous_ = kNoop;  // the action chosen last frame (what a sticky action repeats)
  Timers timers_;         // the game's timers after the frames seen so far
  std::array<int, kDepth + 1> moves_{};      // moves_[k]: object moves within the next k frames
  std::array<bool, kDepth + 1> spawns_{};    // spawns_[k]: an object may appear on frame k
};

}  // namespace

std::unique_ptr<BoardExpert> MakeAsterixExpert(ArcadeObservation observation) {
  return std::make_unique<AsterixExpert>(observation, 4);
}

}  // namespace calico
