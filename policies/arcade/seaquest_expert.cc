// Seaquest expert. It keeps its own oxygen count and reads the diver gauge, then picks
// one of two aims: surface (when oxygen runs low with a diver aboard, or with all six
// divers for the bonus) or hunt (line up with an enemy, face it and fire; pick up divers
// on the way, urgently when it has none). Whatever the aim, it searches four moves ahead
// and drops plans in which an enemy could reach the sub (an enemy may move one cell on
// any frame) or a torpedo will; with no diver aboard it stays below row 1, so a repeated
// "up" (sticky action) cannot surface it empty-handed.
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
constexpr double kDead = -1e9;
// Frames of oxygen kept in reserve on top of the climb itself.
constexpr int kOxygenMargin = 24;

struct Thing {
  int row = 0;
  int col = 0;
  int dir = 0;  // -1, +1, or 0 when unknown (then it may go either way)
};

class SeaquestExpert final : public BoardExpert {
 public:
  using BoardExpert::BoardExpert;

 protected:
  void ResetGame() override {
    oxygen_ = Seaquest::kMaxOxygen;
    prev_row_ = 0;
    last_fire_ = -100;
  }

  int Choose(const Board& board, double reward, int64_t frame) override {
    enemies_.clear();
    bullets_.clear();
    divers_in_water_.clear();
    int row = 0, col = 5, back_col = -1, oxygen_cells = 0, divers = 0;
    bool fresh_shot = false;
    for (int r = 0; r < kGridSize; ++r) {
      for (int c = 0; c < kGridSize; ++c) {
        if (board.Has(r, c, Seaquest::kSubFront)) row = r, col = c;
        if (board.Has(r, c, Seaquest::kOxygenGauge)) ++oxygen_cells;
        if (board.Has(r, c, Seaquest::kDiverGauge)) ++divers;
      }
    }
    for (int r = 0; r < kGridSize; ++r) {
      for (int c = 0; c < kGridSize; ++c) {
        if (board.Has(r, c, Seaquest::kSubBack)) back_col = c;
        if (r == kGridSize - 1) continue;
        const Thing thing{r, c, Direction(board, r, c)};
        if (board.Has(r, c, Seaquest::kEnemyFish) || board.Has(r, c, Seaquest::kEnemySub)) enemies_.push_back(thing);
        if (board.Has(r, c, Seaquest::kEnemyBullet)) bullets_.push_back(thing);
        if (board.Has(r, c, Seaquest::kDiver)) divers_in_water_.push_back(thing);
        if (board.Has(r, c, Seaquest::kFriendlyBullet) && r == row && std::abs(c - col) == 1) fresh_shot = true;
      }
    }
    const int facing = back_col >= 0 ? (col > back_col ? 1 : -1) : (col == 0 ? 1 : -1);
    if (fresh_shot) last_fire_ = frame;

    // Own oxygen count: one unit per frame under water, full after surfacing; the gauge
    // (one cell per 20 units, rounded up) corrects it if the two ever disagree.
    if (frame > 0 && row >= 1) --oxygen_;
    if (row == 0 && prev_row_ >= 1) oxygen_ = Seaquest::kMaxOxygen;
    const int gauge_cells = (oxygen_ * kGridSize + Seaquest::kMaxOxygen - 1) / Seaquest::kMaxOxygen;
    if (gauge_cells != oxygen_cells) oxygen_ = oxygen_cells * Seaquest::kMaxOxygen / kGridSize;
    prev_row_ = row;

    divers_ = divers;
    surface_ = divers > 0 && (divers == Seaquest::kMaxDivers || oxygen_ <= row * 2 + kOxygenMargin);
    // With no diver aboard, row 1 is the top: one sticky "up" from there would surface.
    top_row_ = divers > 0 ? 0 : 2;
    if (row == 0 && divers == 0) top_row_ = 0;  // not yet dived (or just surfaced)

    const bool can_fire = frame - last_fire_ >= Seaquest::kShotCooldown - 1;
    double best = kDead - 1;
    int best_action = kNoop;
    for (int action : {kNoop, kFire, kLeft, kRight, kUp, kDown}) {
      if (action == kFire && !(can_fire && row >= 1 && EnemyAhead(row, col, facing))) continue;
      double value = Search(action, 1, row, col, facing, 0);
      if (action == kFire && value > kDead) value += 30;
      if (value > best) best = value, best_action = action;
    }
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
      if (e.row == row && (e.col - col) * facing > 0 && (e.dir != facing || e.dir == 0)) return true;
    }
    return false;
  }

  // Whether `thing` could be at `col` within frames [k - 1, k]: an enemy moves 0..k
  // cells (its speed is unknown to the expert), a torpedo exactly one per frame.
  static bool Reaches(const Thing& t, int col, int k, bool torpedo) {
    for (int dir : {-1, 1}) {
      if (t.dir != 0 && dir != t.dir) continue;
      const int ahead = (col - t.col) * dir;
      if (torpedo ? (ahead == k || ahead == k - 1) : (ahead >= 0 && ahead <= k)) return true;
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
    return false;
  }

  double Search(int action, int k, int row, int col, int facing, int collected) {
    if (action == kLeft) col = std::max(0, col - 1), facing = -1;
    if (action == kRight) col = std::min(kGridSize - 1, col + 1), facing = 1;
    if (action == kUp && row - 1 >= top_row_) --row;
    if (action == kDown) row = std::min(kLastRow, row + 1);
    if (Danger(row, col, k)) return kDead;
    double gained = 0;
    for (size_t i = 0; i < divers_in_water_.size(); ++i) {
      const Thing& d = divers_in_water_[i];
      if ((collected >> i & 1) || d.row != row || divers_ + __builtin_popcount(collected) >= Seaquest::kMaxDivers) continue;
      if (d.col == col || (k >= 2 && d.col + d.dir == col)) {
        collected |= 1 << i;
        gained += (divers_ == 0 ? 80.0 : 40.0) - k;
      }
    }
    if (surface_ && row == 0) return gained + 200.0 - k;
    if (k == kDepth) return gained + Leaf(row, col, facing, collected);
    double best = kDead;
    for (int next : {kNoop, kLeft, kRight, kUp, kDown}) best = std::max(best, Search(next, k + 1, row, col, facing, collected));
    return best == kDead ? kDead : gained + best;
  }

  double Leaf(int row, int col, int facing, int collected) const {
    if (surface_) return -20.0 * row;
    double value = 0;
    if (row == 0) value -= 15;  // at the surface nothing can be shot
    // Divers: the nearest one pulls hard when none is aboard, gently otherwise.
    const int aboard = divers_ + __builtin_popcount(collected);
    if (aboard < Seaquest::kMaxDivers) {
      int nearest = 100;
      for (size_t i = 0; i < divers_in_water_.size(); ++i) {
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
      double v = -2.0 * std::abs(e.row - row);
      if (e.row == row) v += (e.col - col) * facing > 0 ? 6 : 2;
      if (e.row == row && dist <= 1) v -= 6;
      hunt = std::max(hunt, v);
    }
    value += hunt;
    if (col == 0 || col == kGridSize - 1) value -= 2;  // enemies enter there
    return value;
  }

  std::vector<Thing> enemies_, bullets_, divers_in_water_;
  int oxygen_ = Seaquest::kMaxOxygen;
  int prev_row_ = 0;
  int64_t last_fire_ = -100;
  int divers_ = 0;
  bool surface_ = false;
  int top_row_ = 0;
};

}  // namespace

std::unique_ptr<BoardExpert> MakeSeaquestExpert(ArcadeObservation observation) {
  return std::make_unique<SeaquestExpert>(observation, 10);
}

}  // namespace calico
