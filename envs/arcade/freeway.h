// Freeway on the 10x10 grid (after MinAtar's rules): a chicken in column 4 crosses eight
// lanes of traffic (rows 1-8) from row 9 to row 0. Reaching row 0 is +1 and starts a
// new crossing with new traffic; a car hitting the chicken sends it back to row 9. The
// chicken moves at most once every three frames. A car that drives off one side comes
// back on the other with a newly drawn speed (calico's rule: it keeps lanes of equal
// speed from blocking the road forever). No game over: the episode ends on the time
// limit (2500 steps in calico's task table).
// Channels: chicken, car, then speed1..speed5, which mark the cell behind each car (its
// direction) with how many frames the car waits between moves (1 fastest).
// Difficulty ramp (calico's own; MinAtar only re-draws speeds): each car's period is
// drawn from [FastestPeriod(crossings), 5], and that lower end drops from 3 to 2 after
// 5 crossings and to 1 after 10, so traffic speeds up as the player scores.
#ifndef CALICO_ENVS_ARCADE_FREEWAY_H_
#define CALICO_ENVS_ARCADE_FREEWAY_H_

#include <array>
#include <string>
#include <vector>

#include "envs/arcade/grid_game.h"

namespace calico {

// Not thread-safe (see GridGame).
class Freeway final : public GridGame {
 public:
  enum Channel { kChicken = 0, kCar = 1, kSpeed1 = 2 };  // kSpeed1 + period - 1
  static constexpr int kChickenCol = 4;
  static constexpr int kLanes = 8;  // rows 1..8
  static constexpr int kSlowestPeriod = 5;
  // Frames the chicken waits after a move before it can move again.
  static constexpr int kMoveCooldown = 2;

  struct Car {
    int col = 0;
    int dir = 1;     // -1 or +1; cars wrap around the sides
    int period = 5;  // frames between moves, 1..5
    int timer = 5;   // frames until the next move
  };
  // Everything the rules read; public so tests can set up positions.
  struct State {
    int chicken_row = kGridSize - 1;
    int cooldown = 0;
    std::array<Car, kLanes> cars;  // cars[i] drives in row i + 1
    int crossings = 0;
  };

  // GridGame (see there).
  const char* name() const override { return "freeway"; }
  const std::vector<std::string>& channel_names() const override;
  void Reset(Rng* rng) override;
  GameStep Step(int action, Rng* rng) override;
  void Draw(Board* board) const override;
  // 0, 1, 2 as the fastest possible period goes 3, 2, 1.
  int difficulty() const override;

  // The smallest period a lane may draw after `crossings` crossings.
  static int FastestPeriod(int crossings);

  // The state, read-only (the next Draw shows it).
  const State& state() const { return state_; }
  // Test hook: the state to set up a position; the rules take it as it is.
  State& mutable_state() { return state_; }

 private:
  void NewTraffic(Rng* rng);
  bool Hit() const;

  State state_;
};

}  // namespace calico

#endif  // CALICO_ENVS_ARCADE_FREEWAY_H_
