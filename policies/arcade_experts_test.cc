#include "policies/arcade_experts.h"

#include "base/status_matchers.h"
#include "envs/arcade/arcade_tasks.h"
#include "envs/arcade/asterix.h"
#include "envs/arcade/breakout.h"
#include "envs/arcade/freeway.h"
#include "envs/arcade/seaquest.h"
#include "envs/arcade/space_invaders.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policies/random_policy.h"
#include "policies/rollout.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

// An environment for `task` whose episodes stop after `max_steps` (to keep tests short).
std::unique_ptr<ArcadeEnvironment> ShortEnv(const std::string& task, int64_t max_steps) {
  const ArcadeTask parsed = ParseArcadeTask(task).value();
  ArcadeOptions options;
  options.observation = parsed.observation;
  options.max_steps = max_steps;
  return std::make_unique<ArcadeEnvironment>(MakeGridGame(parsed.game).value(), options);
}

double MeanReturn(Environment& env, Policy& policy, int episodes) {
  double total = 0;
  for (int seed = 0; seed < episodes; ++seed) total += RunEpisode(env, policy, seed).value().episode_return;
  return total / episodes;
}

// The expert's action for a hand-made board, as the first step of an episode.
int ActOn(const std::string& task, const Board& board) {
  auto expert = MakeArcadeExpert(task).value();
  expert->Reset(0);
  TimeStep step;
  step.observation["board"] = BoardToArray(board);
  return expert->Act(step).value().at("action").ints[0];
}

TEST(ArcadeExpertsTest, EveryTaskHasAnExpertWhoseActionsFitTheSpec) {
  for (const std::string& task : ArcadeTaskNames()) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Policy> expert, MakeArcadeExpert(task));
    auto env = ShortEnv(task, 200);
    EXPECT_OK(RunEpisode(*env, *expert, 1, [&](const TimeStep&, const NamedArrays* action) {
      return action == nullptr ? absl::OkStatus() : CheckArrays(env->action_spec(), *action, "action");
    })) << task;
  }
  EXPECT_THAT(MakeArcadeExpert("arcade/pong"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("pong")));
  EXPECT_THAT(MakeArcadeExpert("mujoco/cartpole"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("arcade")));
}

TEST(ArcadeExpertsTest, ExpertsBeatRandomByAWideMargin) {
  for (const std::string& game : ArcadeGameNames()) {
    const std::string task = "arcade/" + game;
    auto env = ShortEnv(task, 1500);
    auto expert = MakeArcadeExpert(task).value();
    auto random = RandomPolicy::Create(env->action_spec()).value();
    const double expert_mean = MeanReturn(*env, *expert, 3);
    const double random_mean = MeanReturn(*env, *random, 3);
    EXPECT_GE(expert_mean, 10 * random_mean + 10) << game << ": expert " << expert_mean << ", random " << random_mean;
  }
}

TEST(ArcadeExpertsTest, PixelsExpertPlaysExactlyLikeTheBoardExpert) {
  for (const std::string& game : ArcadeGameNames()) {
    auto board_env = ShortEnv("arcade/" + game, 600);
    auto pixels_env = ShortEnv("arcade/" + game + "_pixels", 600);
    auto board_expert = MakeArcadeExpert("arcade/" + game).value();
    auto pixels_expert = MakeArcadeExpert("arcade/" + game + "_pixels").value();
    std::vector<int> board_actions, pixels_actions;
    auto record = [](std::vector<int>* actions) {
      return [actions](const TimeStep&, const NamedArrays* action) {
        if (action != nullptr) actions->push_back(action->at("action").ints[0]);
        return absl::OkStatus();
      };
    };
    ASSERT_OK(RunEpisode(*board_env, *board_expert, 3, record(&board_actions)));
    ASSERT_OK(RunEpisode(*pixels_env, *pixels_expert, 3, record(&pixels_actions)));
    EXPECT_EQ(board_actions, pixels_actions) << game;
  }
}

TEST(ArcadeExpertsTest, ExpertRejectsAnObservationItCannotRead) {
  auto expert = MakeArcadeExpert("arcade/breakout_pixels").value();
  expert->Reset(0);
  TimeStep step;
  step.observation["board"] = BoardToArray(Board(4));
  EXPECT_THAT(expert->Act(step), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'pixels'")));
  step.observation["pixels"] = Array::Uint8({16, 16, 3}, std::vector<uint8_t>(768));
  EXPECT_THAT(expert->Act(step), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("[80, 80, 3]")));
}

TEST(ArcadeExpertsTest, BreakoutExpertHeadsForWhereTheBallWillLand) {
  Board board(4);
  board.Set(9, 2, Breakout::kPaddle);
  board.Set(5, 5, Breakout::kBall);
  board.Set(4, 4, Breakout::kTrail);  // falling down-right: it lands at column 9
  EXPECT_EQ(ActOn("arcade/breakout", board), kRight);
  Board mirrored(4);
  mirrored.Set(9, 8, Breakout::kPaddle);
  mirrored.Set(5, 5, Breakout::kBall);
  mirrored.Set(4, 6, Breakout::kTrail);  // falling down-left: lands at column 1
  EXPECT_EQ(ActOn("arcade/breakout", mirrored), kLeft);
}

TEST(ArcadeExpertsTest, FreewayExpertWaitsForACarAboutToPass) {
  Board board(7);
  board.Set(9, Freeway::kChickenCol, Freeway::kChicken);
  for (int row = 1; row <= 8; ++row) {
    board.Set(row, 5, Freeway::kCar);
    board.Set(row, 4, Freeway::kSpeed1 + 4);  // slow and just past the chicken's column
  }
  EXPECT_EQ(ActOn("arcade/freeway", board), kUp);
  // A fast car right next to the chicken's column in row 8 moves in on the next frame.
  board.set_mask(8, 5, 0);
  board.set_mask(8, 4, 0);
  board.Set(8, 3, Freeway::kCar);
  board.Set(8, 2, Freeway::kSpeed1);
  EXPECT_NE(ActOn("arcade/freeway", board), kUp);
}

TEST(ArcadeExpertsTest, SpaceInvadersExpertStepsAsideFromAFallingBullet) {
  Board board(6);
  board.Set(9, 5, SpaceInvaders::kCannon);
  board.Set(0, 5, SpaceInvaders::kAlien);
  board.Set(0, 5, SpaceInvaders::kAlienLeft);
  board.Set(7, 5, SpaceInvaders::kEnemyBullet);
  const int action = ActOn("arcade/space_invaders", board);
  EXPECT_TRUE(action == kLeft || action == kRight) << action;
  board.set_mask(7, 5, 0);  // no bullet: shoot the alien overhead
  EXPECT_EQ(ActOn("arcade/space_invaders", board), kFire);
}

TEST(ArcadeExpertsTest, AsterixExpertGetsOutOfAnEnemysWay) {
  Board board(4);
  board.Set(5, 5, Asterix::kPlayer);
  board.Set(5, 6, Asterix::kEnemy);
  board.Set(5, 7, Asterix::kTrail);  // coming left, one cell away
  const int action = ActOn("arcade/asterix", board);
  EXPECT_TRUE(action == kUp || action == kDown) << action;
}

TEST(ArcadeExpertsTest, SeaquestExpertSurfacesWhenOxygenRunsLowWithADiver) {
  Board board(10);
  board.Set(6, 4, Seaquest::kSubFront);
  board.Set(6, 5, Seaquest::kSubBack);
  board.Set(9, 0, Seaquest::kOxygenGauge);  // at most 20 units left
  board.Set(9, 0, Seaquest::kDiverGauge);   // one diver aboard
  board.Set(6, 0, Seaquest::kEnemyFish);    // a target it must ignore now
  EXPECT_EQ(ActOn("arcade/seaquest", board), kUp);
  for (int c = 1; c < 10; ++c) board.Set(9, c, Seaquest::kOxygenGauge);  // plenty: hunt instead
  EXPECT_EQ(ActOn("arcade/seaquest", board), kFire);
}

}  // namespace
}  // namespace calico
