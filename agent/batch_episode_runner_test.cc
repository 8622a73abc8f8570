#include "agent/batch_episode_runner.h"

#include <cstdlib>
#include <sstream>

#include "agent/test_envs.h"
#include "base/file_io.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policies/test_models.h"
#include "policies/transformer_policy.h"

namespace calico {
namespace {

using ::testing::HasSubstr;
using test_envs::Registry;
using test_envs::Seeded;

// A BatchPolicyFactory of independent single policies from `make`.
BatchPolicyFactory Batched(PolicyFactory make) {
  return [make](const std::string& task, const Environment& env,
                int num_envs) -> absl::StatusOr<std::unique_ptr<BatchPolicy>> {
    std::vector<std::unique_ptr<Policy>> policies;
    for (int i = 0; i < num_envs; ++i) {
      ASSIGN_OR_RETURN(std::unique_ptr<Policy> policy, make(task, env));
      policies.push_back(std::move(policy));
    }
    return std::unique_ptr<BatchPolicy>(std::make_unique<PolicyBatch>(std::move(policies)));
  };
}

TEST(BatchEpisodeRunnerTest, MatchesOneEpisodeAtATimeForEveryBatchAndThreadCount) {
  const TaskRegistry registry = Registry();
  EpisodeRunnerOptions options;
  options.task = "test/noisy";
  options.episodes = 11;
  options.first_seed = 100;
  options.threads = 1;
  ASSERT_OK_AND_ASSIGN(EpisodeRunnerReport single, RunEpisodes(registry, Seeded(), options, nullptr));
  for (int batch : {1, 3, 11, 64}) {
    for (int threads : {1, 2, 3}) {
      SCOPED_TRACE(testing::Message() << "batch " << batch << " threads " << threads);
      options.threads = threads;
      std::ostringstream progress;
      ASSERT_OK_AND_ASSIGN(EpisodeRunnerReport batched,
                           RunEpisodesBatched(registry, Batched(Seeded()), batch, options, &progress));
      ASSERT_EQ(batched.episodes.size(), 11u);
      for (int i = 0; i < 11; ++i) {
        EXPECT_EQ(batched.episodes[i].episode_return, single.episodes[i].episode_return) << "episode " << i;
        EXPECT_EQ(batched.episodes[i].steps, 5 + (100 + i) % 4);
      }
      EXPECT_EQ(batched.total_steps, single.total_steps);
      EXPECT_DOUBLE_EQ(batched.mean_return, single.mean_return);
      EXPECT_DOUBLE_EQ(batched.stddev_return, single.stddev_return);
      EXPECT_THAT(progress.str(), HasSubstr("episode 11/11"));
    }
  }
}

TEST(BatchEpisodeRunnerTest, HooksSeeEveryStepAndTheFirstEpisodeIsRecorded) {
  const TaskRegistry registry = Registry();
  EpisodeRunnerOptions options;
  options.task = "test/noisy";
  options.episodes = 4;
  options.first_seed = 2;  // episode 0 has 7 steps: 8 frames
  options.video_path = std::string(std::getenv("TEST_TMPDIR")) + "/batched.gif";
  options.video_height = 16;
  options.video_width = 24;
  std::mutex mu;
  std::map<uint64_t, int> steps_seen, last_seen;
  options.on_step = [&](uint64_t seed, const TimeStep& timestep, const NamedArrays* action) -> absl::Status {
    std::lock_guard<std::mutex> lock(mu);
    ++steps_seen[seed];
    if (action == nullptr) ++last_seen[seed];
    EXPECT_EQ(action == nullptr, timestep.last());
    return absl::OkStatus();
  };
  ASSERT_OK(RunEpisodesBatched(registry, Batched(Seeded()), 3, options, nullptr).status());
  for (uint64_t seed = 2; seed < 6; ++seed) {
    EXPECT_EQ(steps_seen[seed], 5 + static_cast<int>(seed % 4) + 1) << "seed " << seed;
    EXPECT_EQ(last_seen[seed], 1) << "seed " << seed;
  }
  EXPECT_EQ(test_envs::CountGifFrames(options.video_path), 8);
}

// As RunEpisodes: a video that cannot be written at the end loses only the video.
TEST(BatchEpisodeRunnerTest, AVideoLostAtTheEndKeepsTheResults) {
  const TaskRegistry registry = Registry();
  EpisodeRunnerOptions options;
  options.task = "test/noisy";
  options.episodes = 4;
  options.video_path = std::string(std::getenv("TEST_TMPDIR")) + "/lost_batched.gif";
  options.video_height = 16;
  options.video_width = 24;
  options.on_step = [&](uint64_t, const TimeStep&, const NamedArrays*) {
    return MakeDirectories(options.video_path);
  };
  ASSERT_OK_AND_ASSIGN(EpisodeRunnerReport lost, RunEpisodesBatched(registry, Batched(Seeded()), 3, options, nullptr));
  EXPECT_THAT(lost.video_error, HasSubstr("lost_batched.gif"));
  options.video_path.clear();
  options.on_step = nullptr;
  ASSERT_OK_AND_ASSIGN(EpisodeRunnerReport plain, RunEpisodesBatched(registry, Batched(Seeded()), 3, options, nullptr));
  ASSERT_EQ(lost.episodes.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(lost.episodes[i].episode_return, plain.episodes[i].episode_return);
}

TEST(BatchEpisodeRunnerTest, ErrorsNameTaskAndSeed) {
  const TaskRegistry registry = Registry();
  EpisodeRunnerOptions options;
  options.task = "test/noisy";
  options.episodes = 20;
  EXPECT_THAT(RunEpisodesBatched(registry, Batched(Seeded()), 4, options, nullptr),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("test/noisy seed 13: seed 13 is cursed")));
  EXPECT_THAT(RunEpisodesBatched(registry, Batched(test_envs::Constant(2)), 4, options, nullptr),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("action 'x'")));
  EXPECT_THAT(RunEpisodesBatched(registry, Batched(Seeded()), 0, options, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("batch is 0")));
  options.task = "test/other";
  EXPECT_THAT(RunEpisodesBatched(registry, Batched(Seeded()), 4, options, nullptr),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("known tasks: test/noisy")));
}

// A batch policy whose every Act fails.
class FailingBatchPolicy final : public BatchPolicy {
 public:
  explicit FailingBatchPolicy(int n) : n_(n) {}
  int num_envs() const override { return n_; }
  void Reset(int, uint64_t) override {}
  absl::StatusOr<std::vector<NamedArrays>> Act(const std::vector<int>&, const std::vector<const TimeStep*>&) override {
    return absl::ResourceExhaustedError("out of cache");
  }

 private:
  int n_;
};

TEST(BatchEpisodeRunnerTest, AFailedBatchCallNamesEverySeedInIt) {
  const TaskRegistry registry = Registry();
  EpisodeRunnerOptions options;
  options.task = "test/noisy";
  options.episodes = 5;
  options.first_seed = 20;
  BatchPolicyFactory failing = [](const std::string&, const Environment&,
                                  int n) -> absl::StatusOr<std::unique_ptr<BatchPolicy>> {
    return std::make_unique<FailingBatchPolicy>(n);
  };
  EXPECT_THAT(RunEpisodesBatched(registry, failing, 3, options, nullptr),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("test/noisy (one decode batch of seeds 20, 21, 22): out of cache")));
  EXPECT_THAT(RunEpisodesBatched(registry, failing, 1, options, nullptr),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("test/noisy seed 20: out of cache")));
}

// A batch policy that answers one action fewer than it was asked for.
class ShortChangingPolicy final : public BatchPolicy {
 public:
  int num_envs() const override { return 4; }
  void Reset(int, uint64_t) override {}
  absl::StatusOr<std::vector<NamedArrays>> Act(const std::vector<int>& envs,
                                               const std::vector<const TimeStep*>&) override {
    return std::vector<NamedArrays>(envs.size() - 1);
  }
};

TEST(BatchEpisodeRunnerTest, APolicyReturningTooFewActionsIsAnErrorNotACrash) {
  const TaskRegistry registry = Registry();
  EpisodeRunnerOptions options;
  options.task = "test/noisy";
  options.episodes = 4;
  BatchPolicyFactory factory = [](const std::string&, const Environment&,
                                  int) -> absl::StatusOr<std::unique_ptr<BatchPolicy>> {
    return std::unique_ptr<BatchPolicy>(std::make_unique<ShortChangingPolicy>());
  };
  EXPECT_THAT(RunEpisodesBatched(registry, factory, 4, options, nullptr),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("returned 3 actions for 4 environments")));
}

// The transformer actor in the runner: the same returns as one TransformerPolicy per
// episode, with a random nano model that samples, and a context small enough to drop
// timesteps.
TEST(BatchEpisodeRunnerTest, TransformerActorMatchesSinglePolicies) {
  const TaskRegistry registry = Registry();
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const Transformer> model, RandomPresetModel("nano", 5));
  TransformerPolicyOptions policy_options;
  policy_options.temperature = 1.0;
  policy_options.seed = 3;
  policy_options.context_length = 10;  // a timestep is 3 positions
  EpisodeRunnerOptions options;
  options.task = "test/noisy";
  options.episodes = 7;
  options.first_seed = 14;  // past the cursed seed 13
  PolicyFactory single = [&](const std::string& task, const Environment& env) {
    return MakeTransformerPolicy(model, task, env.observation_spec(), env.action_spec(), nullptr, policy_options);
  };
  BatchPolicyFactory batched = [&](const std::string& task, const Environment& env,
                                   int num_envs) -> absl::StatusOr<std::unique_ptr<BatchPolicy>> {
    ASSIGN_OR_RETURN(std::unique_ptr<TransformerActor> actor,
                     TransformerActor::Create(model, task, env.observation_spec(), env.action_spec(), nullptr,
                                              policy_options, num_envs));
    return std::unique_ptr<BatchPolicy>(std::move(actor));
  };
  ASSERT_OK_AND_ASSIGN(EpisodeRunnerReport one, RunEpisodes(registry, single, options, nullptr));
  ASSERT_OK_AND_ASSIGN(EpisodeRunnerReport all, RunEpisodesBatched(registry, batched, 3, options, nullptr));
  EXPECT_NE(one.episodes[0].episode_return, one.episodes[1].episode_return);
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(all.episodes[i].episode_return, one.episodes[i].episode_return) << "episode " << i;
    EXPECT_EQ(all.episodes[i].steps, one.episodes[i].steps) << "episode " << i;
  }
}

}  // namespace
}  // namespace calico
