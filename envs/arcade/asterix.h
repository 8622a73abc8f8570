// Asterix on the 10x10 grid (after MinAtar's rules): the player moves freely in rows
// 1-8; enemies and gold enter rows 1-8 from a side and cross horizontally. Touching gold
// is +1, touching an enemy ends the game. At most one object per row.
// Channels: player, enemy, trail (the cell behind each object: its direction), gold.
// Difficulty ramp: every 100 frames objects move one frame sooner (period 5 down to 1)
// and spawn one frame sooner (period 10 down to 3).
#ifndef CALICO_ENVS_ARCADE_ASTERIX_H_
#define CALICO_ENVS_ARCADE_ASTERIX_H_

#include <array>
#include <string>
#include <vector>

#include "envs/arcade/grid_game.h"

namespace calico {

// Not thread-safe (see GridGame).
class Asterix final : public GridGame {
 public:
  enum Channel { kPlayer = 0, kEnemy = 1, kTrail = 2, kGold = 3 };
  static constexpr int kFirstRow = 1;
  static constexpr int kLastRow = 8;
  static constexpr int kStartMovePeriod = 5;
  static constexpr int kStartSpawnPeriod = 10;
  static constexpr int kMinSpawnPeriod = 3;
  static constexpr int kRampInterval = 100;

  struct Object {
    bool active = false;
    bool gold = false;
    int col = 0;
    int dir = 1;  // -1 or +1
  };
  // Everything the rules read; public so tests can set up positions.
  struct State {
    int player_row = 5, player_col = 5;
    std::array<Object, kGridSize> objects;  // objects[row]; rows 1..8 used
    int move_period = kStartMovePeriod, move_timer = kStartMovePeriod;
    int spawn_period = kStartSpawnPeriod, spawn_timer = kStartSpawnPeriod;
    int ramp_timer = kRampInterval;
    int level = 0;
  };

  // GridGame (see there).
  const char* name() const override { return "asterix"; }
  const std::vector<std::string>& channel_names() const override;
  void Reset(Rng* rng) override;
  GameStep Step(int action, Rng* rng) override;
  void Draw(Board* board) const override;
  int difficulty() const override { return state_.level; }

  // The state, read-only (the next Draw shows it).
  const State& state() const { return state_; }
  // Test hook: the state to set up a position; the rules take it as it is.
  State& mutable_state() { return state_; }

 private:
  // Applies a collision between the player and its row's object; true on game over.
  bool Touch(GameStep* out);

  State state_;
};

}  // namespace calico

#endif  // CALICO_ENVS_ARCADE_ASTERIX_H_
