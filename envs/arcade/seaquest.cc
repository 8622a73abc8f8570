#include "envs/arcade/seaquest.h"

#include <algorithm>

namespace calico {
namespace {

bool Inside(int col) { return col >= 0 && col < kGridSize; }

// Moves every mover one cell along its row and drops those that left the grid.
void Advance(std::vector<Seaquest::Mover>* movers) {
  std::vector<Seaquest::Mover> kept;
  for (Seaquest::Mover m : *movers) {
    m.col += m.dir;
    if (Inside(m.col)) kept.push_back(m);
  }
  *movers = std::move(kept);
}

}  // namespace

const std::vector<std::string>& Seaquest::channel_names() const {
  static const std::vector<std::string>* names = new std::vector<std::string>{
      "sub_front",  "sub_back",  "friendly_bullet", "trail",       "enemy_bullet",
      "enemy_fish", "enemy_sub", "oxygen_gauge",    "diver_gauge", "diver"};
  return *names;
}

int Seaquest::EnemyMovePeriod(int surfacings) { return std::max(1, 5 - surfacings / 2); }
int Seaquest::EnemySpawnPeriod(int surfacings) { return std::max(5, 16 - surfacings); }
int Seaquest::EnemyShotPeriod(int surfacings) { return std::max(6, 14 - surfacings); }

void Seaquest::Reset(Rng* rng) {
  state_ = State();
  state_.enemy_spawn_timer = EnemySpawnPeriod(0);
  state_.enemy_move_timer = EnemyMovePeriod(0);
  state_.diver_spawn_timer = kDiverSpawnPeriod;
  state_.diver_move_timer = kDiverMovePeriod;
}

int Seaquest::ShootEnemies() {
  int kills = 0;
  for (auto b = state_.friendly_bullets.begin(); b != state_.friendly_bullets.end();) {
    auto e = std::find_if(state_.enemies.begin(), state_.enemies.end(),
                          [&](const Mover& m) { return m.row == b->row && m.col == b->col; });
    if (e == state_.enemies.end()) {
      ++b;
      continue;
    }
    state_.enemies.erase(e);
    b = state_.friendly_bullets.erase(b);
    ++kills;
  }
  return kills;
}

bool Seaquest::HitSub() {
  State& s = state_;
  if (s.sub_row == 0) return false;  // nothing reaches the surface
  auto here = [&](const Mover& m) { return m.row == s.sub_row && m.col == s.sub_col; };
  if (std::any_of(s.enemies.begin(), s.enemies.end(), here)) return true;
  if (std::any_of(s.enemy_bullets.begin(), s.enemy_bullets.end(), here)) return true;
  for (auto d = s.divers_in_water.begin(); d != s.divers_in_water.end();) {
    if (here(*d) && s.divers < kMaxDivers) {
      ++s.divers;
      d = s.divers_in_water.erase(d);
    } else {
      ++d;
    }
  }
  return false;
}

GameStep Seaquest::Step(int action, Rng* rng) {
  State& s = state_;
  GameStep out;
  if (s.cooldown > 0) --s.cooldown;
  switch (action) {
    case kLeft:
      s.facing = -1;
      s.sub_col = std::max(0, s.sub_col - 1);
      break;
    case kRight:
      s.facing = 1;
      s.sub_col = std::min(kGridSize - 1, s.sub_col + 1);
      break;
    case kUp:
      s.sub_row = std::max(0, s.sub_row - 1);
      break;
    case kDown:
      s.sub_row = std::min(kLastSeaRow, s.sub_row + 1);
      break;
    case kFire:
      // Torpedoes start at the sub and fly with the others below; none at the surface.
      if (s.cooldown == 0 && s.sub_row > 0) {
        s.friendly_bullets.push_back({s.sub_row, s.sub_col, s.facing, false, 0});
        s.cooldown = kShotCooldown;
      }
      break;
    default:
      break;
  }
  // Checked right after the sub moves and again after everything else moved, so nothing
  // passes through it.
  if (HitSub()) {
    out.game_over = true;
    return out;
  }

  // Surfacing: refill oxygen, drop off divers, speed up the game.
  if (s.sub_row == 0 && s.submerged) {
    if (s.divers == 0) {
      out.game_over = true;
      return out;
    }
    if (s.divers == kMaxDivers) {
      out.reward += kMaxDivers;
      s.divers = 0;
    } else {
      --s.divers;
    }
    s.oxygen = kMaxOxygen;
    s.submerged = false;
    ++s.surfacings;
  }
  if (s.sub_row > 0) s.submerged = true;

  Advance(&s.friendly_bullets);
  Advance(&s.enemy_bullets);
  out.reward += ShootEnemies();

  if (--s.enemy_spawn_timer <= 0) {
    s.enemy_spawn_timer = EnemySpawnPeriod(s.surfacings);
    Mover e;
    e.row = static_cast<int>(rng->UniformInt(1, kLastSeaRow + 1));
    e.dir = rng->UniformInt(0, 2) == 0 ? 1 : -1;
    e.col = e.dir > 0 ? 0 : kGridSize - 1;
    e.sub = rng->UniformInt(0, 3) == 0;  // one in three is a sub
    e.shot_timer = EnemyShotPeriod(s.surfacings);
    s.enemies.push_back(e);
  }
  if (--s.enemy_move_timer <= 0) {
    s.enemy_move_timer = EnemyMovePeriod(s.surfacings);
    Advance(&s.enemies);
    out.reward += ShootEnemies();
  }
  for (Mover& e : s.enemies) {
    if (!e.sub || --e.shot_timer > 0) continue;
    e.shot_timer = EnemyShotPeriod(s.surfacings);
    if (Inside(e.col + e.dir)) s.enemy_bullets.push_back({e.row, e.col + e.dir, e.dir, false, 0});
  }
  if (--s.diver_spawn_timer <= 0) {
    s.diver_spawn_timer = kDiverSpawnPeriod;
    Mover d;
    d.row = static_cast<int>(rng->UniformInt(1, kLastSeaRow + 1));
    d.dir = rng->UniformInt(0, 2) == 0 ? 1 : -1;
    d.col = d.dir > 0 ? 0 : kGridSize - 1;
    s.divers_in_water.push_back(d);
  }
  if (--s.diver_move_timer <= 0) {
    s.diver_move_timer = kDiverMovePeriod;
    Advance(&s.divers_in_water);
  }
  if (HitSub()) {
    out.game_over = true;
    return out;
  }

  if (s.sub_row > 0 && --s.oxygen <= 0) out.game_over = true;
  return out;
}

void Seaquest::Draw(Board* board) const {
  board->Clear();
  const State& s = state_;
  board->Set(s.sub_row, s.sub_col, kSubFront);
  if (Inside(s.sub_col - s.facing)) board->Set(s.sub_row, s.sub_col - s.facing, kSubBack);
  auto draw = [&](const std::vector<Mover>& movers, int channel_fish, int channel_sub) {
    for (const Mover& m : movers) {
      board->Set(m.row, m.col, m.sub ? channel_sub : channel_fish);
      if (Inside(m.col - m.dir)) board->Set(m.row, m.col - m.dir, kTrail);
    }
  };
  draw(s.friendly_bullets, kFriendlyBullet, kFriendlyBullet);
  draw(s.enemy_bullets, kEnemyBullet, kEnemyBullet);
  draw(s.enemies, kEnemyFish, kEnemySub);
  draw(s.divers_in_water, kDiver, kDiver);
  // Gauges: ceil(oxygen / 20) cells, one cell per diver.
  const int oxygen_cells = (s.oxygen * kGridSize + kMaxOxygen - 1) / kMaxOxygen;
  for (int c = 0; c < oxygen_cells && c < kGridSize; ++c) board->Set(kGridSize - 1, c, kOxygenGauge);
  for (int c = 0; c < s.divers; ++c) board->Set(kGridSize - 1, c, kDiverGauge);
}

}  // namespace calico
