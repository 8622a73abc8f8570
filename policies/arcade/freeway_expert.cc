// Freeway expert: knows when every car will move. Cars keep their period until the next
// crossing, so after seeing a car move (or new traffic appear) the expert can predict its
// column on every later frame. It plans the chicken's moves over the next frames with a
// small dynamic program over (frame, row, move cooldown, previous action) that scores
// reaching the top soon, models a hit (back to the start), and weighs each move against
// a sticky repeat of the previous one; it takes the first move of the best plan.
#include <algorithm>
#include <array>
#include <cstring>

#include "envs/arcade/freeway.h"
#include "policies/arcade/game_experts.h"

namespace calico {
namespace {

constexpr int kHorizon = 28;
constexpr int kLanes = Freeway::kLanes;
constexpr int kStartRow = kGridSize - 1;
constexpr double kHitPenalty = 500;
constexpr int kChoices[] = {kUp, kNoop, kDown};  // the chicken ignores the rest

struct Lane {
  int col = 0;
  int dir = 1;
  int period = 5;
  int64_t last_move = 0;  // frame after which the car's timer was full (= period)
};

class FreewayExpert final : public BoardExpert {
 public:
  using BoardExpert::BoardExpert;

 protected:
  void ResetGame() override {
    previous_ = kNoop;
    row_ = kStartRow;
    last_row_change_ = -100;
  }

  int Choose(const Board& board, double reward, int64_t frame) override {
    int row = kStartRow;
    for (int r = 0; r < kGridSize; ++r) {
      if (board.Has(r, Freeway::kChickenCol, Freeway::kChicken)) row = r;
    }
    if (frame > 0 && row != row_) last_row_change_ = frame - 1;  // the move happened on the last step
    row_ = row;

    for (int i = 0; i < kLanes; ++i) {
      Lane seen;
      for (int c = 0; c < kGridSize; ++c) {
        if (board.Has(i + 1, c, Freeway::kCar)) seen.col = c;
      }
      for (int p = 1; p <= Freeway::kSlowestPeriod; ++p) {
        if (board.Has(i + 1, (seen.col + kGridSize - 1) % kGridSize, Freeway::kSpeed1 + p - 1)) seen.dir = 1, seen.period = p;
        if (board.Has(i + 1, (seen.col + 1) % kGridSize, Freeway::kSpeed1 + p - 1)) seen.dir = -1, seen.period = p;
      }
      Lane& lane = lanes_[i];
      if (frame == 0) {
        seen.last_move = 0;  // fresh traffic: full timers
      } else if (reward > 0) {
        // New traffic with full timers, already counted down once this frame (a car of
        // period 1 moved at once).
        seen.last_move = seen.period == 1 ? frame : frame - 1;
      } else if (seen.col != lane.col) {
        seen.last_move = frame;
      } else {
        seen.last_move = lane.last_move;
      }
      lane = seen;
    }

    // Cooldown left now: a move at frame m blocks moves on the next kMoveCooldown steps.
    const int cooldown = static_cast<int>(std::max<int64_t>(0, Freeway::kMoveCooldown - (frame - 1 - last_row_change_)));
    // Where the cars will be, once per frame (the plan reads this table many times).
    for (int k = 0; k <= kHorizon; ++k) {
      for (int r = 0; r < kGridSize; ++r) car_there_[k][r] = Hit(r, k, frame);
    }
    memo_valid_ = {};
    int best_action = kNoop;
    Best(0, row_, cooldown, previous_, frame, &best_action);
    previous_ = best_action;
    return best_action;
  }

 private:
  // Column of lane i's car after `k` more frames.
  int CarCol(int i, int k, int64_t frame) const {
    const Lane& lane = lanes_[i];
    const int64_t timer = lane.period - (frame - lane.last_move);  // frames until its next move
    const int64_t moves = k < timer ? 0 : 1 + (k - timer) / lane.period;
    return static_cast<int>(((lane.col + lane.dir * moves) % kGridSize + kGridSize) % kGridSize);
  }

  bool Hit(int row, int k, int64_t frame) const {
    return row >= 1 && row <= kLanes && CarCol(row - 1, k, frame) == Freeway::kChickenCol;
  }

  // Score after `action` is applied as step k (0-based) from (row, cooldown): reaching
  // the top sooner scores higher, ending lower on the road scores lower. A hit sends the
  // chicken back to the start, where the plan goes on.
  double Apply(int action, int k, int row, int cooldown, int64_t frame) {
    int next_row = row, next_cooldown = cooldown;
    if (cooldown > 0) {
      --next_cooldown;
    } else if (action == kUp) {
      --next_row, next_cooldown = Freeway::kMoveCooldown;
    } else if (action == kDown && row < kStartRow) {
      ++next_row, next_cooldown = Freeway::kMoveCooldown;
    }
    if (next_row == 0) return 1000 - k;
    // Hit before the cars move (they are where they were after k frames) or after.
    // A hit costs more than the rows it undoes, so plans stay clear of cars by choice.
    if (car_there_[k][next_row] || car_there_[k + 1][next_row]) {
      return Best(k + 1, kStartRow, next_cooldown, action, frame, nullptr) - kHitPenalty;
    }
    return Best(k + 1, next_row, next_cooldown, action, frame, nullptr);
  }

  // Best expected score from (row, cooldown) before step k, `previous` the action last
  // applied: each choice counts 0.9 times its own outcome and 0.1 times a sticky repeat
  // of `previous`. `choice`, when set, receives the best action.
  double Best(int k, int row, int cooldown, int previous, int64_t frame, int* choice) {
    if (k >= kHorizon) return -10.0 * row;
    const int p = Index(previous);
    bool& valid = memo_valid_[k][row][cooldown][p];
    double& value = memo_[k][row][cooldown][p];
    if (valid && choice == nullptr) return value;
    std::array<double, 3> outcome;
    for (int action : kChoices) outcome[Index(action)] = Apply(action, k, row, cooldown, frame);
    value = -1e9;
    for (int action : kChoices) {
      const double v = 0.9 * outcome[Index(action)] + 0.1 * outcome[p];
      if (v > value) {
        value = v;
        if (choice != nullptr) *choice = action;
      }
    }
    valid = true;
    return value;
  }

  static int Index(int action) { return action == kUp ? 0 : action == kDown ? 2 : 1; }

  std::array<Lane, kLanes> lanes_;
  int row_ = kStartRow;
  int64_t last_row_change_ = -100;
  int previous_ = kNoop;  // the action chosen last frame (what a sticky action repeats)
  // car_there_[k][row]: a car is at the chicken's column in `row` after k more frames.
  std::array<std::array<bool, kGridSize>, kHorizon + 1> car_there_{};
  // [frame of the plan][row][cooldown][previous action index]
  std::array<std::array<std::array<std::array<double, 3>, 3>, kGridSize>, kHorizon> memo_{};
  std::array<std::array<std::array<std::array<bool, 3>, 3>, kGridSize>, kHorizon> memo_valid_{};
};

}  // namespace

std::unique_ptr<BoardExpert> MakeFreewayExpert(ArcadeObservation observation) {
  return std::make_unique<FreewayExpert>(observation, 7);
}

}  // namespace calico
