#include "agent/policy_factory.h"

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "base/status_matchers.h"
#include "envs/all_tasks.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policies/test_models.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

constexpr char kTextModel[] = "tokenizers/text/calico_text.model";

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

TEST(CheckpointPolicyFactoryTest, RunsSeededEpisodesIndependentOfThreads) {
  const std::string path = TempPath("factory_nano.ckpt");
  ASSERT_OK(WriteRandomCheckpoint("nano", 3, path).status());
  CheckpointPolicyOptions options;
  options.text_model_path = kTextModel;
  options.policy.temperature = 1.0;
  options.policy.context_length = 256;
  ASSERT_OK_AND_ASSIGN(PolicyFactory factory, MakeCheckpointPolicyFactory(path, options));
  EpisodeRunnerOptions run;
  run.task = "arcade/breakout";
  run.episodes = 3;
  run.first_seed = 10;
  run.threads = 2;
  std::ostringstream progress;
  ASSERT_OK_AND_ASSIGN(EpisodeRunnerReport two, RunEpisodes(AllTasks(), factory, run, &progress));
  run.threads = 1;
  ASSERT_OK_AND_ASSIGN(EpisodeRunnerReport one, RunEpisodes(AllTasks(), factory, run, nullptr));
  ASSERT_EQ(two.episodes.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_GT(two.episodes[i].steps, 0);
    EXPECT_EQ(two.episodes[i].steps, one.episodes[i].steps) << i;
    EXPECT_EQ(two.episodes[i].episode_return, one.episodes[i].episode_return) << i;
  }
  // The batched form (one TransformerActor for all three) acts the same.
  ASSERT_OK_AND_ASSIGN(CheckpointPolicies both, MakeCheckpointPolicies(path, options));
  ASSERT_OK_AND_ASSIGN(EpisodeRunnerReport batched, RunEpisodesBatched(AllTasks(), both.batched, 3, run, nullptr));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(batched.episodes[i].steps, one.episodes[i].steps) << i;
    EXPECT_EQ(batched.episodes[i].episode_return, one.episodes[i].episode_return) << i;
  }
}

TEST(CheckpointPolicyFactoryTest, BadCheckpointOrTextModelFailsBeforeAnyEpisode) {
  CheckpointPolicyOptions options;
  options.text_model_path = kTextModel;
  const std::string missing = TempPath("missing/none.ckpt");
  absl::Status st = MakeCheckpointPolicyFactory(missing, options).status();
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(std::string(st.message()), HasSubstr(missing));

  const std::string path = TempPath("factory_nano2.ckpt");
  ASSERT_OK(WriteRandomCheckpoint("nano", 3, path).status());
  options.text_model_path = TempPath("missing/text.model");
  st = MakeCheckpointPolicyFactory(path, options).status();
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(std::string(st.message()), HasSubstr("missing/text.model"));
}

TEST(CheckpointPolicyFactoryTest, TaskTheModelCannotHoldIsAnErrorNamingIt) {
  const std::string path = TempPath("factory_nano3.ckpt");
  ASSERT_OK(WriteRandomCheckpoint("nano", 3, path).status());
  CheckpointPolicyOptions options;
  options.text_model_path = kTextModel;
  options.policy.context_length = 50;  // a breakout timestep is 102 positions
  ASSERT_OK_AND_ASSIGN(PolicyFactory factory, MakeCheckpointPolicyFactory(path, options));
  EpisodeRunnerOptions run;
  run.task = "arcade/breakout";
  EXPECT_THAT(RunEpisodes(AllTasks(), factory, run, nullptr).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("arcade/breakout")));
}

// The first `steps` actions a policy from `factory` takes in `task` (environment seed 5)
// when reset with `policy_seed`.
std::vector<int32_t> FirstActions(const PolicyFactory& factory, const std::string& task, uint64_t policy_seed,
                                  int steps) {
  std::vector<int32_t> actions;
  absl::StatusOr<std::unique_ptr<Environment>> env = AllTasks().Make(task);
  EXPECT_OK(env.status());
  if (!env.ok()) return actions;
  absl::StatusOr<std::unique_ptr<Policy>> policy = factory(task, **env);
  EXPECT_OK(policy.status());
  if (!policy.ok()) return actions;
  (*policy)->Reset(policy_seed);
  absl::StatusOr<TimeStep> timestep = (*env)->Reset(5);
  for (int i = 0; i < steps && timestep.ok() && !timestep->last(); ++i) {
    absl::StatusOr<NamedArrays> action = (*policy)->Act(*timestep);
    EXPECT_OK(action.status());
    if (!action.ok()) break;
    for (const auto& [key, value] : *action) actions.insert(actions.end(), value.ints.begin(), value.ints.end());
    timestep = (*env)->Step(*action);
  }
  EXPECT_OK(timestep.status());
  return actions;
}

TEST(CheckpointPolicyFactoryTest, PerTaskTemperatureReplacesTheCommonOne) {
  const std::string path = TempPath("factory_nano4.ckpt");
  ASSERT_OK(WriteRandomCheckpoint("nano", 3, path).status());
  CheckpointPolicyOptions options;
  options.text_model_path = kTextModel;
  options.policy.temperature = 1e6;  // every valid action equally likely
  options.policy.context_length = 256;
  options.temperatures["arcade/breakout"] = 0.0;  // another task's: no effect on freeway
  ASSERT_OK_AND_ASSIGN(PolicyFactory sampled, MakeCheckpointPolicyFactory(path, options));
  const std::vector<int32_t> a = FirstActions(sampled, "arcade/freeway", 1, 40);
  const std::vector<int32_t> b = FirstActions(sampled, "arcade/freeway", 2, 40);
  ASSERT_EQ(a.size(), 40u);
  EXPECT_NE(a, b);  // uniform over the actions: 40 equal draws by chance are vanishingly rare

  options.temperatures["arcade/freeway"] = 0.0;
  ASSERT_OK_AND_ASSIGN(PolicyFactory greedy, MakeCheckpointPolicyFactory(path, options));
  const std::vector<int32_t> c = FirstActions(greedy, "arcade/freeway", 1, 40);
  ASSERT_EQ(c.size(), 40u);
  EXPECT_EQ(c, FirstActions(greedy, "arcade/freeway", 2, 40));  // greedy: the seed does not enter
  // The batched form reads the same table: greedy there too, whatever the slot's seed,
  // and the same actions as the single form.
  ASSERT_OK_AND_ASSIGN(CheckpointPolicies both, MakeCheckpointPolicies(path, options));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Environment> env, AllTasks().Make("arcade/freeway"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BatchPolicy> actor, both.batched("arcade/freeway", *env, 2));
  actor->Reset(0, 1);
  actor->Reset(1, 2);
  ASSERT_OK_AND_ASSIGN(TimeStep timestep, env->Reset(5));
  for (int i = 0; i < 40; ++i) {
    ASSERT_OK_AND_ASSIGN(std::vector<NamedArrays> actions, actor->Act({0, 1}, {&timestep, &timestep}));
    ASSERT_EQ(actions.size(), 2u);
    EXPECT_EQ(actions[0].at("action").ints, std::vector<int32_t>{c[i]}) << i;
    EXPECT_EQ(actions[1].at("action").ints, std::vector<int32_t>{c[i]}) << i;
    ASSERT_OK_AND_ASSIGN(timestep, env->Step(actions[0]));
  }
}

}  // namespace
}  // namespace calico
