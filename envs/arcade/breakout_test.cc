#include "envs/arcade/breakout.h"

#include "gtest/gtest.h"

namespace calico {
namespace {

// A started game with no bricks, so each test places only what it needs.
Breakout EmptyGame() {
  Breakout game;
  Rng rng(1);
  game.Reset(&rng);
  for (auto& row : game.mutable_state().bricks) row.fill(false);
  game.mutable_state().bricks[0][0] = true;  // one far-away brick keeps the wall from refilling
  return game;
}

void PlaceBall(Breakout* game, int row, int col, int dr, int dc) {
  Breakout::State& s = game->mutable_state();
  s.ball_row = row;
  s.ball_col = col;
  s.ball_dr = dr;
  s.ball_dc = dc;
}

TEST(BreakoutTest, ResetBuildsTheWallAndDropsTheBallFromACorner) {
  Breakout game;
  Rng rng(3);
  game.Reset(&rng);
  const Breakout::State& s = game.state();
  for (int r = 0; r < kGridSize; ++r) {
    for (int c = 0; c < kGridSize; ++c) EXPECT_EQ(s.bricks[r][c], r >= 1 && r <= 3) << r << "," << c;
  }
  EXPECT_EQ(s.ball_row, 4);
  EXPECT_TRUE(s.ball_col == 0 || s.ball_col == 9);
  EXPECT_EQ(s.ball_dr, 1);
  EXPECT_EQ(s.ball_dc, s.ball_col == 0 ? 1 : -1);
}

TEST(BreakoutTest, PaddleMovesLeftAndRightAndStopsAtTheWalls) {
  Breakout game = EmptyGame();
  Rng rng(1);
  PlaceBall(&game, 2, 5, -1, 1);  // out of the way
  game.Step(kLeft, &rng);
  EXPECT_EQ(game.state().paddle_col, 3);
  game.Step(kRight, &rng);
  game.Step(kRight, &rng);
  EXPECT_EQ(game.state().paddle_col, 5);
  game.Step(kUp, &rng);  // no use in breakout
  game.Step(kFire, &rng);
  EXPECT_EQ(game.state().paddle_col, 5);
  game.mutable_state().paddle_col = 0;
  PlaceBall(&game, 2, 5, -1, 1);
  game.Step(kLeft, &rng);
  EXPECT_EQ(game.state().paddle_col, 0);
}

TEST(BreakoutTest, BallMovesDiagonallyAndBouncesOffSideWallsAndCeiling) {
  Breakout game = EmptyGame();
  Rng rng(1);
  PlaceBall(&game, 5, 4, -1, 1);
  game.Step(kNoop, &rng);
  EXPECT_EQ(game.state().ball_row, 4);
  EXPECT_EQ(game.state().ball_col, 5);
  PlaceBall(&game, 5, 9, -1, 1);  // at the right wall, heading right
  game.Step(kNoop, &rng);
  EXPECT_EQ(game.state().ball_col, 8);
  EXPECT_EQ(game.state().ball_dc, -1);
  EXPECT_EQ(game.state().ball_row, 4);
  PlaceBall(&game, 0, 4, -1, -1);  // at the ceiling, heading up
  game.Step(kNoop, &rng);
  EXPECT_EQ(game.state().ball_row, 1);
  EXPECT_EQ(game.state().ball_dr, 1);
  EXPECT_EQ(game.state().ball_col, 3);
}

TEST(BreakoutTest, HittingABrickBreaksItScoresOneAndBouncesTheBall) {
  Breakout game = EmptyGame();
  Rng rng(1);
  game.mutable_state().bricks[3][5] = true;
  PlaceBall(&game, 4, 4, -1, 1);
  const GameStep step = game.Step(kNoop, &rng);
  EXPECT_EQ(step.reward, 1.0);
  EXPECT_FALSE(step.game_over);
  EXPECT_FALSE(game.state().bricks[3][5]);
  EXPECT_EQ(game.state().ball_row, 4);  // it bounced back from where it was
  EXPECT_EQ(game.state().ball_col, 4);
  EXPECT_EQ(game.state().ball_dr, 1);
  const GameStep next = game.Step(kNoop, &rng);
  EXPECT_EQ(next.reward, 0.0);
  EXPECT_EQ(game.state().ball_row, 5);
  EXPECT_EQ(game.state().ball_col, 5);
}

TEST(BreakoutTest, BreakingTheLastBrickRebuildsTheWall) {
  Breakout game = EmptyGame();
  Rng rng(1);
  game.mutable_state().bricks[0][0] = false;
  game.mutable_state().bricks[2][2] = true;
  PlaceBall(&game, 3, 1, -1, 1);
  EXPECT_EQ(game.Step(kNoop, &rng).reward, 1.0);
  EXPECT_EQ(game.state().walls_cleared, 1);
  EXPECT_TRUE(game.state().bricks[1][0]);
  EXPECT_TRUE(game.state().bricks[3][9]);
}

TEST(BreakoutTest, PaddleUnderTheFallingBallSendsItUp) {
  Breakout game = EmptyGame();
  Rng rng(1);
  game.mutable_state().paddle_col = 5;
  PlaceBall(&game, 8, 4, 1, 1);
  GameStep step = game.Step(kNoop, &rng);
  EXPECT_FALSE(step.game_over);
  EXPECT_EQ(game.state().ball_row, 8);
  EXPECT_EQ(game.state().ball_col, 5);  // slid over the paddle
  EXPECT_EQ(game.state().ball_dr, -1);
  EXPECT_EQ(game.state().ball_dc, 1);
  game.Step(kNoop, &rng);
  EXPECT_EQ(game.state().ball_row, 7);
  EXPECT_EQ(game.state().ball_col, 6);
}

TEST(BreakoutTest, BallCaughtOnThePaddleEdgeGoesBackTheWayItCame) {
  Breakout game = EmptyGame();
  Rng rng(1);
  game.mutable_state().paddle_col = 4;
  PlaceBall(&game, 8, 4, 1, 1);
  EXPECT_FALSE(game.Step(kNoop, &rng).game_over);
  EXPECT_EQ(game.state().ball_col, 4);
  EXPECT_EQ(game.state().ball_dr, -1);
  EXPECT_EQ(game.state().ball_dc, -1);
}

TEST(BreakoutTest, MissingTheBallEndsTheGame) {
  Breakout game = EmptyGame();
  Rng rng(1);
  game.mutable_state().paddle_col = 0;
  PlaceBall(&game, 8, 4, 1, 1);
  const GameStep step = game.Step(kNoop, &rng);
  EXPECT_TRUE(step.game_over);
  EXPECT_EQ(game.state().ball_row, 9);
  EXPECT_EQ(game.state().ball_col, 5);
}

TEST(BreakoutTest, BoardShowsPaddleBallTrailAndBricks) {
  Breakout game = EmptyGame();
  game.mutable_state().paddle_col = 2;
  PlaceBall(&game, 5, 5, 1, -1);
  Board board(4);
  game.Draw(&board);
  EXPECT_TRUE(board.Has(9, 2, Breakout::kPaddle));
  EXPECT_TRUE(board.Has(5, 5, Breakout::kBall));
  EXPECT_TRUE(board.Has(4, 6, Breakout::kTrail));  // behind a ball heading down-left
  EXPECT_TRUE(board.Has(0, 0, Breakout::kBrick));
  int on = 0;
  for (int r = 0; r < kGridSize; ++r) {
    for (int c = 0; c < kGridSize; ++c) on += board.mask(r, c) != 0;
  }
  EXPECT_EQ(on, 4);
  EXPECT_EQ(game.channel_names(), (std::vector<std::string>{"paddle", "ball", "trail", "brick"}));
}

}  // namespace
}  // namespace calico
