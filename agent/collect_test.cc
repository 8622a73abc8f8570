#include "agent/collect.h"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "base/file_io.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// Episodes of 3 + seed % 3 steps; reward 1 per step times the action, so a policy's
// return is predictable.
class CountEnv : public Environment {
 public:
  CountEnv() {
    obs_["count"] = {"count", {1}, DType::kInt32, {0}, {100}};
    act_["go"] = {"go", {}, DType::kInt32, {0}, {1}};
  }
  const SpecMap& observation_spec() const override { return obs_; }
  const SpecMap& action_spec() const override { return act_; }
  absl::StatusOr<TimeStep> Reset(uint64_t seed) override {
    count_ = 0;
    length_ = 3 + static_cast<int>(seed % 3);
    return Make(StepType::kFirst, 0);
  }
  absl::StatusOr<TimeStep> Step(const NamedArrays& action) override {
    ++count_;
    return Make(count_ == length_ ? StepType::kLast : StepType::kMid, action.at("go").ints[0]);
  }
  absl::StatusOr<Array> Render(int h, int w) override { return absl::UnimplementedError("no video"); }

 private:
  TimeStep Make(StepType type, double reward) {
    TimeStep t;
    t.step_type = type;
    t.reward = reward;
    t.observation["count"] = Array::Int({1}, {count_});
    return t;
  }
  SpecMap obs_, act_;
  int count_ = 0, length_ = 0;
};

class GoPolicy : public Policy {
 public:
  void Reset(uint64_t) override {}
  absl::StatusOr<NamedArrays> Act(const TimeStep& t) override {
    // Go on even seeds' steps only when count is even: returns differ between episodes.
    return NamedArrays{{"go", Array::Int({}, {t.observation.at("count").ints[0] % 2 == 0 ? 1 : 0})}};
  }
};

TaskRegistry Registry() {
  TaskRegistry registry;
  for (const char* name : {"test/count", "test/count2"}) {
    EXPECT_OK(registry.Register({name, "", 5}, []() -> absl::StatusOr<std::unique_ptr<Environment>> {
      return std::make_unique<CountEnv>();
    }));
  }
  return registry;
}

PolicyFactory Go() {
  return [](const std::string&, const Environment&) -> absl::StatusOr<std::unique_ptr<Policy>> {
    return std::make_unique<GoPolicy>();
  };
}

TEST(CollectTest, StoresEverySeededEpisodeOfEveryTask) {
  CollectOptions options;
  options.tasks = {"test/count", "test/count2"};
  options.episodes = 9;
  options.directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/collect");
  options.count_tokens = [](const Episode& e) -> absl::StatusOr<int64_t> { return 3 * e.length() + 1; };
  ASSERT_OK_AND_ASSIGN(CollectReport report, Collect(Registry(), Go(), options, nullptr));
  EXPECT_EQ(report.episodes_kept, 18);
  ASSERT_OK_AND_ASSIGN(Dataset dataset, LoadDataset(options.directory));
  const std::vector<Episode>& episodes = dataset.episodes.at("test/count");
  ASSERT_EQ(episodes.size(), 9u);
  for (size_t i = 0; i < episodes.size(); ++i) {
    EXPECT_EQ(episodes[i].seed, i);
    EXPECT_EQ(episodes[i].length(), 3 + static_cast<int64_t>(i % 3));
    EXPECT_EQ(episodes[i].policy, "expert");
    // Steps with an even count (0, 2, ...) earn 1.
    EXPECT_EQ(episodes[i].episode_return, (episodes[i].length() + 1) / 2);
  }
  EXPECT_EQ(dataset.manifest.tasks(0).steps(), 3 * (3 + 4 + 5));
  EXPECT_EQ(dataset.manifest.tasks(0).tokens(), 3 * (3 + 4 + 5) * 3 + 9);

  options.append = true;
  options.tasks = {"test/count"};
  options.first_seed = 100;
  options.min_return_fraction = 0.9;
  options.references["test/count"] = {0.0, 3.0, 50};
  std::ostringstream progress;
  ASSERT_OK_AND_ASSIGN(CollectReport more, Collect(Registry(), Go(), options, &progress));
  EXPECT_EQ(more.episodes_kept + more.episodes_filtered, 9);
  // Seeds 100..108 give lengths 4, 5, 3, ...: returns 2, 3, 2, ...; only the 3s reach 0.9 * 3.
  EXPECT_EQ(more.episodes_filtered, 6);
  EXPECT_EQ(more.steps, 3 * 5) << "only the kept episodes' steps (three of length 5)";
  EXPECT_THAT(progress.str(), Not(HasSubstr("warning")));

  // Seeds the task has already: collected, with a warning that names them.
  options.first_seed = 5;
  options.min_return_fraction.reset();
  std::ostringstream again;
  ASSERT_OK(Collect(Registry(), Go(), options, &again).status());
  EXPECT_THAT(again.str(), HasSubstr("warning: test/count already has episodes of seeds 0..107 in "));
  EXPECT_THAT(again.str(), HasSubstr("seeds 5..13 meet them"));
}

TEST(CollectTest, ActionNoisePerturbsTheExecutedActionsAndRecordsThePolicys) {
  CollectOptions options;
  options.tasks = {"test/count"};
  options.episodes = 12;
  options.directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/noisy");
  options.action_noise = 0.5;  // each action replaced by a coin flip half the time
  ASSERT_OK(Collect(Registry(), Go(), options, nullptr).status());
  ASSERT_OK_AND_ASSIGN(Dataset dataset, LoadDataset(options.directory));
  const std::vector<Episode>& episodes = dataset.episodes.at("test/count");
  ASSERT_EQ(episodes.size(), 12u);
  int returns_changed = 0;
  for (const Episode& episode : episodes) {
    EXPECT_EQ(episode.policy, "expert+noise0.5");
    // The labels are the policy's own actions: go exactly on even counts.
    for (int64_t t = 0; t < episode.length(); ++t) {
      const int count = episode.steps[t].observation.at("count").ints[0];
      EXPECT_EQ(episode.steps[t].action->at("go").ints[0], count % 2 == 0 ? 1 : 0) << "step " << t;
    }
    // The reward counts executed go actions, which the noise changes (P = 1/4 each).
    returns_changed += episode.episode_return != (episode.length() + 1) / 2;
  }
  EXPECT_GT(returns_changed, 3);
  options.action_noise = 2.0;
  options.directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/too_noisy");
  EXPECT_THAT(Collect(Registry(), Go(), options, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("action noise is 2")));
  options.action_noise = 0.1;
  options.policy_name = "random";
  options.directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/noisy_random");
  EXPECT_THAT(Collect(Registry(), Go(), options, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("with the random policy")));
  EXPECT_FALSE(std::filesystem::exists(options.directory));  // refused before writing
}

// Says go on every step, whatever it sees.
class AlwaysGoPolicy : public Policy {
 public:
  void Reset(uint64_t) override {}
  absl::StatusOr<NamedArrays> Act(const TimeStep&) override { return NamedArrays{{"go", Array::Int({}, {1})}}; }
};

TEST(CollectTest, DaggerRecordsTheLabelsWhileTheLearnerActs) {
  CollectOptions options;
  options.tasks = {"test/count"};
  options.episodes = 6;
  options.directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/dagger");
  options.learner = [](const std::string& task, const Environment& env) -> absl::StatusOr<std::unique_ptr<Policy>> {
    EXPECT_EQ(task, "test/count");
    EXPECT_EQ(env.action_spec().count("go"), 1u);
    return std::make_unique<AlwaysGoPolicy>();
  };
  options.learner_name = "always-go";
  ASSERT_OK(Collect(Registry(), Go(), options, nullptr).status());
  ASSERT_OK_AND_ASSIGN(Dataset dataset, LoadDataset(options.directory));
  const std::vector<Episode>& episodes = dataset.episodes.at("test/count");
  ASSERT_EQ(episodes.size(), 6u);
  for (const Episode& episode : episodes) {
    EXPECT_EQ(episode.policy, "expert+dagger(always-go)");
    // Labels: the collected policy's (go on even counts only) ...
    for (int64_t t = 0; t < episode.length(); ++t) {
      const int count = episode.steps[t].observation.at("count").ints[0];
      EXPECT_EQ(episode.steps[t].action->at("go").ints[0], count % 2 == 0 ? 1 : 0) << "step " << t;
    }
    // ... and the return is the learner's: it went on every step.
    EXPECT_EQ(episode.episode_return, episode.length()) << "seed " << episode.seed;
  }

  options.action_noise = 0.1;
  options.directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/dagger_noise");
  EXPECT_THAT(Collect(Registry(), Go(), options, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("action noise and a learner together")));
  options.action_noise = 0;
  options.policy_name = "random";
  options.directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/dagger_random");
  EXPECT_THAT(Collect(Registry(), Go(), options, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("a learner with the random policy")));
  EXPECT_FALSE(std::filesystem::exists(options.directory));
  options.policy_name = "expert";
  options.min_return_fraction = 0.5;
  options.references["test/count"] = {0.0, 3.0, 50};
  EXPECT_THAT(Collect(Registry(), Go(), options, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("the return filter and a learner together")));
  options.min_return_fraction.reset();
  options.learner = [](const std::string&, const Environment&) -> absl::StatusOr<std::unique_ptr<Policy>> {
    return absl::FailedPreconditionError("the checkpoint's vocabulary cannot hold test/count");
  };
  options.directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/dagger_unfit");
  EXPECT_THAT(Collect(Registry(), Go(), options, nullptr),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("cannot hold test/count")));
  EXPECT_FALSE(std::filesystem::exists(options.directory));  // refused before the dataset was started
}

// A learner whose actions depend on its seed and the state: goes unless (count + seed)
// is a multiple of 3. So the episodes differ by seed, and a learner reset with the wrong
// seed, or one slot's learner acting for another, shows in the data.
class SeededLearner : public Policy {
 public:
  void Reset(uint64_t seed) override { seed_ = seed; }
  absl::StatusOr<NamedArrays> Act(const TimeStep& t) override {
    const uint64_t count = static_cast<uint64_t>(t.observation.at("count").ints[0]);
    return NamedArrays{{"go", Array::Int({}, {(count + seed_) % 3 == 0 ? 0 : 1})}};
  }

 private:
  uint64_t seed_ = 0;
};

TEST(CollectTest, BatchedDaggerRecordsWhatOneLearnerPerEnvironmentRecords) {
  CollectOptions options;
  options.tasks = {"test/count", "test/count2"};
  options.episodes = 9;  // more than the batch: slots start new episodes
  options.first_seed = 40;
  options.learner_name = "seeded";
  options.directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/dagger_single");
  options.learner = [](const std::string&, const Environment&) -> absl::StatusOr<std::unique_ptr<Policy>> {
    return std::make_unique<SeededLearner>();
  };
  ASSERT_OK(Collect(Registry(), Go(), options, nullptr).status());

  options.learner = nullptr;
  options.batch = 4;
  int made = 0;
  options.batch_learner = [&made](const std::string& task, const Environment& env,
                                  int num_envs) -> absl::StatusOr<std::unique_ptr<BatchPolicy>> {
    EXPECT_EQ(env.action_spec().count("go"), 1u);
    ++made;
    std::vector<std::unique_ptr<Policy>> slots;
    for (int i = 0; i < num_envs; ++i) slots.push_back(std::make_unique<SeededLearner>());
    return std::make_unique<PolicyBatch>(std::move(slots));
  };
  options.directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/dagger_batched");
  std::ostringstream progress;
  ASSERT_OK_AND_ASSIGN(CollectReport report, Collect(Registry(), Go(), options, &progress));
  EXPECT_EQ(report.episodes_kept, 18);
  EXPECT_EQ(made, 4);  // per task: the probe (1 slot) and the run (4 slots)
  EXPECT_THAT(progress.str(), HasSubstr("test/count2 episode 9/9"));

  ASSERT_OK_AND_ASSIGN(Dataset single, LoadDataset(absl::StrCat(std::getenv("TEST_TMPDIR"), "/dagger_single")));
  ASSERT_OK_AND_ASSIGN(Dataset batched, LoadDataset(options.directory));
  int overruled = 0;
  for (const std::string& task : options.tasks) {
    int task_overruled = 0, task_steps = 0;
    const std::vector<Episode>& a = single.episodes.at(task);
    const std::vector<Episode>& b = batched.episodes.at(task);
    ASSERT_EQ(a.size(), 9u);
    ASSERT_EQ(b.size(), 9u);
    for (size_t i = 0; i < a.size(); ++i) {
      ASSERT_OK_AND_ASSIGN(std::string bytes_a, SerializeEpisode(a[i]));
      ASSERT_OK_AND_ASSIGN(std::string bytes_b, SerializeEpisode(b[i]));
      EXPECT_EQ(bytes_a, bytes_b) << task << " episode " << i << " (seed " << a[i].seed << ")";
      EXPECT_EQ(b[i].policy, "expert+dagger(seeded)");
      // The labels are the expert's (go on even counts), the return the learner's.
      double learner_return = 0;
      for (int64_t t = 0; t < b[i].length(); ++t) {
        const int count = b[i].steps[t].observation.at("count").ints[0];
        const int label = b[i].steps[t].action->at("go").ints[0];
        const int executed = (count + b[i].seed) % 3 == 0 ? 0 : 1;
        EXPECT_EQ(label, count % 2 == 0 ? 1 : 0) << "step " << t;
        learner_return += executed;
        overruled += label != executed;
        // The LAST timestep has no action: the steps acted are the episode's length.
        task_overruled += label != executed;
      }
      task_steps += b[i].length();
      EXPECT_EQ(b[i].episode_return, learner_return) << "seed " << b[i].seed;
    }
    // The learner's error rate on its own states, for these discrete actions.
    EXPECT_THAT(progress.str(), HasSubstr(absl::StrCat("collect ", task,
                                                       ": the expert's label differed from the learner's action on ",
                                                       task_overruled, " of ", task_steps, " steps")));
  }
  EXPECT_GT(overruled, 10);  // the two policies disagree often enough for the test to mean something

  // Bad requests, before the dataset is touched.
  options.learner = [](const std::string&, const Environment&) -> absl::StatusOr<std::unique_ptr<Policy>> {
    return std::make_unique<SeededLearner>();
  };
  options.directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/dagger_both");
  EXPECT_THAT(Collect(Registry(), Go(), options, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("a learner and a batched learner together")));
  options.learner = nullptr;
  options.batch = 0;
  EXPECT_THAT(Collect(Registry(), Go(), options, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("batch is 0")));
  options.batch = 4;
  options.action_noise = 0.2;
  EXPECT_THAT(Collect(Registry(), Go(), options, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("action noise and a learner together")));
  options.action_noise = 0;
  options.batch_learner = [](const std::string&, const Environment&,
                             int) -> absl::StatusOr<std::unique_ptr<BatchPolicy>> {
    return absl::FailedPreconditionError("the checkpoint's vocabulary cannot hold test/count");
  };
  EXPECT_THAT(Collect(Registry(), Go(), options, nullptr),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("cannot hold test/count")));
  EXPECT_FALSE(std::filesystem::exists(options.directory));
}

// GoPolicy that sets `stop` on its `after`-th action (all policies of a run share `acts`).
PolicyFactory GoThenStop(std::atomic<bool>* stop, std::shared_ptr<std::atomic<int>> acts, int after) {
  class Stopper : public GoPolicy {
   public:
    Stopper(std::atomic<bool>* stop, std::shared_ptr<std::atomic<int>> acts, int after)
        : stop_(stop), acts_(std::move(acts)), after_(after) {}
    absl::StatusOr<NamedArrays> Act(const TimeStep& t) override {
      if (++*acts_ == after_) stop_->store(true);
      return GoPolicy::Act(t);
    }

   private:
    std::atomic<bool>* stop_;
    std::shared_ptr<std::atomic<int>> acts_;
    int after_;
  };
  return [=](const std::string&, const Environment&) -> absl::StatusOr<std::unique_ptr<Policy>> {
    return std::make_unique<Stopper>(stop, acts, after);
  };
}

TEST(CollectTest, AStopRequestKeepsTheFinishedEpisodesWithTheirManifest) {
  CollectOptions options;
  options.tasks = {"test/count", "test/count2"};
  options.episodes = 9;
  options.threads = 1;
  options.directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/stopped");
  std::atomic<bool> stop{false};
  options.stop = &stop;
  // Seeds 0-3 take 3 + 4 + 5 + 3 = 15 actions; the stop comes during seed 4.
  ASSERT_OK_AND_ASSIGN(CollectReport report,
                       Collect(Registry(), GoThenStop(&stop, std::make_shared<std::atomic<int>>(0), 17), options, nullptr));
  EXPECT_TRUE(report.stopped);
  EXPECT_EQ(report.episodes_kept, 4);
  EXPECT_EQ(report.steps, 15);
  ASSERT_OK_AND_ASSIGN(Dataset dataset, LoadDataset(options.directory));
  ASSERT_EQ(dataset.episodes.at("test/count").size(), 4u);
  EXPECT_EQ(dataset.episodes.at("test/count").back().seed, 3u);
  EXPECT_EQ(dataset.episodes.count("test/count2"), 0u) << "the second task never started";
  // The next collect appends after them.
  options.stop = nullptr;
  options.append = true;
  options.first_seed = 4;
  options.episodes = 5;
  options.tasks = {"test/count"};
  ASSERT_OK(Collect(Registry(), Go(), options, nullptr).status());
  ASSERT_OK_AND_ASSIGN(dataset, LoadDataset(options.directory));
  EXPECT_EQ(dataset.episodes.at("test/count").size(), 9u);
}

TEST(CollectTest, AFailureMidRunKeepsTheEpisodesStoredBeforeIt) {
  // A policy that fails on its 17th action: test/count's seeds 0-2 take 3 + 4 + 5 = 12
  // actions, test/count2's seed 0 three more, and seed 1 fails on its second.
  class FailAfter : public GoPolicy {
   public:
    explicit FailAfter(std::shared_ptr<std::atomic<int>> acts) : acts_(std::move(acts)) {}
    absl::StatusOr<NamedArrays> Act(const TimeStep& t) override {
      if (++*acts_ == 17) return absl::InternalError("the policy broke");
      return GoPolicy::Act(t);
    }

   private:
    std::shared_ptr<std::atomic<int>> acts_;
  };
  auto acts = std::make_shared<std::atomic<int>>(0);
  PolicyFactory failing = [acts](const std::string&, const Environment&) -> absl::StatusOr<std::unique_ptr<Policy>> {
    return std::make_unique<FailAfter>(acts);
  };
  CollectOptions options;
  options.tasks = {"test/count", "test/count2"};
  options.episodes = 3;
  options.threads = 1;
  options.directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/failed_mid_run");
  EXPECT_THAT(Collect(Registry(), failing, options, nullptr),
              StatusIs(absl::StatusCode::kInternal,
                       AllOf(HasSubstr("the policy broke"),
                             HasSubstr("(the dataset keeps the 4 episodes this run stored before it)"))));
  ASSERT_OK_AND_ASSIGN(Dataset dataset, LoadDataset(options.directory));
  EXPECT_EQ(dataset.episodes.at("test/count").size(), 3u);
  ASSERT_EQ(dataset.episodes.at("test/count2").size(), 1u);
  EXPECT_EQ(dataset.episodes.at("test/count2")[0].seed, 0u);
}

TEST(CollectTest, ShardsAKilledCollectLeftAreNeitherMixedInNorOverwritten) {
  const std::string dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/killed");
  std::filesystem::create_directories(dir);
  ASSERT_OK(WriteFileAtomically(dir + "/shard-00000-test_count.tfrecord", "episodes without a manifest"));
  CollectOptions options;
  options.tasks = {"test/count"};
  options.episodes = 2;
  options.directory = dir;
  EXPECT_THAT(Collect(Registry(), Go(), options, nullptr),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("holds shard files (shard-00000-test_count.tfrecord) but no MANIFEST.textproto")));

  // An append killed after its shard was written: the shard is not listed, and the next
  // append writes the following name instead of failing on it.
  options.directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/killed_append");
  ASSERT_OK(Collect(Registry(), Go(), options, nullptr).status());
  ASSERT_OK(WriteFileAtomically(options.directory + "/shard-00001-test_count.tfrecord", "unlisted"));
  options.append = true;
  options.first_seed = 2;
  ASSERT_OK(Collect(Registry(), Go(), options, nullptr).status());
  ASSERT_OK_AND_ASSIGN(Dataset dataset, LoadDataset(options.directory));
  EXPECT_EQ(dataset.episodes.at("test/count").size(), 4u);
  EXPECT_EQ(dataset.manifest.shards(1).file(), "shard-00002-test_count.tfrecord");
}

TEST(CollectTest, BadRequestsFailBeforeRunning) {
  CollectOptions options;
  options.tasks = {"test/nope"};
  options.directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/bad");
  EXPECT_THAT(Collect(Registry(), Go(), options, nullptr),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("unknown task 'test/nope'")));
  options.tasks = {"test/count"};
  options.min_return_fraction = 0.8;
  EXPECT_THAT(Collect(Registry(), Go(), options, nullptr),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("needs an expert reference")));
  options.min_return_fraction.reset();
  options.episodes = 0;
  EXPECT_THAT(Collect(Registry(), Go(), options, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("episodes is 0")));
  options.episodes = 2;
  options.threads = 0;
  EXPECT_THAT(Collect(Registry(), Go(), options, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("threads is 0")));
  options.threads = 257;
  EXPECT_THAT(Collect(Registry(), Go(), options, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("threads is 257; expected 1..256")));
  EXPECT_FALSE(PathExists(options.directory));
  options.threads = 2;
  options.tasks = {"test/count"};
  options.episodes = 2;
  PolicyFactory unknown = [](const std::string&, const Environment&) -> absl::StatusOr<std::unique_ptr<Policy>> {
    return absl::InvalidArgumentError("unknown policy 'bogus'");
  };
  EXPECT_THAT(Collect(Registry(), unknown, options, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown policy 'bogus'")));
  EXPECT_FALSE(std::filesystem::exists(options.directory)) << "refused before the dataset directory is made";
  options.tasks = {"test/count", "test/count"};
  EXPECT_THAT(Collect(Registry(), Go(), options, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("task 'test/count' is named twice")));
}

}  // namespace
}  // namespace calico
