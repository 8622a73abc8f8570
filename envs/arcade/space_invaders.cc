#include "envs/arcade/space_invaders.h"

#include <algorithm>
#include <cstdlib>

namespace calico {

const std::vector<std::string>& SpaceInvaders::channel_names() const {
  static const std::vector<std::string>* names = new std::vector<std::string>{
      "cannon", "alien", "alien_left", "alien_right", "friendly_bullet", "enemy_bullet"};
  return *names;
}

void SpaceInvaders::NewWave() {
  State& s = state_;
  for (auto& row : s.aliens) row.fill(false);
  for (int r = 0; r < 4; ++r) {
    for (int c = 2; c < 8; ++c) s.aliens[r][c] = true;
  }
  s.alien_dir = -1;
  s.move_period = std::max(kMinMovePeriod, kStartMovePeriod - 2 * s.waves_cleared);
  s.shot_period = std::max(kMinShotPeriod, kStartShotPeriod - s.waves_cleared);
  s.move_timer = s.move_period;
  s.shot_timer = s.shot_period;
}

void SpaceInvaders::Reset(Rng* rng) {
  state_ = State();
  NewWave();
}

int SpaceInvaders::Collide() {
  int killed = 0;
  for (int r = 0; r < kGridSize; ++r) {
    for (int c = 0; c < kGridSize; ++c) {
      if (state_.aliens[r][c] && state_.friendly_bullets[r][c]) {
        state_.aliens[r][c] = false;
        state_.friendly_bullets[r][c] = false;
        ++killed;
      }
    }
  }
  return killed;
}

GameStep SpaceInvaders::Step(int action, Rng* rng) {
  State& s = state_;
  GameStep out;
  if (action == kLeft) s.cannon_col = std::max(0, s.cannon_col - 1);
  if (action == kRight) s.cannon_col = std::min(kGridSize - 1, s.cannon_col + 1);
  if (s.cooldown > 0) --s.cooldown;
  if (action == kFire && s.cooldown == 0) {
    s.friendly_bullets[kCannonRow][s.cannon_col] = true;  // it rises into row 8 below
    s.cooldown = kShotCooldown;
  }

  // Bullets fly one cell per frame.
  for (int r = 0; r < kGridSize; ++r) {
    s.friendly_bullets[r] = r + 1 < kGridSize ? s.friendly_bullets[r + 1] : std::array<bool, kGridSize>{};
  }
  for (int r = kGridSize - 1; r >= 0; --r) {
    s.enemy_bullets[r] = r > 0 ? s.enemy_bullets[r - 1] : std::array<bool, kGridSize>{};
  }
  int killed = Collide();
  if (s.enemy_bullets[kCannonRow][s.cannon_col]) out.game_over = true;

  // The alien closest to the cannon's column (lowest in that column) fires.
  if (--s.shot_timer <= 0) {
    s.shot_timer = s.shot_period;
    int best_row = -1, best_col = -1;
    for (int c = 0; c < kGridSize; ++c) {
      for (int r = kGridSize - 1; r >= 0; --r) {
        if (!s.aliens[r][c]) continue;
        if (best_col < 0 || std::abs(c - s.cannon_col) < std::abs(best_col - s.cannon_col)) {
          best_row = r;
          best_col = c;
        }
        break;
      }
    }
    if (best_row >= 0 && best_row + 1 < kGridSize) s.enemy_bullets[best_row + 1][best_col] = true;
  }

  // The block marches; at a wall it steps down and turns instead.
  if (--s.move_timer <= 0) {
    s.move_timer = s.move_period;
    bool at_wall = false;
    for (int r = 0; r < kGridSize; ++r) {
      const int edge = s.alien_dir < 0 ? 0 : kGridSize - 1;
      at_wall = at_wall || s.aliens[r][edge];
    }
    Grid moved{};
    for (int r = 0; r < kGridSize; ++r) {
      for (int c = 0; c < kGridSize; ++c) {
        if (!s.aliens[r][c]) continue;
        if (at_wall) {
          if (r + 1 < kGridSize) moved[r + 1][c] = true;
        } else {
          moved[r][c + s.alien_dir] = true;
        }
      }
    }
    if (at_wall) s.alien_dir = -s.alien_dir;
    s.aliens = moved;
    killed += Collide();
    for (bool alien : s.aliens[kCannonRow]) out.game_over = out.game_over || alien;
  }
  out.reward = killed;

  bool any = false;
  for (const auto& row : s.aliens) {
    for (bool a : row) any = any || a;
  }
  if (!any) {
    ++s.waves_cleared;
    NewWave();
  }
  return out;
}

void SpaceInvaders::Draw(Board* board) const {
  board->Clear();
  const State& s = state_;
  board->Set(kCannonRow, s.cannon_col, kCannon);
  for (int r = 0; r < kGridSize; ++r) {
    for (int c = 0; c < kGridSize; ++c) {
      if (s.aliens[r][c]) {
        board->Set(r, c, kAlien);
        board->Set(r, c, s.alien_dir < 0 ? kAlienLeft : kAlienRight);
      }
      if (s.friendly_bullets[r][c]) board->Set(r, c, kFriendlyBullet);
      if (s.enemy_bullets[r][c]) board->Set(r, c, kEnemyBullet);
    }
  }
}

}  // namespace calico
