#include "envs/arcade/space_invaders.h"

#include "gtest/gtest.h"

namespace calico {
namespace {

// A started game with no aliens unless a test places them, and nothing on a timer.
SpaceInvaders Quiet() {
  SpaceInvaders game;
  Rng rng(1);
  game.Reset(&rng);
  SpaceInvaders::State& s = game.mutable_state();
  for (auto& row : s.aliens) row.fill(false);
  s.aliens[0][9] = true;  // one far-away alien keeps the wave from ending
  s.move_timer = s.shot_timer = 1000;
  return game;
}

int Aliens(const SpaceInvaders& game) {
  int n = 0;
  for (const auto& row : game.state().aliens) {
    for (bool a : row) n += a;
  }
  return n;
}

TEST(SpaceInvadersTest, ResetMakesAFourBySixBlock) {
  SpaceInvaders game;
  Rng rng(1);
  game.Reset(&rng);
  EXPECT_EQ(Aliens(game), 24);
  EXPECT_TRUE(game.state().aliens[0][2]);
  EXPECT_TRUE(game.state().aliens[3][7]);
  EXPECT_FALSE(game.state().aliens[4][4]);
}

TEST(SpaceInvadersTest, CannonMovesAndFiresWithACooldown) {
  SpaceInvaders game = Quiet();
  Rng rng(1);
  game.Step(kLeft, &rng);
  EXPECT_EQ(game.state().cannon_col, 4);
  game.Step(kFire, &rng);
  EXPECT_TRUE(game.state().friendly_bullets[8][4]);
  game.Step(kFire, &rng);  // cooling down: no second shot
  EXPECT_TRUE(game.state().friendly_bullets[7][4]);
  EXPECT_FALSE(game.state().friendly_bullets[8][4]);
  for (int i = 0; i < 3; ++i) game.Step(kNoop, &rng);
  game.Step(kFire, &rng);  // five frames after the first
  EXPECT_TRUE(game.state().friendly_bullets[8][4]);
}

TEST(SpaceInvadersTest, ShotKillsAnAlienForOnePoint) {
  SpaceInvaders game = Quiet();
  Rng rng(1);
  game.mutable_state().aliens[6][5] = true;
  EXPECT_EQ(game.Step(kFire, &rng).reward, 0.0);  // shot on row 8
  EXPECT_EQ(game.Step(kNoop, &rng).reward, 0.0);  // row 7
  EXPECT_EQ(game.Step(kNoop, &rng).reward, 1.0);  // row 6: hit
  EXPECT_FALSE(game.state().aliens[6][5]);
  EXPECT_FALSE(game.state().friendly_bullets[6][5]);
}

TEST(SpaceInvadersTest, EnemyBulletOnTheCannonEndsTheGame) {
  SpaceInvaders game = Quiet();
  Rng rng(1);
  game.mutable_state().enemy_bullets[8][5] = true;
  EXPECT_TRUE(game.Step(kNoop, &rng).game_over);
  SpaceInvaders dodger = Quiet();
  dodger.mutable_state().enemy_bullets[8][5] = true;
  EXPECT_FALSE(dodger.Step(kRight, &rng).game_over);
}

TEST(SpaceInvadersTest, AlienNearestTheCannonShootsDown) {
  SpaceInvaders game = Quiet();
  Rng rng(1);
  game.mutable_state().aliens[2][4] = true;
  game.mutable_state().aliens[3][4] = true;
  game.mutable_state().shot_timer = 1;
  game.Step(kNoop, &rng);
  EXPECT_TRUE(game.state().enemy_bullets[4][4]);  // below the lowest alien of column 4
}

TEST(SpaceInvadersTest, BlockMarchesSidewaysThenStepsDownAtTheWall) {
  SpaceInvaders game;
  Rng rng(1);
  game.Reset(&rng);
  for (int i = 0; i < 12; ++i) game.Step(kNoop, &rng);
  EXPECT_TRUE(game.state().aliens[0][1]);  // one column left
  EXPECT_FALSE(game.state().aliens[0][7]);
  for (int i = 0; i < 12; ++i) game.Step(kRight, &rng);  // a second march: columns 0..5
  EXPECT_TRUE(game.state().aliens[0][0]);
  game.mutable_state().enemy_bullets = {};
  for (int i = 0; i < 12; ++i) game.Step(kNoop, &rng);  // at the wall: down, turn
  EXPECT_TRUE(game.state().aliens[1][0]);
  EXPECT_FALSE(game.state().aliens[0][0]);
  EXPECT_EQ(game.state().alien_dir, 1);
}

TEST(SpaceInvadersTest, AliensReachingTheBottomEndTheGame) {
  SpaceInvaders game = Quiet();
  Rng rng(1);
  game.mutable_state().aliens[8][0] = true;
  game.mutable_state().alien_dir = -1;
  game.mutable_state().move_timer = 1;
  EXPECT_TRUE(game.Step(kNoop, &rng).game_over);
}

TEST(SpaceInvadersTest, ClearingAWaveBringsAFasterOne) {
  SpaceInvaders game = Quiet();
  Rng rng(1);
  game.mutable_state().aliens[0][9] = false;
  game.mutable_state().aliens[7][5] = true;
  game.Step(kFire, &rng);
  EXPECT_EQ(game.Step(kNoop, &rng).reward, 1.0);
  EXPECT_EQ(game.state().waves_cleared, 1);
  EXPECT_EQ(game.difficulty(), 1);
  EXPECT_EQ(Aliens(game), 24);
  EXPECT_EQ(game.state().move_period, 10);
  EXPECT_EQ(game.state().shot_period, 9);
  game.mutable_state().waves_cleared = 20;
  game.mutable_state().aliens = {};
  game.mutable_state().aliens[7][5] = true;
  game.Step(kNoop, &rng);
  game.mutable_state().cooldown = 0;
  game.Step(kFire, &rng);
  game.Step(kNoop, &rng);
  EXPECT_EQ(game.state().move_period, SpaceInvaders::kMinMovePeriod);
  EXPECT_EQ(game.state().shot_period, SpaceInvaders::kMinShotPeriod);
}

TEST(SpaceInvadersTest, BoardMarksTheMarchDirection) {
  SpaceInvaders game = Quiet();
  game.mutable_state().friendly_bullets[5][5] = true;
  game.mutable_state().enemy_bullets[6][2] = true;
  Board board(6);
  game.Draw(&board);
  EXPECT_TRUE(board.Has(9, 5, SpaceInvaders::kCannon));
  EXPECT_TRUE(board.Has(0, 9, SpaceInvaders::kAlien));
  EXPECT_TRUE(board.Has(0, 9, SpaceInvaders::kAlienLeft));
  EXPECT_FALSE(board.Has(0, 9, SpaceInvaders::kAlienRight));
  EXPECT_TRUE(board.Has(5, 5, SpaceInvaders::kFriendlyBullet));
  EXPECT_TRUE(board.Has(6, 2, SpaceInvaders::kEnemyBullet));
}

}  // namespace
}  // namespace calico
