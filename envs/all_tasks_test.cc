#include "envs/all_tasks.h"

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policies/experts.h"
#include "policies/rollout.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

TEST(AllTasksTest, EveryTaskRunsAndHasStoredReferences) {
  const std::vector<TaskInfo> tasks = AllTasks().List();
  ASSERT_EQ(tasks.size(), 26u);  // 8 MuJoCo tasks and their _pixels variants, 5 games and theirs
  for (const TaskInfo& info : tasks) {
    SCOPED_TRACE(info.name);
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Environment> env, AllTasks().Make(info.name));
    ASSERT_OK_AND_ASSIGN(TimeStep first, env->Reset(7));
    EXPECT_TRUE(first.first());
    EXPECT_OK(CheckArrays(env->observation_spec(), first.observation, "observation"));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Policy> random, MakeNamedPolicy("random", info.name, env->action_spec()));
    random->Reset(7);
    for (int i = 0; i < 3; ++i) {
      ASSERT_OK_AND_ASSIGN(NamedArrays action, random->Act(first));
      ASSERT_OK_AND_ASSIGN(first, env->Step(action));
      EXPECT_OK(CheckArrays(env->observation_spec(), first.observation, "observation"));
    }
    ASSERT_OK(MakeExpert(info.name).status());
    ASSERT_OK_AND_ASSIGN(ReferenceReturns refs, ReferencesFor(info.name));
    EXPECT_GT(refs.expert_mean, refs.random_mean);
    EXPECT_GE(refs.episodes, 50);
  }
}

TEST(AllTasksTest, PixelTasksShareTheirStateTaskReferences) {
  EXPECT_EQ(StateTaskName("mujoco/cartpole_swingup_pixels"), "mujoco/cartpole_swingup");
  EXPECT_EQ(StateTaskName("arcade/breakout"), "arcade/breakout");
  ASSERT_OK_AND_ASSIGN(ReferenceReturns a, ReferencesFor("arcade/freeway_pixels"));
  ASSERT_OK_AND_ASSIGN(ReferenceReturns b, ReferencesFor("arcade/freeway"));
  EXPECT_EQ(a.expert_mean, b.expert_mean);
  EXPECT_THAT(ReferencesFor("mujoco/nothing"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("'mujoco/nothing'")));
  EXPECT_THAT(MakeNamedPolicy("clever", "arcade/breakout", {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'expert' or 'random'")));
}

}  // namespace
}  // namespace calico
