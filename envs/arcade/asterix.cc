#include "envs/arcade/asterix.h"

#include <algorithm>

namespace calico {

const std::vector<std::string>& Asterix::channel_names() const {
  static const std::vector<std::string>* names = new std::vector<std::string>{"player", "enemy", "trail", "gold"};
  return *names;
}

void Asterix::Reset(Rng* rng) { state_ = State(); }

bool Asterix::Touch(GameStep* out) {
  Object& o = state_.objects[state_.player_row];
  if (!o.active || o.col != state_.player_col) return false;
  if (!o.gold) return true;
  o.active = false;
  out->reward += 1.0;
  return false;
}

GameStep Asterix::Step(int action, Rng* rng) {
  State& s = state_;
  GameStep out;
  if (action == kLeft) s.player_col = std::max(0, s.player_col - 1);
  if (action == kRight) s.player_col = std::min(kGridSize - 1, s.player_col + 1);
  if (action == kUp) s.player_row = std::max(kFirstRow, s.player_row - 1);
  if (action == kDown) s.player_row = std::min(kLastRow, s.player_row + 1);
  // Checked before and after objects move, so nothing passes through the player.
  if (Touch(&out)) {
    out.game_over = true;
    return out;
  }

  if (--s.spawn_timer <= 0) {
    s.spawn_timer = s.spawn_period;
    std::vector<int> free_rows;
    for (int r = kFirstRow; r <= kLastRow; ++r) {
      if (!s.objects[r].active) free_rows.push_back(r);
    }
    if (!free_rows.empty()) {
      Object& o = s.objects[free_rows[rng->UniformInt(0, free_rows.size())]];
      o.active = true;
      o.dir = rng->UniformInt(0, 2) == 0 ? 1 : -1;
      o.col = o.dir > 0 ? 0 : kGridSize - 1;
      o.gold = rng->UniformInt(0, 3) == 0;  // one in three is gold
    }
  }
  if (--s.move_timer <= 0) {
    s.move_timer = s.move_period;
    for (int r = kFirstRow; r <= kLastRow; ++r) {
      Object& o = s.objects[r];
      if (!o.active) continue;
      o.col += o.dir;
      if (o.col < 0 || o.col >= kGridSize) o.active = false;
    }
  }
  if (Touch(&out)) out.game_over = true;

  if (--s.ramp_timer <= 0) {
    s.ramp_timer = kRampInterval;
    if (s.move_period > 1 || s.spawn_period > kMinSpawnPeriod) ++s.level;
    s.move_period = std::max(1, s.move_period - 1);
    s.spawn_period = std::max(kMinSpawnPeriod, s.spawn_period - 1);
  }
  return out;
}

void Asterix::Draw(Board* board) const {
  board->Clear();
  board->Set(state_.player_row, state_.player_col, kPlayer);
  for (int r = kFirstRow; r <= kLastRow; ++r) {
    const Object& o = state_.objects[r];
    if (!o.active) continue;
    board->Set(r, o.col, o.gold ? kGold : kEnemy);
    const int behind = o.col - o.dir;
    if (behind >= 0 && behind < kGridSize) board->Set(r, behind, kTrail);
  }
}

}  // namespace calico
