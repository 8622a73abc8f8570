#include "envs/arcade/seaquest.h"

#include "gtest/gtest.h"

namespace calico {
namespace {

// A started game with nothing spawning or moving unless a test says so, the sub at
// (4, 5) under water.
Seaquest Quiet() {
  Seaquest game;
  Rng rng(1);
  game.Reset(&rng);
  Seaquest::State& s = game.mutable_state();
  s.enemy_spawn_timer = s.enemy_move_timer = s.diver_spawn_timer = s.diver_move_timer = 100000;
  s.sub_row = 4;
  s.submerged = true;
  return game;
}

TEST(SeaquestTest, SubMovesAndTurns) {
  Seaquest game = Quiet();
  Rng rng(1);
  game.Step(kRight, &rng);
  EXPECT_EQ(game.state().sub_col, 6);
  EXPECT_EQ(game.state().facing, 1);
  game.Step(kLeft, &rng);
  EXPECT_EQ(game.state().facing, -1);
  game.Step(kDown, &rng);
  EXPECT_EQ(game.state().sub_row, 5);
  game.mutable_state().sub_row = 8;
  game.Step(kDown, &rng);
  EXPECT_EQ(game.state().sub_row, 8);  // row 9 is the gauges
}

TEST(SeaquestTest, TorpedoKillsAnEnemyForOnePoint) {
  Seaquest game = Quiet();
  Rng rng(1);
  game.mutable_state().facing = 1;
  game.mutable_state().enemies.push_back({4, 8, -1, false, 0});
  EXPECT_EQ(game.Step(kFire, &rng).reward, 0.0);  // torpedo at column 6
  EXPECT_EQ(game.Step(kNoop, &rng).reward, 0.0);  // 7
  const GameStep hit = game.Step(kNoop, &rng);    // 8: hit
  EXPECT_EQ(hit.reward, 1.0);
  EXPECT_TRUE(game.state().enemies.empty());
  EXPECT_TRUE(game.state().friendly_bullets.empty());
}

TEST(SeaquestTest, TouchingAnEnemyOrItsTorpedoEndsTheGame) {
  Seaquest game = Quiet();
  Rng rng(1);
  game.mutable_state().enemies.push_back({4, 6, -1, false, 0});
  EXPECT_TRUE(game.Step(kRight, &rng).game_over);
  Seaquest shot = Quiet();
  shot.mutable_state().enemy_bullets.push_back({4, 7, -1, false, 0});
  EXPECT_FALSE(shot.Step(kNoop, &rng).game_over);  // now at column 6
  EXPECT_TRUE(shot.Step(kNoop, &rng).game_over);
}

TEST(SeaquestTest, EnemySubsShoot) {
  Seaquest game = Quiet();
  Rng rng(1);
  game.mutable_state().sub_row = 7;
  game.mutable_state().enemies.push_back({2, 3, 1, true, 1});
  game.Step(kNoop, &rng);
  ASSERT_EQ(game.state().enemy_bullets.size(), 1u);
  EXPECT_EQ(game.state().enemy_bullets[0].row, 2);
  EXPECT_EQ(game.state().enemy_bullets[0].col, 4);
}

TEST(SeaquestTest, OxygenDrainsUnderWaterAndRunningOutEndsTheGame) {
  Seaquest game = Quiet();
  Rng rng(1);
  game.Step(kNoop, &rng);
  EXPECT_EQ(game.state().oxygen, Seaquest::kMaxOxygen - 1);
  game.mutable_state().oxygen = 2;
  EXPECT_FALSE(game.Step(kNoop, &rng).game_over);
  EXPECT_TRUE(game.Step(kNoop, &rng).game_over);
}

TEST(SeaquestTest, PickingUpDiversStopsAtSix) {
  Seaquest game = Quiet();
  Rng rng(1);
  game.mutable_state().divers_in_water.push_back({4, 6, -1, false, 0});
  game.Step(kRight, &rng);
  EXPECT_EQ(game.state().divers, 1);
  EXPECT_TRUE(game.state().divers_in_water.empty());
  game.mutable_state().divers = 6;
  game.mutable_state().divers_in_water.push_back({4, 7, -1, false, 0});
  game.Step(kRight, &rng);
  EXPECT_EQ(game.state().divers, 6);
  EXPECT_EQ(game.state().divers_in_water.size(), 1u);  // left in the water
}

TEST(SeaquestTest, SurfacingWithoutADiverEndsTheGame) {
  Seaquest game = Quiet();
  Rng rng(1);
  game.mutable_state().sub_row = 1;
  EXPECT_TRUE(game.Step(kUp, &rng).game_over);
}

TEST(SeaquestTest, StartingAtTheSurfaceIsNotSurfacing) {
  Seaquest game;
  Rng rng(1);
  game.Reset(&rng);
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(game.Step(kNoop, &rng).game_over);
  EXPECT_EQ(game.state().oxygen, Seaquest::kMaxOxygen);  // no drain at the surface
}

TEST(SeaquestTest, SurfacingWithDiversRefillsOxygenAndSpeedsUpTheSea) {
  Seaquest game = Quiet();
  Rng rng(1);
  game.mutable_state().sub_row = 1;
  game.mutable_state().divers = 3;
  game.mutable_state().oxygen = 40;
  const GameStep step = game.Step(kUp, &rng);
  EXPECT_FALSE(step.game_over);
  EXPECT_EQ(step.reward, 0.0);
  EXPECT_EQ(game.state().oxygen, Seaquest::kMaxOxygen);
  EXPECT_EQ(game.state().divers, 2);
  EXPECT_EQ(game.difficulty(), 1);
  // The ramp: sooner enemy moves, spawns and shots, down to fixed floors.
  EXPECT_EQ(Seaquest::EnemyMovePeriod(0), 5);
  EXPECT_EQ(Seaquest::EnemyMovePeriod(2), 4);
  EXPECT_EQ(Seaquest::EnemyMovePeriod(100), 1);
  EXPECT_LT(Seaquest::EnemySpawnPeriod(3), Seaquest::EnemySpawnPeriod(0));
  EXPECT_LT(Seaquest::EnemyShotPeriod(3), Seaquest::EnemyShotPeriod(0));
  EXPECT_EQ(Seaquest::EnemySpawnPeriod(100), 5);
  EXPECT_EQ(Seaquest::EnemyShotPeriod(100), 6);
}

TEST(SeaquestTest, SurfacingWithSixDiversRescuesThemForABonus) {
  Seaquest game = Quiet();
  Rng rng(1);
  game.mutable_state().sub_row = 1;
  game.mutable_state().divers = 6;
  EXPECT_EQ(game.Step(kUp, &rng).reward, 6.0);
  EXPECT_EQ(game.state().divers, 0);
}

TEST(SeaquestTest, EnemiesAppearAtASideAndMove) {
  Seaquest game = Quiet();
  Rng rng(1);
  game.mutable_state().enemy_spawn_timer = 1;
  game.Step(kNoop, &rng);
  ASSERT_EQ(game.state().enemies.size(), 1u);
  const Seaquest::Mover e = game.state().enemies[0];
  EXPECT_EQ(e.col, e.dir > 0 ? 0 : 9);
  EXPECT_GE(e.row, 1);
  EXPECT_LE(e.row, 8);
  game.mutable_state().enemy_move_timer = 1;
  game.mutable_state().sub_row = e.row == 4 ? 5 : 4;
  game.Step(kNoop, &rng);
  EXPECT_EQ(game.state().enemies[0].col, e.col + e.dir);
}

TEST(SeaquestTest, BoardShowsSubGaugesAndTrails) {
  Seaquest game = Quiet();
  game.mutable_state().facing = 1;
  game.mutable_state().oxygen = 61;  // four gauge cells (rounded up)
  game.mutable_state().divers = 2;
  game.mutable_state().enemies.push_back({2, 3, -1, true, 5});
  game.mutable_state().divers_in_water.push_back({6, 0, 1, false, 0});
  Board board(10);
  game.Draw(&board);
  EXPECT_TRUE(board.Has(4, 5, Seaquest::kSubFront));
  EXPECT_TRUE(board.Has(4, 4, Seaquest::kSubBack));
  EXPECT_TRUE(board.Has(2, 3, Seaquest::kEnemySub));
  EXPECT_TRUE(board.Has(2, 4, Seaquest::kTrail));
  EXPECT_TRUE(board.Has(6, 0, Seaquest::kDiver));
  for (int c = 0; c < 10; ++c) {
    EXPECT_EQ(board.Has(9, c, Seaquest::kOxygenGauge), c < 4) << c;
    EXPECT_EQ(board.Has(9, c, Seaquest::kDiverGauge), c < 2) << c;
  }
}

}  // namespace
}  // namespace calico
