#include "envs/arcade/freeway.h"

#include <set>

#include "gtest/gtest.h"

namespace calico {
namespace {

// A started game whose cars all sit still far from the chicken (period 5, column 0),
// unless a test moves one.
Freeway QuietGame() {
  Freeway game;
  Rng rng(2);
  game.Reset(&rng);
  for (Freeway::Car& car : game.mutable_state().cars) car = {0, 1, 5, 5};
  return game;
}

TEST(FreewayTest, UpMovesTheChickenThenItRestsTwoFrames) {
  Freeway game = QuietGame();
  Rng rng(1);
  EXPECT_EQ(game.state().chicken_row, 9);
  game.Step(kUp, &rng);
  EXPECT_EQ(game.state().chicken_row, 8);
  game.Step(kUp, &rng);
  game.Step(kUp, &rng);
  EXPECT_EQ(game.state().chicken_row, 8);  // cooling down
  game.Step(kUp, &rng);
  EXPECT_EQ(game.state().chicken_row, 7);
  game.mutable_state().cooldown = 0;
  game.Step(kDown, &rng);
  EXPECT_EQ(game.state().chicken_row, 8);
  game.mutable_state().cooldown = 0;
  game.Step(kLeft, &rng);  // sideways actions do nothing
  EXPECT_EQ(game.state().chicken_row, 8);
}

TEST(FreewayTest, CarHittingTheChickenSendsItBackToTheStart) {
  Freeway game = QuietGame();
  Rng rng(1);
  game.mutable_state().chicken_row = 5;
  game.mutable_state().cars[4] = {3, 1, 1, 1};  // row 5, one left of the chicken, moves now
  const GameStep step = game.Step(kNoop, &rng);
  EXPECT_EQ(step.reward, 0.0);
  EXPECT_FALSE(step.game_over);
  EXPECT_EQ(game.state().chicken_row, 9);
}

TEST(FreewayTest, WalkingIntoACarAlsoSendsTheChickenBack) {
  Freeway game = QuietGame();
  Rng rng(1);
  game.mutable_state().chicken_row = 6;
  game.mutable_state().cars[4] = {Freeway::kChickenCol, 1, 5, 5};  // parked in row 5
  game.Step(kUp, &rng);
  EXPECT_EQ(game.state().chicken_row, 9);
}

TEST(FreewayTest, CrossingScoresOneAndStartsOverWithNewTraffic) {
  Freeway game = QuietGame();
  Rng rng(1);
  game.mutable_state().chicken_row = 1;
  const GameStep step = game.Step(kUp, &rng);
  EXPECT_EQ(step.reward, 1.0);
  EXPECT_FALSE(step.game_over);
  EXPECT_EQ(game.state().chicken_row, 9);
  EXPECT_EQ(game.state().crossings, 1);
  bool redrawn = false;
  for (const Freeway::Car& car : game.state().cars) redrawn = redrawn || car.col != 0 || car.period != 5;
  EXPECT_TRUE(redrawn);
}

TEST(FreewayTest, CarsMoveEveryPeriodFramesAndWrapAround) {
  Freeway game = QuietGame();
  Rng rng(1);
  game.mutable_state().cars[0] = {9, 1, 2, 2};
  game.mutable_state().cars[1] = {0, -1, 3, 3};
  game.Step(kNoop, &rng);
  EXPECT_EQ(game.state().cars[0].col, 9);
  game.Step(kNoop, &rng);
  EXPECT_EQ(game.state().cars[0].col, 0);  // wrapped
  EXPECT_EQ(game.state().cars[1].col, 0);
  game.Step(kNoop, &rng);
  EXPECT_EQ(game.state().cars[1].col, 9);
}

TEST(FreewayTest, CarComingBackAroundGetsANewSpeed) {
  Freeway game = QuietGame();
  Rng rng(1);
  std::set<int> periods;
  for (int trial = 0; trial < 60; ++trial) {
    game.mutable_state().cars[3] = {9, 1, 1, 1};  // wraps on the next frame
    game.mutable_state().chicken_row = 9;
    game.Step(kNoop, &rng);
    const Freeway::Car& car = game.state().cars[3];
    EXPECT_EQ(car.col, 0);
    EXPECT_GE(car.period, Freeway::FastestPeriod(0));
    EXPECT_LE(car.period, Freeway::kSlowestPeriod);
    EXPECT_EQ(car.timer, car.period);
    periods.insert(car.period);
  }
  EXPECT_EQ(periods, (std::set<int>{3, 4, 5}));
  // A car that does not wrap keeps its speed.
  game.mutable_state().cars[3] = {4, 1, 1, 1};
  game.Step(kNoop, &rng);
  EXPECT_EQ(game.state().cars[3].period, 1);
}

TEST(FreewayTest, TrafficSpeedsUpWithCrossings) {
  EXPECT_EQ(Freeway::FastestPeriod(0), 3);
  EXPECT_EQ(Freeway::FastestPeriod(4), 3);
  EXPECT_EQ(Freeway::FastestPeriod(5), 2);
  EXPECT_EQ(Freeway::FastestPeriod(10), 1);
  EXPECT_EQ(Freeway::FastestPeriod(100), 1);
  // Drawn periods follow the ramp: never below the fastest; the fast end shows up.
  Freeway game;
  Rng rng(9);
  game.Reset(&rng);
  EXPECT_EQ(game.difficulty(), 0);
  int fastest_seen = 5;
  for (int crossing = 0; crossing < 40; ++crossing) {
    game.mutable_state().chicken_row = 1;
    game.mutable_state().cooldown = 0;
    game.Step(kUp, &rng);
    for (const Freeway::Car& car : game.state().cars) {
      EXPECT_GE(car.period, Freeway::FastestPeriod(game.state().crossings));
      if (game.state().crossings >= 10) fastest_seen = std::min(fastest_seen, car.period);
    }
  }
  EXPECT_EQ(fastest_seen, 1);
  EXPECT_EQ(game.difficulty(), 2);
}

TEST(FreewayTest, BoardShowsCarsWithTheirSpeedBehindThem) {
  Freeway game = QuietGame();
  game.mutable_state().cars[2] = {0, -1, 3, 3};  // row 3 at column 0 heading left
  Board board(7);
  game.Draw(&board);
  EXPECT_TRUE(board.Has(9, 4, Freeway::kChicken));
  EXPECT_TRUE(board.Has(3, 0, Freeway::kCar));
  EXPECT_TRUE(board.Has(3, 1, Freeway::kSpeed1 + 2));  // speed3 marks period 3
  EXPECT_TRUE(board.Has(1, 9, Freeway::kSpeed1 + 4));  // wrapped trail of a car at column 0
  EXPECT_EQ(game.num_channels(), 7);
}

}  // namespace
}  // namespace calico
