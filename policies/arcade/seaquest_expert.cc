// Seaquest expert. It keeps its own oxygen count, reads the diver gauge, and replays
// the game's enemy move and spawn timers (their periods are fixed functions of the
// surfacings it saw), so it knows on which frames enemies move and appear. It then picks
// one of two aims: surface (oxygen running low with a diver aboard, or all six divers
// aboard for the bonus) or hunt (line up with an enemy, face it and fire; pick up divers
// on the way, urgently when it has none). Whatever the aim, it searches four moves
// ahead, weighing each move against a sticky repeat of the previous one, and drops plans
// in which an enemy (also one that may appear at a side on a spawn frame), a torpedo,
// or a torpedo an enemy sub may fire could reach the sub, or in which it would surface
// with no diver aboard (that ends the game).
#include <algorithm>
#include <array>
#include <cstdlib>
#include <vector>

#include "envs/arcade/seaquest.h"
#include "policies/arcade/game_experts.h"

namespace calico {
namespace {

constexpr int kDepth = 4;
constexpr int kLastRow = Seaquest::kLastSeaRow;
// Death is finite so that a 10% risk a few moves away still beats certain death beyond
// the horizon (drowning), and big enough to dominate everything else.
constexpr double kDead = -1e5;
constexpr int kMoves[] = {kNoop, kLeft, kRight, kUp, kDown};
// Frames of oxygen kept in reserve on top of the climb itself.
constexpr int kOxygenMargin = 24;

struct Thing {
  int row = 0;
  int col = 0;
  int dir = 0;  // -1, +1, or 0 when unknown (then it may go either way)
  bool sub = false;
};

class SeaquestExpert final : public BoardExpert {
 public:
  using BoardExpert::BoardExpert;

 protected:
  void ResetGame() override {
    oxygen_ = Seaquest::kMaxOxygen;
    prev_row_ = 0;
    last_fire_ = -100;
    previous_ = kNoop;
    surfacings_ = 0;
    enemy_timer_ = Seaquest::EnemyMovePeriod(0);
    spawn_timer_ = Seaquest::EnemySpawnPeriod(0);
  }

  int Choose(const Board& board, double reward, int64_t frame) override {
    enemies_.clear();
    bullets_.clear();
    divers_in_water_.clear();
    int row = 0, col = 5, back_col = -1, oxygen_cells = 0, divers = 0;
    for (int r = 0; r < kGridSize; ++r) {
      for (int c = 0; c < kGridSize; ++c) {
        if (board.Has(r, c, Seaquest::kSubFront)) row = r, col = c;
        if (board.Has(r, c, Seaquest::kSubBack)) back_col = c;
        if (board.Has(r, c, Seaquest::kOxygenGauge)) ++oxygen_cells;
        if (board.Has(r, c, Seaquest::kDiverGauge)) ++divers;
      }
    }
    bool fresh_shot = false;
    for (int r = 0; r < kGridSize - 1; ++r) {  // row 9 holds only the gauges
      for (int c = 0; c < kGridSize; ++c) {
        Thing thing{r, c, Direction(board, r, c), board.Has(r, c, Seaquest::kEnemySub)};
        if (board.Has(r, c, Seaquest::kEnemyFish) || thing.sub) enemies_.push_back(thing);
        if (board.Has(r, c, Seaquest::kEnemyBullet)) bullets_.push_back(thing);
        if (board.Has(r, c, Seaquest::kDiver)) divers_in_water_.push_back(thing);
        if (board.Has(r, c, Seaquest::kFriendlyBullet) && r == row && std::abs(c - col) == 1) fresh_shot = true;
      }
    }
    const int facing = back_col >= 0 ? (col > back_col ? 1 : -1) : (col == 0 ? 1 : -1);
    if (fresh_shot) last_fire_ = frame;

    // Replay the last step: a surfacing (it comes before enemies move), the enemy move
    // timer, and the oxygen: one unit per frame under water, full after surfacing. The
    // gauge (one cell per 20 units, rounded up) corrects the count if they disagree.
    if (frame > 0) {
      const bool surfaced = row == 0 && prev_row_ >= 1;
      if (surfaced) ++surfacings_;
      if (--spawn_timer_ <= 0) spawn_timer_ = Seaquest::EnemySpawnPeriod(surfacings_);
      if (--enemy_timer_ <= 0) enemy_timer_ = Seaquest::EnemyMovePeriod(surfacings_);
      if (row >= 1) --oxygen_;
      if (surfaced) oxygen_ = Seaquest::kMaxOxygen;
    }
    const int gauge_cells = (oxygen_ * kGridSize + Seaquest::kMaxOxygen - 1) / Seaquest::kMaxOxygen;
    if (gauge_cells != oxygen_cells) oxygen_ = oxygen_cells * Seaquest::kMaxOxygen / kGridSize;
    prev_row_ = row;
    // Enemy moves within the next k frames, and the frames on which one appears.
    moves_[0] = 0;
    for (int k = 1, timer = enemy_timer_, spawn = spawn_timer_; k <= kDepth; ++k) {
      spawns_[k] = --spawn <= 0;
      if (spawns_[k]) spawn = Seaquest::EnemySpawnPeriod(surfacings_);
      const bool moved = --timer <= 0;
      if (moved) timer = Seaquest::EnemyMovePeriod(surfacings_);
      moves_[k] = moves_[k - 1] + moved;
    }

    divers_ = divers;
    surface_ = divers > 0 && (divers == Seaquest::kMaxDivers || oxygen_ <= row * 2 + kOxygenMargin);

    const bool can_fire = frame - last_fire_ >= Seaquest::kShotCooldown - 1;
    // No shooting on the way up: every frame counts when the oxygen is low.
    const bool fire_useful = can_fire && !surface_ && row >= 1 && EnemyAhead(row, col, facing);
    std::array<double, kNumArcadeActions> outcome;
    for (int action : kMoves) outcome[action] = Apply(action, 1, row, col, facing, 0);
    // Firing leaves the sub where it is; worth it when an enemy is ahead in its row.
    outcome[kFire] = fire_useful ? outcome[kNoop] + 30 : kDead * 10;
    const int previous = previous_ == kFire ? kNoop : previous_;
    double best = kDead * 100;
    int best_action = kNoop;
    for (int action : {kNoop, kFire, kLeft, kRight, kUp, kDown}) {
      const double value = 0.9 * outcome[action] + 0.1 * outcome[previous];
      if (value > best) best = value, best_action = action;
    }
    previous_ = best_action;
    return best_action;
  }

 private:
  static int Direction(const Board& board, int r, int c) {
    const bool left = board.Has(r, c - 1, Seaquest::kTrail), right = board.Has(r, c + 1, Seaquest::kTrail);
    if (left != right) return left ? 1 : -1;
    if (!left && c == 0) return 1;
    if (!left && c == kGridSize - 1) return -1;
    return 0;
  }

  bool EnemyAhead(int row, int col, int facing) const {
    for (const Thing& e : enemies_) {
      // A torpedo (one cell per frame) also catches an enemy fleeing at a slower pace.
      const bool catchable = e.dir != facing || Seaquest::EnemyMovePeriod(surfacings_) > 1;
      if (e.row == row && (e.col - col) * facing > 0 && catchable) return true;
    }
    return false;
  }

  // Whether something in the sub's row could be at `col` after k - 1 or k frames.
  bool Reaches(const Thing& t, int col, int k, bool torpedo) const {
    for (int dir : {-1, 1}) {
      if (t.dir != 0 && dir != t.dir) continue;
      const int ahead = (col - t.col) * dir;
      if (torpedo) {
        if (ahead == k || ahead == k - 1) return true;  // one cell per frame
      } else if (ahead == moves_[k] || ahead == moves_[k - 1]) {
        return true;
      } else if (t.sub && ahead > moves_[k - 1] && ahead <= moves_[k] + k) {
        return true;  // a torpedo it may fire on any of these frames
      }
    }
    return false;
  }

  bool Danger(int row, int col, int k) const {
    if (row == 0) return false;
    for (const Thing& e : enemies_) {
      if (e.row == row && Reaches(e, col, k, false)) return true;
    }
    for (const Thing& b : bullets_) {
      if (b.row == row && Reaches(b, col, k, true)) return true;
    }
    // A new enemy may appear at either side of any row (before enemies move).
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

  // Value of the position after k moves, the last applied one `previous`: the best over
  // actions of 0.9 * (that action) + 0.1 * (`previous` again), since a sticky action
  // repeats the previous one with probability 0.1. `collected` has a bit per diver in
  // the water this plan picked up.
  double Node(int k, int row, int col, int facing, int collected, int previous) {
    if (k == kDepth) return Leaf(row, col, facing, collected);
    std::array<double, kNumArcadeActions> outcome;
    for (int action : kMoves) outcome[action] = Apply(action, k + 1, row, col, facing, collected);
    double best = kDead * 100;
    for (int action : kMoves) best = std::max(best, 0.9 * outcome[action] + 0.1 * outcome[previous]);
    return best;
  }

  // Value of `action` applied as move k (1-based) from (row, col).
  double Apply(int action, int k, int row, int col, int facing, int collected) {
    if (action == kLeft) col = std::max(0, col - 1), facing = -1;
    if (action == kRight) col = std::min(kGridSize - 1, col + 1), facing = 1;
    if (action == kUp && row > 0) {
      // Surfacing without a diver ends the game.
      if (row == 1 && divers_ + __builtin_popcount(collected) == 0) return kDead;
      --row;
    }
    if (action == kDown) row = std::min(kLastRow, row + 1);
    if (Danger(row, col, k)) return kDead;
    double gained = 0;
    for (size_t i = 0; i < divers_in_water_.size() && i < 30; ++i) {
      const Thing& d = divers_in_water_[i];
      if ((collected >> i & 1) || d.row != row || divers_ + __builtin_popcount(collected) >= Seaquest::kMaxDivers) continue;
      if (d.col == col || (k >= 2 && d.col + d.dir == col)) {
        collected |= 1 << i;
        gained += (divers_ == 0 ? 80.0 : 40.0) - k;
      }
    }
    if (surface_ && row == 0) return gained + 200.0 - k;
    return gained + Node(k, row, col, facing, collected, action);
  }

  double Leaf(int row, int col, int facing, int collected) const {
    // Out of oxygen before the surface: as bad as being hit.
    if (row > 0 && oxygen_ - kDepth < row) return kDead;
    if (surface_) return -20.0 * row;
    double value = 0;
    if (row == 0) value -= 15;  // at the surface nothing can be shot
    // Divers: the nearest one pulls hard when none is aboard, gently otherwise.
    const int aboard = divers_ + __builtin_popcount(collected);
    if (aboard < Seaquest::kMaxDivers) {
      int nearest = 100;
      for (size_t i = 0; i < divers_in_water_.size() && i < 30; ++i) {
        if (collected >> i & 1) continue;
        const Thing& d = divers_in_water_[i];
        nearest = std::min(nearest, 2 * std::abs(d.row - row) + std::abs(d.col - col));
      }
      if (nearest < 100) value -= (aboard == 0 ? 3.0 : 0.7) * nearest;
    }
    // Enemies: be on a row with one, facing it, at a safe distance.
    double hunt = -10;
    for (const Thing& e : enemies_) {
      const int dist = std::abs(e.col - col);
      double v = -2.0 * std::abs(e.row - row) - 0.2 * dist;
      if (e.row == row) v += (e.col - col) * facing > 0 ? 6 : 2;
      if (e.row == row && dist <= 1) v -= 6;
      hunt = std::max(hunt, v);
    }
    value += hunt;
    if (col == 0 || col == kGridSize - 1) value -= 2;  // enemies enter there
    return value;
  }

  std::vector<Thing> enemies_, bullets_, divers_in_water_;
  std::array<int, kDepth + 1> moves_{};     // moves_[k]: enemy moves within the next k frames
  std::array<bool, kDepth + 1> spawns_{};   // spawns_[k]: an enemy appears on frame k
  int oxygen_ = Seaquest::kMaxOxygen;
  int prev_row_ = 0;
  int64_t last_fire_ = -100;
  int divers_ = 0;
  bool surface_ = false;
  int previous_ = kNoop;  // the action chosen last frame (what a sticky action repeats)
  int surfacings_ = 0;
  int enemy_timer_ = 0;   // the game's enemy move timer after the last step
  int spawn_timer_ = 0;   // and its enemy spawn timer
};

}  // namespace

std::unique_ptr<BoardExpert> MakeSeaquestExpert(ArcadeObservation observation) {
  return std::make_unique<SeaquestExpert>(observation, 10);
}

}  // namespace calico
