// Space Invaders expert: enemy bullets fall one row per frame, so it searches three
// frames ahead, weighing each move against a sticky repeat of the previous one, and
// never stands where a bullet will land (and leaves a column early when its bullet is
// close). Within that, it fires when a shot from its column will meet an alien (the
// block's marches are predicted from the frames on which it was seen to move), and
// otherwise walks to the nearest column from which a shot would hit, preferring the
// lowest aliens (they land first).
#include <algorithm>
#include <array>
#include <cstdlib>

#include "envs/arcade/space_invaders.h"
#include "policies/arcade/game_experts.h"

namespace calico {
namespace {

constexpr int kCannonRow = SpaceInvaders::kCannonRow;
constexpr int kDodgeDepth = 3;
constexpr double kDead = -1e6;
constexpr int kMoves[] = {kNoop, kLeft, kRight};
// Frames before a bullet lands in which the expert already avoids its column.
constexpr int kEarlyDodge = 4;
using Grid = std::array<std::array<bool, kGridSize>, kGridSize>;

class SpaceInvadersExpert final : public BoardExpert {
 public:
  using BoardExpert::BoardExpert;

 protected:
  void ResetGame() override {
    last_fire_ = -100;
    last_march_ = 0;
    period_ = SpaceInvaders::kStartMovePeriod;
    aliens_ = {};
    alien_count_ = 0;
    previous_ = kNoop;
  }

  int Choose(const Board& board, double reward, int64_t frame) override {
    int cannon = 5, count = 0, dir = -1;
    Grid aliens{}, bullets{};
    bool own_shot_rising = false;
    for (int r = 0; r < kGridSize; ++r) {
      for (int c = 0; c < kGridSize; ++c) {
        if (board.Has(r, c, SpaceInvaders::kCannon)) cannon = c;
        if (board.Has(r, c, SpaceInvaders::kAlien)) aliens[r][c] = true, ++count;
        if (board.Has(r, c, SpaceInvaders::kAlienRight)) dir = 1;
        if (board.Has(r, c, SpaceInvaders::kEnemyBullet)) bullets[r][c] = true;
        if (r == kCannonRow - 1 && board.Has(r, c, SpaceInvaders::kFriendlyBullet)) own_shot_rising = true;
      }
    }
    if (own_shot_rising) last_fire_ = frame;  // a shot appears in row 8 on the frame it is fired
    // Track when the block marches (its shape shifts without losing aliens) to predict it.
    if (count > alien_count_ && frame > 0) {
      last_march_ = frame;  // a new wave: its timer starts full
      period_ = std::max(SpaceInvaders::kMinMovePeriod, period_ - 2);
    } else if (count == alien_count_ && aliens != aliens_) {
      last_march_ = frame;
    }
    aliens_ = aliens;
    alien_count_ = count;
    dir_ = dir;
    bullets_ = bullets;
    if (count == 0) return kNoop;

    const bool can_fire = frame - last_fire_ >= SpaceInvaders::kShotCooldown - 1;
    target_ = TargetColumn(cannon, frame);
    std::array<double, kNumArcadeActions> outcome;
    outcome.fill(kDead);
    for (int action : kMoves) outcome[action] = Move(action, 1, cannon);
    // Firing keeps the cannon in place; worth it when the shot will meet an alien.
    outcome[kFire] = can_fire && ShotHits(cannon, frame) ? outcome[kNoop] + 100 : kDead;
    outcome[kNoop] -= 1;  // moving wins ties: it sets up the next shot
    const int previous = previous_ == kLeft || previous_ == kRight ? previous_ : kNoop;
    double best = kDead * 100;
    int best_action = kNoop;
    for (int action : {kFire, kNoop, kLeft, kRight}) {
      const double value = 0.9 * outcome[action] + 0.1 * outcome[previous];
      if (value > best) best = value, best_action = action;
    }
    previous_ = best_action;
    return best_action;
  }

 private:
  // Value of `action` applied as the cannon's k-th move (1-based) from `col`: fatal if
  // a known bullet lands there on that frame; otherwise the best continuation, each
  // move weighed against a sticky repeat of the one before (probability 0.1).
  double Move(int action, int k, int col) const {
    if (action == kLeft) col = std::max(0, col - 1);
    if (action == kRight) col = std::min(kGridSize - 1, col + 1);
    for (int r = 0; r < kCannonRow; ++r) {
      if (bullets_[r][col] && r + k == kCannonRow) return kDead;
    }
    if (k == kDodgeDepth) return Leaf(col, k);
    double best = kDead * 100;
    for (int next : kMoves) best = std::max(best, 0.9 * Move(next, k + 1, col) + 0.1 * Move(action, k + 1, col));
    return best;
  }

  // Near the target column, and out of any column whose bullet lands soon: a dodge left
  // to the last frame fails whenever a sticky action repeats the previous one.
  double Leaf(int col, int k) const {
    double value = -10.0 * std::abs(col - target_);
    const int landing = FramesToBullet(col) - k;
    if (landing <= kEarlyDodge) value -= 400.0 / std::max(1, landing);
    return value;
  }

  // Frames until the next enemy bullet in `col` reaches the cannon row (100 if none).
  int FramesToBullet(int col) const {
    for (int r = kCannonRow - 1; r >= 0; --r) {  // a bullet on row 9 is leaving
      if (bullets_[r][col]) return kCannonRow - r;
    }
    return 100;
  }

  // Block offset (rows down, columns across) after `k` more frames.
  void Offset(int k, int64_t frame, int* down, int* across) const {
    *down = 0;
    *across = 0;
    int dir = dir_, left = kGridSize, right = -1;
    for (int r = 0; r < kGridSize; ++r) {
      for (int c = 0; c < kGridSize; ++c) {
        if (aliens_[r][c]) left = std::min(left, c), right = std::max(right, c);
      }
    }
    const int64_t timer = std::max<int64_t>(1, period_ - (frame - last_march_));
    const int marches = k < timer ? 0 : 1 + static_cast<int>((k - timer) / period_);
    for (int m = 0; m < marches; ++m) {
      const bool at_wall = dir < 0 ? left + *across == 0 : right + *across == kGridSize - 1;
      if (at_wall) {
        ++*down;
        dir = -dir;
      } else {
        *across += dir;
      }
    }
  }

  bool AlienAt(int row, int col, int k, int64_t frame) const {
    int down, across;
    Offset(k, frame, &down, &across);
    const int r = row - down, c = col - across;
    return r >= 0 && r < kGridSize && c >= 0 && c < kGridSize && aliens_[r][c];
  }

  // Whether a shot fired from `col` on the next frame meets an alien: it is in row
  // 9 - j after j frames, and meets aliens where they are before or after they march.
  bool ShotHits(int col, int64_t frame) const {
    for (int j = 1; j < kGridSize; ++j) {
      if (AlienAt(kCannonRow - j, col, j - 1, frame) || AlienAt(kCannonRow - j, col, j, frame)) return true;
    }
    return false;
  }

  // The column to walk to: the nearest one a shot from would hit (counting the walk),
  // lower aliens first.
  int TargetColumn(int cannon, int64_t frame) const {
    int best = cannon, best_cost = 1 << 20;
    for (int col = 0; col < kGridSize; ++col) {
      const int walk = std::abs(col - cannon);
      int lowest = -1;
      for (int j = 1; j < kGridSize && lowest < 0; ++j) {
        if (AlienAt(kCannonRow - j, col, walk + j, frame)) lowest = kCannonRow - j;
      }
      if (lowest < 0) continue;
      const int cost = walk * 4 - 2 * lowest;
      if (cost < best_cost) best_cost = cost, best = col;
    }
    return best;
  }

  int previous_ = kNoop;  // the action chosen last frame (what a sticky action repeats)
  int target_ = 0;        // the column to shoot from this frame
  int64_t last_fire_ = -100;
  int64_t last_march_ = 0;
  int period_ = SpaceInvaders::kStartMovePeriod;
  int dir_ = -1;
  int alien_count_ = 0;
  Grid aliens_{};
  Grid bullets_{};
};

}  // namespace

std::unique_ptr<BoardExpert> MakeSpaceInvadersExpert(ArcadeObservation observation) {
  return std::make_unique<SpaceInvadersExpert>(observation, 6);
}

}  // namespace calico
