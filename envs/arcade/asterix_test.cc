#include "envs/arcade/asterix.h"

#include "gtest/gtest.h"

namespace calico {
namespace {

Asterix Started() {
  Asterix game;
  Rng rng(4);
  game.Reset(&rng);
  return game;
}

TEST(AsterixTest, PlayerMovesInFourDirectionsInsideRowsOneToEight) {
  Asterix game = Started();
  Rng rng(1);
  game.Step(kLeft, &rng);
  EXPECT_EQ(game.state().player_col, 4);
  game.Step(kUp, &rng);
  EXPECT_EQ(game.state().player_row, 4);
  game.Step(kRight, &rng);
  game.Step(kDown, &rng);
  EXPECT_EQ(game.state().player_row, 5);
  EXPECT_EQ(game.state().player_col, 5);
  game.mutable_state().player_row = 1;
  game.Step(kUp, &rng);
  EXPECT_EQ(game.state().player_row, 1);
  game.mutable_state().player_row = 8;
  game.Step(kDown, &rng);
  EXPECT_EQ(game.state().player_row, 8);
}

TEST(AsterixTest, TouchingGoldScoresOneAndTakesIt) {
  Asterix game = Started();
  Rng rng(1);
  game.mutable_state().objects[5] = {true, true, 6, -1};
  const GameStep step = game.Step(kRight, &rng);
  EXPECT_EQ(step.reward, 1.0);
  EXPECT_FALSE(step.game_over);
  EXPECT_FALSE(game.state().objects[5].active);
}

TEST(AsterixTest, EnemyMovingIntoThePlayerEndsTheGame) {
  Asterix game = Started();
  Rng rng(1);
  game.mutable_state().objects[5] = {true, false, 4, 1};
  game.mutable_state().move_timer = 1;  // objects move this frame
  const GameStep step = game.Step(kNoop, &rng);
  EXPECT_TRUE(step.game_over);
  EXPECT_EQ(step.reward, 0.0);
}

TEST(AsterixTest, ObjectsMoveEveryPeriodAndLeaveAtTheSide) {
  Asterix game = Started();
  Rng rng(1);
  game.mutable_state().spawn_timer = 1000;
  game.mutable_state().objects[2] = {true, false, 8, 1};
  for (int i = 0; i < 4; ++i) game.Step(kNoop, &rng);
  EXPECT_EQ(game.state().objects[2].col, 8);
  game.Step(kNoop, &rng);  // fifth frame: the first move
  EXPECT_EQ(game.state().objects[2].col, 9);
  for (int i = 0; i < 5; ++i) game.Step(kNoop, &rng);
  EXPECT_FALSE(game.state().objects[2].active);
}

TEST(AsterixTest, ObjectsAppearAtASideOfAFreeRow) {
  Asterix game = Started();
  Rng rng(1);
  int spawned = 0, gold = 0;
  for (int trial = 0; trial < 300; ++trial) {
    Asterix fresh = Started();
    fresh.mutable_state().spawn_timer = 1;
    fresh.mutable_state().move_timer = 100;
    fresh.mutable_state().player_row = 8;
    fresh.Step(kNoop, &rng);
    for (int r = 1; r <= 8; ++r) {
      const auto& o = fresh.state().objects[r];
      if (!o.active) continue;
      ++spawned;
      gold += o.gold;
      EXPECT_EQ(o.col, o.dir > 0 ? 0 : 9);
    }
  }
  EXPECT_EQ(spawned, 300);  // exactly one per spawn frame
  EXPECT_GT(gold, 60);      // about one in three is gold
  EXPECT_LT(gold, 140);
}

TEST(AsterixTest, DifficultyRampsEveryHundredFrames) {
  Asterix game = Started();
  Rng rng(1);
  game.mutable_state().player_row = 1;
  EXPECT_EQ(game.difficulty(), 0);
  for (int frame = 1; frame <= 450; ++frame) {
    for (auto& o : game.mutable_state().objects) o.active = false;  // nothing can hit
    game.Step(kNoop, &rng);
    if (frame == 99) {
      EXPECT_EQ(game.state().move_period, 5);
    }
    if (frame == 100) {
      EXPECT_EQ(game.state().move_period, 4);
      EXPECT_EQ(game.state().spawn_period, 9);
      EXPECT_EQ(game.difficulty(), 1);
    }
  }
  EXPECT_EQ(game.state().move_period, 1);
  EXPECT_EQ(game.state().spawn_period, 6);
  EXPECT_EQ(game.difficulty(), 4);
}

TEST(AsterixTest, BoardShowsDirectionByTrail) {
  Asterix game = Started();
  game.mutable_state().objects[3] = {true, true, 4, -1};
  game.mutable_state().objects[6] = {true, false, 0, 1};
  Board board(4);
  game.Draw(&board);
  EXPECT_TRUE(board.Has(5, 5, Asterix::kPlayer));
  EXPECT_TRUE(board.Has(3, 4, Asterix::kGold));
  EXPECT_TRUE(board.Has(3, 5, Asterix::kTrail));
  EXPECT_TRUE(board.Has(6, 0, Asterix::kEnemy));
  EXPECT_EQ(board.mask(6, 1), 0);  // no trail outside the grid, none ahead
}

}  // namespace
}  // namespace calico
