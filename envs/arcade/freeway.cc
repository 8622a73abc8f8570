#include "envs/arcade/freeway.h"

#include <algorithm>

namespace calico {

const std::vector<std::string>& Freeway::channel_names() const {
  static const std::vector<std::string>* names = new std::vector<std::string>{
      "chicken", "car", "speed1", "speed2", "speed3", "speed4", "speed5"};
  return *names;
}

int Freeway::FastestPeriod(int crossings) { return std::max(1, 3 - crossings / 5); }

int Freeway::difficulty() const { return 3 - FastestPeriod(state_.crossings); }

void Freeway::NewTraffic(Rng* rng) {
  const int fastest = FastestPeriod(state_.crossings);
  for (Car& car : state_.cars) {
    car.col = static_cast<int>(rng->UniformInt(0, kGridSize));
    car.dir = rng->UniformInt(0, 2) == 0 ? -1 : 1;
    car.period = static_cast<int>(rng->UniformInt(fastest, kSlowestPeriod + 1));
    car.timer = car.period;
  }
}

void Freeway::Reset(Rng* rng) {
  state_ = State();
  NewTraffic(rng);
}

bool Freeway::Hit() const {
  const int row = state_.chicken_row;
  return row >= 1 && row <= kLanes && state_.cars[row - 1].col == kChickenCol;
}

GameStep Freeway::Step(int action, Rng* rng) {
  State& s = state_;
  GameStep out;
  if (s.cooldown > 0) {
    --s.cooldown;
  } else if (action == kUp) {
    --s.chicken_row;
    s.cooldown = kMoveCooldown;
  } else if (action == kDown && s.chicken_row < kGridSize - 1) {
    ++s.chicken_row;
    s.cooldown = kMoveCooldown;
  }
  if (s.chicken_row == 0) {
    out.reward = 1.0;
    ++s.crossings;
    s.chicken_row = kGridSize - 1;
    NewTraffic(rng);
  }
  if (Hit()) s.chicken_row = kGridSize - 1;
  const int fastest = FastestPeriod(s.crossings);
  for (Car& car : s.cars) {
    if (--car.timer > 0) continue;
    car.col = (car.col + car.dir + kGridSize) % kGridSize;
    // A car driving off one side comes back as a new car with a new speed. Without
    // this, neighbouring lanes with the same speed keep their phase forever, and some
    // phases block the road for good.
    const bool wrapped = car.col == (car.dir > 0 ? 0 : kGridSize - 1);
    if (wrapped) car.period = static_cast<int>(rng->UniformInt(fastest, kSlowestPeriod + 1));
    car.timer = car.period;
  }
  // Checked again after traffic moved: a car driving into the chicken hits it too.
  if (Hit()) s.chicken_row = kGridSize - 1;
  return out;
}

void Freeway::Draw(Board* board) const {
  board->Clear();
  board->Set(state_.chicken_row, kChickenCol, kChicken);
  for (int i = 0; i < kLanes; ++i) {
    const Car& car = state_.cars[i];
    board->Set(i + 1, car.col, kCar);
    board->Set(i + 1, (car.col - car.dir + kGridSize) % kGridSize, kSpeed1 + car.period - 1);
  }
}

}  // namespace calico
