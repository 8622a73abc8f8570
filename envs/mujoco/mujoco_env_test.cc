#include "envs/mujoco/mujoco_env.h"

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "base/random.h"
#include "base/status_matchers.h"
#include "envs/specs.h"
#include "envs/task_registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// Uniform actions inside the spec, from a seeded Rng (independent of RandomPolicy).
NamedArrays RandomAction(const SpecMap& spec, Rng& rng) {
  const ArraySpec& action = spec.at("action");
  std::vector<float> values;
  for (int64_t i = 0; i < action.num_elements(); ++i) {
    values.push_back(static_cast<float>(action.min_at(i) + (action.max_at(i) - action.min_at(i)) * rng.Uniform()));
  }
  return {{"action", Array::Float(action.shape, values)}};
}

NamedArrays Action(std::vector<float> values) {
  const int64_t n = values.size();
  return {{"action", Array::Float({n}, std::move(values))}};
}

// Everything a TimeStep holds, flattened, for bit-exact comparisons.
struct Trace {
  std::vector<double> rewards;
  std::vector<float> floats;
  std::vector<uint8_t> bytes;
  bool operator==(const Trace& other) const {
    return rewards == other.rewards && floats == other.floats && bytes == other.bytes;
  }
};

void Append(const TimeStep& step, Trace* trace) {
  trace->rewards.push_back(step.reward);
  for (const auto& [key, array] : step.observation) {
    trace->floats.insert(trace->floats.end(), array.floats.begin(), array.floats.end());
    trace->bytes.insert(trace->bytes.end(), array.bytes.begin(), array.bytes.end());
  }
}

// Runs `steps` seeded random actions; errors are recorded as an empty trace (and fail the
// comparison).
Trace RunTrace(const std::string& task, uint64_t seed, int steps) {
  Trace trace;
  auto env = MakeMujocoEnvironment(task);
  if (!env.ok()) return {};
  auto step = (*env)->Reset(seed);
  if (!step.ok()) return {};
  Append(*step, &trace);
  Rng rng(seed + 1000);
  for (int i = 0; i < steps; ++i) {
    step = (*env)->Step(RandomAction((*env)->action_spec(), rng));
    if (!step.ok()) return {};
    Append(*step, &trace);
  }
  return trace;
}

TEST(MujocoEnvTest, SixteenTasksSorted) {
  const std::vector<std::string> names = MujocoTaskNames();
  ASSERT_EQ(names.size(), 16u);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_THAT(names, ::testing::Contains("mujoco/cartpole_swingup_pixels"));
  EXPECT_THAT(names, ::testing::Contains("mujoco/cheetah_run"));
}

TEST(MujocoEnvTest, EveryStateTaskResetsAndStepsWithRewardsInUnitInterval) {
  for (const std::string& task : MujocoTaskNames()) {
    if (task.find("_pixels") != std::string::npos) continue;
    SCOPED_TRACE(task);
    ASSERT_OK_AND_ASSIGN(auto env, MakeMujocoEnvironment(task));
    ASSERT_OK_AND_ASSIGN(TimeStep step, env->Reset(3));
    EXPECT_TRUE(step.first());
    EXPECT_EQ(step.reward, 0.0);
    ASSERT_OK(CheckArrays(env->observation_spec(), step.observation, "observation"));
    Rng rng(7);
    double total = 0.0;
    for (int i = 0; i < 200; ++i) {
      ASSERT_OK_AND_ASSIGN(step, env->Step(RandomAction(env->action_spec(), rng)));
      ASSERT_EQ(step.step_type, StepType::kMid);
      ASSERT_GE(step.reward, 0.0);
      ASSERT_LE(step.reward, 1.0);
      EXPECT_EQ(step.discount, 1.0);
      ASSERT_OK(CheckArrays(env->observation_spec(), step.observation, "observation"));
      total += step.reward;
    }
    EXPECT_TRUE(std::isfinite(total));
  }
}

TEST(MujocoEnvTest, ObservationAndActionSpecsFollowTheControlSuite) {
  ASSERT_OK_AND_ASSIGN(auto cartpole, MakeMujocoEnvironment("mujoco/cartpole_swingup"));
  EXPECT_EQ(cartpole->observation_spec().at("position").shape, std::vector<int64_t>({3}));
  EXPECT_EQ(cartpole->observation_spec().at("velocity").shape, std::vector<int64_t>({2}));
  const ArraySpec& action = cartpole->action_spec().at("action");
  EXPECT_EQ(action.shape, std::vector<int64_t>({1}));
  EXPECT_EQ(action.min_at(0), -1.0);
  EXPECT_EQ(action.max_at(0), 1.0);

  ASSERT_OK_AND_ASSIGN(auto cheetah, MakeMujocoEnvironment("mujoco/cheetah_run_pixels"));
  EXPECT_EQ(cheetah->observation_spec().at("position").shape, std::vector<int64_t>({8}));
  EXPECT_EQ(cheetah->observation_spec().at("velocity").shape, std::vector<int64_t>({9}));
  EXPECT_EQ(cheetah->observation_spec().at("pixels").shape, std::vector<int64_t>({64, 64, 3}));
  EXPECT_EQ(cheetah->observation_spec().at("pixels").dtype, DType::kUint8);
  EXPECT_EQ(cheetah->action_spec().at("action").shape, std::vector<int64_t>({6}));

  ASSERT_OK_AND_ASSIGN(auto reacher, MakeMujocoEnvironment("mujoco/reacher_hard"));
  EXPECT_EQ(reacher->observation_spec().size(), 3u);
  EXPECT_EQ(reacher->observation_spec().at("to_target").shape, std::vector<int64_t>({2}));
  ASSERT_OK_AND_ASSIGN(auto acrobot, MakeMujocoEnvironment("mujoco/acrobot_swingup"));
  EXPECT_EQ(acrobot->observation_spec().at("orientations").shape, std::vector<int64_t>({4}));
}

TEST(MujocoEnvTest, TimestepsMatchTheControlSuite) {
  const std::vector<std::pair<std::string, double>> expected = {
      {"mujoco/cartpole_balance", 0.01}, {"mujoco/pendulum_swingup", 0.02}, {"mujoco/reacher_easy", 0.02},
      {"mujoco/point_mass_easy", 0.02},  {"mujoco/acrobot_swingup", 0.01},  {"mujoco/cheetah_run", 0.01}};
  for (const auto& [task, control] : expected) {
    ASSERT_OK_AND_ASSIGN(auto env, MujocoEnvironment::Create(task));
    EXPECT_DOUBLE_EQ(env->control_timestep(), control) << task;
    EXPECT_DOUBLE_EQ(env->physics_timestep(), control) << task;
  }
}

TEST(MujocoEnvTest, EpisodeEndsWithLastStepAfter1000StepsAndThenRefusesSteps) {
  ASSERT_OK_AND_ASSIGN(auto env, MakeMujocoEnvironment("mujoco/pendulum_swingup"));
  ASSERT_OK(env->Reset(0).status());
  TimeStep step;
  for (int i = 0; i < kMujocoEpisodeSteps; ++i) {
    ASSERT_OK_AND_ASSIGN(step, env->Step(Action({0.0f})));
    ASSERT_EQ(step.last(), i == kMujocoEpisodeSteps - 1) << i;
  }
  EXPECT_EQ(step.discount, 1.0);
  EXPECT_THAT(env->Step(Action({0.0f})), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("LAST")));
  ASSERT_OK_AND_ASSIGN(step, env->Reset(1));
  EXPECT_TRUE(step.first());
  EXPECT_OK(env->Step(Action({0.0f})).status());
}

TEST(MujocoEnvTest, StepBeforeResetIsFailedPrecondition) {
  ASSERT_OK_AND_ASSIGN(auto env, MakeMujocoEnvironment("mujoco/cartpole_balance"));
  EXPECT_THAT(env->Step(Action({0.0f})), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("Reset")));
}

TEST(MujocoEnvTest, BadActionsAreRejectedAndChangeNothing) {
  ASSERT_OK_AND_ASSIGN(auto env, MakeMujocoEnvironment("mujoco/cartpole_swingup"));
  ASSERT_OK_AND_ASSIGN(auto reference, MakeMujocoEnvironment("mujoco/cartpole_swingup"));
  ASSERT_OK(env->Reset(5).status());
  ASSERT_OK(reference->Reset(5).status());
  EXPECT_THAT(env->Step(Action({std::numeric_limits<float>::quiet_NaN()})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("action")));
  EXPECT_FALSE(env->Step(Action({1.5f})).ok());
  EXPECT_FALSE(env->Step(Action({-1.01f})).ok());
  EXPECT_FALSE(env->Step(Action({0.0f, 0.0f})).ok());
  EXPECT_FALSE(env->Step({{"force", Array::Float({1}, {0.0f})}}).ok());
  EXPECT_FALSE(env->Step({{"action", Array::Int({1}, {0})}}).ok());
  // After the rejected actions the episode continues exactly as if they were never sent.
  ASSERT_OK_AND_ASSIGN(TimeStep a, env->Step(Action({0.5f})));
  ASSERT_OK_AND_ASSIGN(TimeStep b, reference->Step(Action({0.5f})));
  EXPECT_EQ(a.observation.at("position").floats, b.observation.at("position").floats);
  EXPECT_EQ(a.reward, b.reward);
}

TEST(MujocoEnvTest, SameSeedAndActionsGiveBitIdenticalTimeSteps) {
  for (const std::string task : {"mujoco/cartpole_swingup", "mujoco/reacher_hard", "mujoco/cheetah_run",
                                 "mujoco/point_mass_easy_pixels"}) {
    const Trace first = RunTrace(task, 11, 100);
    ASSERT_FALSE(first.rewards.empty()) << task;
    EXPECT_TRUE(first == RunTrace(task, 11, 100)) << task;
    EXPECT_FALSE(first == RunTrace(task, 12, 100)) << task << ": a different seed should differ";
  }
}

TEST(MujocoEnvTest, ResetRandomisesTheInitialState) {
  ASSERT_OK_AND_ASSIGN(auto env, MakeMujocoEnvironment("mujoco/reacher_easy"));
  ASSERT_OK_AND_ASSIGN(TimeStep a, env->Reset(1));
  ASSERT_OK_AND_ASSIGN(TimeStep b, env->Reset(2));
  EXPECT_NE(a.observation.at("to_target").floats, b.observation.at("to_target").floats);
  EXPECT_NE(a.observation.at("position").floats, b.observation.at("position").floats);
  // Swing-up starts hanging down, balance near upright.
  ASSERT_OK_AND_ASSIGN(auto swingup, MakeMujocoEnvironment("mujoco/cartpole_swingup"));
  ASSERT_OK_AND_ASSIGN(TimeStep down, swingup->Reset(4));
  EXPECT_LT(down.observation.at("position").floats[1], -0.99f);
  ASSERT_OK_AND_ASSIGN(auto balance, MakeMujocoEnvironment("mujoco/cartpole_balance"));
  ASSERT_OK_AND_ASSIGN(TimeStep up, balance->Reset(4));
  EXPECT_GT(up.observation.at("position").floats[1], 0.99f);
}

TEST(MujocoEnvTest, RewardsReflectTheTaskGoal) {
  // A balanced pole earns close to 1 per step; a hanging one under 0.5.
  ASSERT_OK_AND_ASSIGN(auto balance, MakeMujocoEnvironment("mujoco/cartpole_balance"));
  ASSERT_OK(balance->Reset(0).status());
  ASSERT_OK_AND_ASSIGN(TimeStep up, balance->Step(Action({0.0f})));
  EXPECT_GT(up.reward, 0.75);
  ASSERT_OK_AND_ASSIGN(auto swingup, MakeMujocoEnvironment("mujoco/cartpole_swingup"));
  ASSERT_OK(swingup->Reset(0).status());
  ASSERT_OK_AND_ASSIGN(TimeStep down, swingup->Step(Action({0.0f})));
  EXPECT_LT(down.reward, 0.5);
  // The cheetah standing still earns nothing.
  ASSERT_OK_AND_ASSIGN(auto cheetah, MakeMujocoEnvironment("mujoco/cheetah_run"));
  ASSERT_OK(cheetah->Reset(0).status());
  ASSERT_OK_AND_ASSIGN(TimeStep still, cheetah->Step(Action({0, 0, 0, 0, 0, 0})));
  EXPECT_LT(still.reward, 0.05);
  // The pendulum (random start angle) earns 1 within 30 degrees of upright and nothing
  // elsewhere, hanging down included: its orientation's first entry is the cosine.
  ASSERT_OK_AND_ASSIGN(auto pendulum, MakeMujocoEnvironment("mujoco/pendulum_swingup"));
  int up_count = 0, down_count = 0;
  for (uint64_t seed = 0; seed < 60; ++seed) {
    ASSERT_OK(pendulum->Reset(seed).status());
    ASSERT_OK_AND_ASSIGN(TimeStep step, pendulum->Step(Action({0.0f})));
    const double cosine = step.observation.at("orientation").floats[0];
    if (std::abs(cosine - std::cos(30.0 * M_PI / 180.0)) < 1e-3) continue;  // on the edge
    const bool upright = cosine > std::cos(30.0 * M_PI / 180.0);
    EXPECT_EQ(step.reward, upright ? 1.0 : 0.0) << "seed " << seed << ", cosine " << cosine;
    (upright ? up_count : down_count) += 1;
    if (cosine < -0.9) EXPECT_EQ(step.reward, 0.0) << "hanging down, seed " << seed;
  }
  EXPECT_GT(up_count, 0);
  EXPECT_GT(down_count, 0);
}

TEST(MujocoEnvTest, EnvironmentsOnThreadsMatchSequentialRuns) {
  const std::vector<std::string> tasks = {"mujoco/cartpole_swingup", "mujoco/acrobot_swingup",
                                          "mujoco/cheetah_run", "mujoco/reacher_easy"};
  std::vector<Trace> sequential;
  for (size_t i = 0; i < tasks.size(); ++i) sequential.push_back(RunTrace(tasks[i], i, 150));
  // Also two instances of the same task side by side.
  std::vector<std::string> threaded_tasks = tasks;
  threaded_tasks.push_back(tasks[0]);
  std::vector<Trace> threaded(threaded_tasks.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < threaded_tasks.size(); ++i) {
    threads.emplace_back([&, i] { threaded[i] = RunTrace(threaded_tasks[i], i % tasks.size(), 150); });
  }
  for (std::thread& thread : threads) thread.join();
  for (size_t i = 0; i < threaded_tasks.size(); ++i) {
    ASSERT_FALSE(threaded[i].rewards.empty()) << threaded_tasks[i];
    EXPECT_TRUE(threaded[i] == sequential[i % tasks.size()]) << threaded_tasks[i];
  }
}

// StepInto/ResetInto with one TimeStep reused: the values of Step/Reset, written into
// the same buffers every step.
TEST(MujocoEnvTest, StepIntoReusesOneTimeStepAndMatchesStep) {
  for (const std::string& task : MujocoTaskNames()) {
    const bool pixels = task.find("_pixels") != std::string::npos;
    if (pixels && task != "mujoco/acrobot_swingup_pixels") continue;  // rendering is slow
    SCOPED_TRACE(task);
    ASSERT_OK_AND_ASSIGN(auto by_value, MujocoEnvironment::Create(task));
    ASSERT_OK_AND_ASSIGN(auto in_place, MujocoEnvironment::Create(task));
    TimeStep expected, step;
    ASSERT_OK_AND_ASSIGN(expected, by_value->Reset(21));
    ASSERT_OK(in_place->ResetInto(21, &step));
    Trace a, b;
    Append(expected, &a);
    Append(step, &b);
    EXPECT_EQ(step.step_type, StepType::kFirst);
    std::map<std::string, const float*> buffers;
    for (const auto& [key, array] : step.observation) buffers[key] = array.floats.data();
    Rng rng(5);
    const int steps = pixels ? 20 : 300;
    for (int i = 0; i < steps; ++i) {
      const NamedArrays action = RandomAction(by_value->action_spec(), rng);
      ASSERT_OK_AND_ASSIGN(expected, by_value->Step(action));
      ASSERT_OK(in_place->StepInto(action, &step));
      ASSERT_EQ(step.step_type, expected.step_type);
      ASSERT_EQ(step.discount, expected.discount);
      Append(expected, &a);
      Append(step, &b);
    }
    EXPECT_TRUE(a == b);
    ASSERT_OK(CheckArrays(in_place->observation_spec(), step.observation, "observation"));
    // The FLOAT32 observations were overwritten in place, not reallocated.
    for (const auto& [key, array] : step.observation) {
      if (array.dtype == DType::kFloat32) {
        EXPECT_EQ(array.floats.data(), buffers[key]) << key;
      }
    }
  }
}

TEST(MujocoEnvTest, StepIntoReplacesAForeignTimeStepAndKeepsItOnErrors) {
  ASSERT_OK_AND_ASSIGN(auto reacher, MakeMujocoEnvironment("mujoco/reacher_easy"));
  ASSERT_OK_AND_ASSIGN(auto point_mass, MakeMujocoEnvironment("mujoco/point_mass_easy"));
  ASSERT_OK_AND_ASSIGN(auto reference, MakeMujocoEnvironment("mujoco/point_mass_easy"));
  // A TimeStep of another task, then one with the right keys but a wrong shape, a stray
  // key, and stray storage: each is laid out anew, with the values Step returns.
  TimeStep step;
  ASSERT_OK(reacher->ResetInto(1, &step));
  ASSERT_OK(point_mass->ResetInto(2, &step));
  ASSERT_OK_AND_ASSIGN(TimeStep expected, reference->Reset(2));
  EXPECT_EQ(step.observation.size(), 2u);
  Trace a, b;
  Append(step, &a);
  Append(expected, &b);
  for (int variant = 0; variant < 4; ++variant) {
    if (variant == 1) step.observation.at("velocity").shape = {1, 2};
    if (variant == 2) step.observation["zzz"] = Array::Float({1}, {0});
    if (variant == 3) step.observation.at("position").ints = {1};
    ASSERT_OK(point_mass->StepInto(Action({0.1f, -0.2f}), &step));
    ASSERT_OK_AND_ASSIGN(expected, reference->Step(Action({0.1f, -0.2f})));
    ASSERT_OK(CheckArrays(point_mass->observation_spec(), step.observation, "observation"));
    EXPECT_TRUE(step.observation.at("position").ints.empty());
    Append(step, &a);
    Append(expected, &b);
  }
  EXPECT_TRUE(a == b);
  // A rejected action leaves the TimeStep as it was.
  const TimeStep before = step;
  EXPECT_THAT(point_mass->StepInto(Action({2.0f, 0.0f}), &step), StatusIs(absl::StatusCode::kOutOfRange));
  Trace after_error, previous;
  Append(step, &after_error);
  Append(before, &previous);
  EXPECT_TRUE(after_error == previous);
  EXPECT_EQ(step.reward, before.reward);
}

// MuJoCo's fatal errors (mju_error) during a step become a Status instead of ending the
// process. No public input provokes one (actions are bounded and the models stable), so
// the test fills the mjData's stack arena behind the environment's back, as a runaway
// allocation would: mj_step's first scratch allocation then fails inside MuJoCo.
TEST(MujocoEnvTest, MujocoErrorDuringStepIsAStatusAndResetRecovers) {
  for (const std::string task : {"mujoco/pendulum_swingup", "mujoco/cartpole_swingup"}) {  // Euler, RK4
    SCOPED_TRACE(task);
    ASSERT_OK_AND_ASSIGN(auto env, MujocoEnvironment::Create(task));
    ASSERT_OK_AND_ASSIGN(auto reference, MujocoEnvironment::Create(task));
    TimeStep step;
    ASSERT_OK(env->ResetInto(3, &step));
    ASSERT_OK(env->StepInto(Action({0.5f}), &step));
    mjData* data = const_cast<mjData*>(env->data());  // test-only corruption
    data->pstack = data->nstack;
    const double reward_before = step.reward;
    EXPECT_THAT(env->StepInto(Action({0.5f}), &step),
                StatusIs(absl::StatusCode::kInternal,
                         AllOf(HasSubstr(task), HasSubstr("MuJoCo error during step: Stack overflow"),
                               HasSubstr("call Reset"))));
    EXPECT_EQ(step.reward, reward_before);  // unchanged
    // The episode is over; Reset starts a clean one, identical to a fresh environment's.
    EXPECT_THAT(env->Step(Action({0.5f})), StatusIs(absl::StatusCode::kFailedPrecondition));
    ASSERT_OK(env->ResetInto(4, &step));
    ASSERT_OK_AND_ASSIGN(TimeStep expected, reference->Reset(4));
    Trace a, b;
    Append(step, &a);
    Append(expected, &b);
    for (int i = 0; i < 50; ++i) {
      ASSERT_OK(env->StepInto(Action({0.5f}), &step));
      ASSERT_OK_AND_ASSIGN(expected, reference->Step(Action({0.5f})));
      Append(step, &a);
      Append(expected, &b);
    }
    EXPECT_TRUE(a == b);
  }
}

TEST(MujocoEnvTest, UnknownTaskIsNotFoundAndListsKnownTasks) {
  EXPECT_THAT(MakeMujocoEnvironment("mujoco/walker_walk"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("mujoco/cartpole_swingup")));
  EXPECT_THAT(MakeMujocoEnvironment("cartpole_swingup"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("unknown")));
  EXPECT_THAT(LoadMujocoTaskModel("mujoco/nothing"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("nothing")));
}

TEST(MujocoEnvTest, LoadMujocoTaskModelAppliesTaskSettings) {
  ASSERT_OK_AND_ASSIGN(MjModelPtr easy, LoadMujocoTaskModel("mujoco/reacher_easy_pixels"));
  ASSERT_OK_AND_ASSIGN(MjModelPtr hard, LoadMujocoTaskModel("mujoco/reacher_hard"));
  const int target = mj_name2id(easy.get(), mjOBJ_GEOM, "target");
  EXPECT_DOUBLE_EQ(easy->geom_size[3 * target], 0.05);
  EXPECT_DOUBLE_EQ(hard->geom_size[3 * target], 0.015);
}

TEST(MujocoEnvTest, RegistersAllSixteenTasks) {
  TaskRegistry registry;
  ASSERT_OK(RegisterMujocoTasks(&registry));
  const std::vector<TaskInfo> infos = registry.List();
  ASSERT_EQ(infos.size(), 16u);
  for (const TaskInfo& info : infos) {
    EXPECT_EQ(info.episode_steps, 1000) << info.name;
    EXPECT_FALSE(info.description.empty()) << info.name;
    EXPECT_EQ(info.description.find('\n'), std::string::npos) << info.name;
  }
  ASSERT_OK_AND_ASSIGN(auto env, registry.Make("mujoco/pendulum_swingup_pixels"));
  EXPECT_EQ(env->observation_spec().count("pixels"), 1u);
  // Registering twice collides with the first registration.
  EXPECT_FALSE(RegisterMujocoTasks(&registry).ok());
}

}  // namespace
}  // namespace calico
