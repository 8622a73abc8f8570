#include "agent/policy_factory.h"

#include <cstdlib>
#include <sstream>
#include <string>

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

}  // namespace
}  // namespace calico
