// Space Invaders on the 10x10 grid (after MinAtar's rules): a cannon on the bottom row
// shoots up at a 4x6 block of aliens that marches sideways and steps down at the walls.
// The alien nearest the cannon's column shoots down at it. Killing an alien is +1; a
// cleared wave brings a new one. An enemy bullet hitting the cannon or an alien reaching
// the bottom row ends the game.
// Channels: cannon, alien, alien_left, alien_right (the direction the block marches,
// marked on every alien), friendly_bullet, enemy_bullet.
// Difficulty ramp: each cleared wave makes the block march faster (a move every 12
// frames at first, two fewer per wave, at least every 4) and aliens shoot more often
// (every 10 frames at first, one fewer per wave, at least every 5).
#ifndef CALICO_ENVS_ARCADE_SPACE_INVADERS_H_
#define CALICO_ENVS_ARCADE_SPACE_INVADERS_H_

#include <array>
#include <string>
#include <vector>

#include "envs/arcade/grid_game.h"

namespace calico {

// Not thread-safe (see GridGame).
class SpaceInvaders final : public GridGame {
 public:
  enum Channel {
    kCannon = 0,
    kAlien = 1,
    kAlienLeft = 2,
    kAlienRight = 3,
    kFriendlyBullet = 4,
    kEnemyBullet = 5,
  };
  static constexpr int kCannonRow = kGridSize - 1;
  static constexpr int kShotCooldown = 5;
  static constexpr int kStartMovePeriod = 12;
  static constexpr int kMinMovePeriod = 4;
  static constexpr int kStartShotPeriod = 10;
  static constexpr int kMinShotPeriod = 5;

  using Grid = std::array<std::array<bool, kGridSize>, kGridSize>;  // [row][col]
  // Everything the rules read; public so tests can set up positions.
  struct State {
    int cannon_col = 5;
    Grid aliens{};
    Grid friendly_bullets{};
    Grid enemy_bullets{};
    int alien_dir = -1;
    int move_period = kStartMovePeriod, move_timer = kStartMovePeriod;
    int shot_period = kStartShotPeriod, shot_timer = kStartShotPeriod;
    int cooldown = 0;  // frames until the cannon may fire again
    int waves_cleared = 0;
  };

  // GridGame (see there).
  const char* name() const override { return "space_invaders"; }
  const std::vector<std::string>& channel_names() const override;
  void Reset(Rng* rng) override;
  GameStep Step(int action, Rng* rng) override;
  void Draw(Board* board) const override;
  int difficulty() const override { return state_.waves_cleared; }

  // The state, read-only (the next Draw shows it).
  const State& state() const { return state_; }
  // Test hook: the state to set up a position; the rules take it as it is.
  State& mutable_state() { return state_; }

 private:
  void NewWave();
  // Removes aliens and friendly bullets that share a cell; returns how many died.
  int Collide();

  State state_;
};

}  // namespace calico

#endif  // CALICO_ENVS_ARCADE_SPACE_INVADERS_H_
