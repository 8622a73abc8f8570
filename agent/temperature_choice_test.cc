#include "agent/temperature_choice.h"

#include <cmath>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policies/batch_policy.h"

namespace calico {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Five steps; the reward of a step is the action taken (0 or 1); the episode's seed is
// observed so a policy can see it.
class PickEnv : public Environment {
 public:
  PickEnv() {
    obs_["seed"] = {"seed", {1}, DType::kInt32, {0}, {1 << 30}};
    act_["a"] = {"a", {}, DType::kInt32, {0}, {1}};
  }
  const SpecMap& observation_spec() const override { return obs_; }
  const SpecMap& action_spec() const override { return act_; }
  absl::StatusOr<TimeStep> Reset(uint64_t seed) override {
    step_ = 0;
    seed_ = static_cast<int32_t>(seed % (1 << 30));
    return Make(StepType::kFirst, 0);
  }
  absl::StatusOr<TimeStep> Step(const NamedArrays& action) override {
    ++step_;
    return Make(step_ == 5 ? StepType::kLast : StepType::kMid, action.at("a").ints[0]);
  }
  absl::StatusOr<Array> Render(int h, int w) override {
    return Array::Uint8({h, w, 3}, std::vector<uint8_t>(static_cast<size_t>(h) * w * 3, 0));
  }

 private:
  TimeStep Make(StepType type, double reward) {
    TimeStep t;
    t.step_type = type;
    t.reward = reward;
    t.observation["seed"] = Array::Int({1}, {seed_});
    return t;
  }
  SpecMap obs_, act_;
  int step_ = 0;
  int32_t seed_ = 0;
};

// Acts 1 in task "pick/one" only at temperature 0.5, in "pick/two" at any temperature
// below 1, never in "pick/flat". Records the seeds it was reset with.
class TemperatureDependentPolicy : public Policy {
 public:
  TemperatureDependentPolicy(std::string task, double temperature, std::vector<uint64_t>* seeds)
      : task_(std::move(task)), temperature_(temperature), seeds_(seeds) {}
  void Reset(uint64_t seed) override { seeds_->push_back(seed); }
  absl::StatusOr<NamedArrays> Act(const TimeStep&) override {
    const bool one = task_ == "pick/one" ? temperature_ == 0.5 : task_ == "pick/two" && temperature_ < 1;
    return NamedArrays{{"a", Array::Int({}, {one ? 1 : 0})}};
  }

 private:
  std::string task_;
  double temperature_;
  std::vector<uint64_t>* seeds_;
};

TaskRegistry Registry() {
  TaskRegistry registry;
  for (const char* name : {"pick/one", "pick/two", "pick/flat"}) {
    EXPECT_OK(registry.Register({name, "", 5}, []() -> absl::StatusOr<std::unique_ptr<Environment>> {
      return std::make_unique<PickEnv>();
    }));
  }
  return registry;
}

SuiteConfig Suite(uint64_t first_seed, int episodes) {
  SuiteConfig suite;
  suite.set_first_seed(first_seed);
  suite.set_episodes(episodes);
  for (const char* name : {"pick/one", "pick/two"}) {
    SuiteTask* task = suite.add_tasks();
    task->set_task(name);
    task->set_episodes(episodes);
  }
  return suite;
}

TEST(TemperatureChoiceTest, ChoosesTheBestMeanReturnPerTaskOnTheValidationSeeds) {
  const TaskRegistry registry = Registry();
  std::vector<uint64_t> seeds;
  std::vector<double> made;
  TemperaturePolicyFactory make = [&](double temperature) -> absl::StatusOr<BatchPolicyFactory> {
    made.push_back(temperature);
    return BatchPolicyFactory([&, temperature](const std::string& task, const Environment&,
                                               int n) -> absl::StatusOr<std::unique_ptr<BatchPolicy>> {
      std::vector<std::unique_ptr<Policy>> policies;
      for (int i = 0; i < n; ++i) policies.push_back(std::make_unique<TemperatureDependentPolicy>(task, temperature, &seeds));
      return std::unique_ptr<BatchPolicy>(std::make_unique<PolicyBatch>(std::move(policies)));
    });
  };
  TemperatureChoiceOptions options;
  options.candidates = {1, 0, 0.5};
  options.episodes = 3;
  options.first_seed = 500;
  ASSERT_OK(options.Validate(Suite(100, 10)));
  std::ostringstream progress;
  ASSERT_OK_AND_ASSIGN(std::vector<TemperatureChoice> choices,
                       ChooseActionTemperatures(registry, {"pick/one", "pick/two", "pick/flat"}, make, options,
                                                &progress));
  EXPECT_THAT(made, ElementsAre(1, 0, 0.5));  // one policy per candidate, for every task
  ASSERT_EQ(choices.size(), 3u);
  EXPECT_EQ(choices[0].task, "pick/one");
  EXPECT_THAT(choices[0].mean_returns, ElementsAre(0, 0, 5));
  EXPECT_EQ(choices[0].chosen, 0.5);
  EXPECT_THAT(choices[1].mean_returns, ElementsAre(0, 5, 5));
  EXPECT_EQ(choices[1].chosen, 0);  // the tie between 0 and 0.5 goes to the one listed first
  EXPECT_THAT(choices[2].mean_returns, ElementsAre(0, 0, 0));
  EXPECT_EQ(choices[2].chosen, 1);  // all equal: the first candidate
  EXPECT_THAT(choices[2].candidates, ElementsAre(1, 0, 0.5));
  // Only validation seeds were played: 500, 501, 502 for each task and candidate.
  ASSERT_EQ(seeds.size(), 3u * 3u * 3u);
  for (uint64_t seed : seeds) {
    EXPECT_GE(seed, 500u);
    EXPECT_LE(seed, 502u);
  }
  EXPECT_THAT(progress.str(), HasSubstr("choose pick/one, T=0.5: mean return 5.00 over 3 validation episodes "
                                        "(seeds 500..502)"));
  EXPECT_THAT(progress.str(), HasSubstr("choose pick/two, greedy: mean return 5.00"));
}

TEST(TemperatureChoiceTest, AFailingPolicyIsAnErrorNamingTheCandidate) {
  const TaskRegistry registry = Registry();
  TemperaturePolicyFactory make = [](double temperature) -> absl::StatusOr<BatchPolicyFactory> {
    if (temperature > 0) return absl::NotFoundError("no checkpoint here");
    return BatchPolicyFactory([](const std::string&, const Environment&,
                                 int) -> absl::StatusOr<std::unique_ptr<BatchPolicy>> {
      return absl::FailedPreconditionError("the model cannot hold this task");
    });
  };
  TemperatureChoiceOptions options;
  options.candidates = {0};
  EXPECT_THAT(ChooseActionTemperatures(registry, {"pick/one"}, make, options, nullptr),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("choosing the temperature of pick/one, greedy: ")));
  options.candidates = {2};
  EXPECT_THAT(ChooseActionTemperatures(registry, {"pick/one"}, make, options, nullptr),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("choosing temperatures, T=2: no checkpoint here")));
}

TEST(TemperatureChoiceTest, ValidateRefusesBadCandidatesAndTheScoredSeeds) {
  const SuiteConfig suite = Suite(1000000, 50);  // scores seeds 1000000..1000049
  TemperatureChoiceOptions options;
  EXPECT_THAT(options.Validate(suite), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lists no temperature")));
  for (double bad : {-1.0, 2e6, std::nan("")}) {
    options.candidates = {0, bad};
    EXPECT_THAT(options.Validate(suite),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is not a temperature in [0, 1e6]")))
        << bad;
  }
  options.candidates = {0, 1, 0};
  EXPECT_THAT(options.Validate(suite), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lists 0 twice")));
  options.candidates = {0, 1};
  options.episodes = 0;
  EXPECT_THAT(options.Validate(suite), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--choice_episodes is 0")));
  options.episodes = 10;
  EXPECT_OK(options.Validate(suite));  // 2000000..2000009
  options.first_seed = 999991;         // ..1000000: the suite's first scored episode
  EXPECT_THAT(options.Validate(suite),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("meet the seeds the suite scores for 'pick/one' (1000000..1000049)")));
  options.first_seed = 999990;  // ..999999: just below
  EXPECT_OK(options.Validate(suite));
  options.first_seed = 1000049;
  EXPECT_FALSE(options.Validate(suite).ok());
  options.first_seed = 1000050;
  EXPECT_OK(options.Validate(suite));
  options.first_seed = ~uint64_t{0} - 3;
  EXPECT_THAT(options.Validate(suite), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("runs past the largest seed")));
  options.first_seed = 2000000;
  // One candidate chooses nothing; nor does a suite whose control tasks all set their own.
  options.candidates = {1};
  EXPECT_THAT(options.Validate(suite), StatusIs(absl::StatusCode::kInvalidArgument,
                                                HasSubstr("lists one temperature, 1: there is nothing to choose; use "
                                                          "--temperature=1")));
  options.candidates = {0, 1};
  SuiteConfig fixed = suite;
  for (SuiteTask& task : *fixed.mutable_tasks()) task.set_temperature(0.5);
  ASSERT_GT(fixed.tasks_size(), 0);
  EXPECT_THAT(options.Validate(fixed), StatusIs(absl::StatusCode::kInvalidArgument,
                                                HasSubstr("has no control task without a temperature of its own "
                                                          "(the choice leaves those as they are); there is no task "
                                                          "to choose for")));
  fixed.mutable_tasks(0)->clear_temperature();
  EXPECT_OK(options.Validate(fixed));
}

}  // namespace
}  // namespace calico
