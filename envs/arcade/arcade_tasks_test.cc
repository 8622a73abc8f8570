#include "envs/arcade/arcade_tasks.h"

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

TEST(ArcadeTasksTest, RegistersTenTasksWithDescriptionsAndTimeLimits) {
  TaskRegistry registry;
  ASSERT_OK(RegisterArcadeTasks(&registry));
  const std::vector<TaskInfo> tasks = registry.List();
  ASSERT_EQ(tasks.size(), 10u);
  std::vector<std::string> names;
  for (const TaskInfo& info : tasks) {
    names.push_back(info.name);
    EXPECT_FALSE(info.description.empty());
    EXPECT_EQ(info.description.find('\n'), std::string::npos);
    EXPECT_EQ(info.episode_steps, info.name.find("freeway") != std::string::npos ? 2500 : 10000) << info.name;
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Environment> env, registry.Make(info.name));
    EXPECT_OK(env->Reset(0));
  }
  EXPECT_EQ(names, ArcadeTaskNames());
  EXPECT_EQ(names[0], "arcade/asterix");
  EXPECT_EQ(names[9], "arcade/space_invaders_pixels");
  EXPECT_THAT(RegisterArcadeTasks(&registry), StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("twice")));
}

TEST(ArcadeTasksTest, ParsesTaskNames) {
  ASSERT_OK_AND_ASSIGN(ArcadeTask board, ParseArcadeTask("arcade/space_invaders"));
  EXPECT_EQ(board.game, "space_invaders");
  EXPECT_EQ(board.observation, ArcadeObservation::kBoard);
  ASSERT_OK_AND_ASSIGN(ArcadeTask pixels, ParseArcadeTask("arcade/seaquest_pixels"));
  EXPECT_EQ(pixels.game, "seaquest");
  EXPECT_EQ(pixels.observation, ArcadeObservation::kPixels);
  EXPECT_THAT(ParseArcadeTask("arcade/pong"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("known games: asterix")));
  EXPECT_THAT(ParseArcadeTask("arcade/_pixels"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("_pixels")));
  EXPECT_THAT(ParseArcadeTask("mujoco/cartpole"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("arcade/<game>")));
  EXPECT_THAT(MakeArcadeEnvironment("arcade/tetris"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("tetris")));
}

TEST(ArcadeTasksTest, ChannelNamesFitTheDiscreteTokenRange) {
  const std::map<std::string, size_t> expected = {
      {"asterix", 4}, {"breakout", 4}, {"freeway", 7}, {"seaquest", 10}, {"space_invaders", 6}};
  for (const auto& [game, count] : expected) {
    ASSERT_OK_AND_ASSIGN(std::vector<std::string> names, ArcadeChannelNames(game));
    EXPECT_EQ(names.size(), count) << game;
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<GridGame> made, MakeGridGame(game));
    EXPECT_EQ(made->name(), game);
  }
  EXPECT_THAT(ArcadeChannelNames("pacman"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("pacman")));
}

}  // namespace
}  // namespace calico
