// Seaquest on the 10x10 grid (after MinAtar's rules): a submarine moves in rows 0-8
// (row 0 is the surface) and shoots sideways. Enemy fish and enemy subs cross rows 1-8;
// enemy subs shoot. Divers drift across too and the sub picks them up (at most 6).
// Oxygen drains under water; surfacing refills it but costs one diver (all 6 are
// rescued at once for a bonus of 6). Surfacing with no diver, running out of oxygen or
// touching an enemy or an enemy bullet ends the game. Killing an enemy is +1.
// Row 9 holds the oxygen gauge (one cell per 20 units of 200) and the diver gauge.
// Channels: sub_front, sub_back, friendly_bullet, trail (the cell behind each moving
// object: its direction), enemy_bullet, enemy_fish, enemy_sub, oxygen_gauge,
// diver_gauge, diver.
// Difficulty ramp: every surfacing makes enemies move, spawn and shoot sooner.
#ifndef CALICO_ENVS_ARCADE_SEAQUEST_H_
#define CALICO_ENVS_ARCADE_SEAQUEST_H_

#include <string>
#include <vector>

#include "envs/arcade/grid_game.h"

namespace calico {

// Not thread-safe (see GridGame).
class Seaquest final : public GridGame {
 public:
  enum Channel {
    kSubFront = 0,
    kSubBack = 1,
    kFriendlyBullet = 2,
    kTrail = 3,
    kEnemyBullet = 4,
    kEnemyFish = 5,
    kEnemySub = 6,
    kOxygenGauge = 7,
    kDiverGauge = 8,
    kDiver = 9,
  };
  static constexpr int kMaxOxygen = 200;
  static constexpr int kMaxDivers = 6;
  static constexpr int kLastSeaRow = 8;
  static constexpr int kShotCooldown = 5;
  static constexpr int kDiverSpawnPeriod = 30;
  static constexpr int kDiverMovePeriod = 4;

  // A fish, enemy sub, diver or bullet crossing one row.
  struct Mover {
    int row = 1;
    int col = 0;
    int dir = 1;        // -1 or +1
    bool sub = false;   // enemies: an enemy sub (it shoots) rather than a fish
    int shot_timer = 0; // enemy subs: frames until the next shot
  };
  // Everything the rules read; public so tests can set up positions.
  struct State {
    int sub_row = 0, sub_col = 5;
    int facing = -1;  // -1 left, +1 right
    int oxygen = kMaxOxygen;
    int divers = 0;
    bool submerged = false;  // has dived since it last surfaced
    int cooldown = 0;
    std::vector<Mover> enemies;
    std::vector<Mover> divers_in_water;
    std::vector<Mover> friendly_bullets;
    std::vector<Mover> enemy_bullets;
    int enemy_spawn_timer = 0, enemy_move_timer = 0, diver_spawn_timer = 0, diver_move_timer = 0;
    int surfacings = 0;
  };

  // Frame periods at a given number of surfacings (the difficulty ramp).
  static int EnemyMovePeriod(int surfacings);
  static int EnemySpawnPeriod(int surfacings);
  static int EnemyShotPeriod(int surfacings);

  // GridGame (see there).
  const char* name() const override { return "seaquest"; }
  const std::vector<std::string>& channel_names() const override;
  void Reset(Rng* rng) override;
  GameStep Step(int action, Rng* rng) override;
  void Draw(Board* board) const override;
  int difficulty() const override { return state_.surfacings; }

  // The state, read-only (the next Draw shows it).
  const State& state() const { return state_; }
  // Test hook: the state to set up a position; the rules take it as it is.
  State& mutable_state() { return state_; }

 private:
  // Bullets vs enemies; returns the kills.
  int ShootEnemies();
  // Whether an enemy or enemy bullet shares the sub's cell; also picks up divers there.
  bool HitSub();

  State state_;
};

}  // namespace calico

#endif  // CALICO_ENVS_ARCADE_SEAQUEST_H_
