#include "policies/mujoco_experts.h"

#include <cmath>
#include <complex>
#include <map>

#include "Eigen/Dense"
#include "base/status_matchers.h"
#include "envs/mujoco/mujoco_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policies/random_policy.h"
#include "policies/rollout.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

double MeanReturn(const std::string& task, bool expert, int seeds) {
  double total = 0.0;
  for (int seed = 0; seed < seeds; ++seed) {
    auto env = MakeMujocoEnvironment(task);
    EXPECT_OK(env.status());
    if (!env.ok()) return -1.0;
    auto policy = expert ? MakeMujocoExpert(task)
                         : absl::StatusOr<std::unique_ptr<Policy>>(RandomPolicy::Create((*env)->action_spec()));
    EXPECT_OK(policy.status());
    if (!policy.ok()) return -1.0;
    auto result = RunEpisode(**env, **policy, 100 + seed);
    EXPECT_OK(result.status());
    if (!result.ok()) return -1.0;
    total += result->episode_return;
  }
  return total / seeds;
}

// Thresholds sit below the 50-episode means in envs/mujoco/reference_returns.txt and far
// above what random actions (or a sign error in a controller) earn.
TEST(MujocoExpertsTest, ExpertsReachTheirTargetsOnAFewSeeds) {
  const std::map<std::string, double> minimum = {
      {"mujoco/cartpole_balance", 950.0}, {"mujoco/cartpole_swingup", 780.0}, {"mujoco/pendulum_swingup", 600.0},
      {"mujoco/reacher_easy", 850.0},     {"mujoco/reacher_hard", 700.0},     {"mujoco/point_mass_easy", 750.0},
  };
  for (const auto& [task, threshold] : minimum) {
    const double expert = MeanReturn(task, true, 3);
    EXPECT_GE(expert, threshold) << task;
    EXPECT_GT(expert, MeanReturn(task, false, 3) + 300.0) << task;
  }
}

TEST(MujocoExpertsTest, TrainedExpertsBeatRandom) {
  EXPECT_GT(MeanReturn("mujoco/cheetah_run", true, 2), 150.0);
  const double acrobot = MeanReturn("mujoco/acrobot_swingup", true, 5);
  EXPECT_GT(acrobot, MeanReturn("mujoco/acrobot_swingup", false, 5) + 10.0);
}

TEST(MujocoExpertsTest, PixelsVariantsActOnTheStateObservations) {
  for (const std::string task : {"mujoco/cartpole_swingup", "mujoco/cheetah_run"}) {
    ASSERT_OK_AND_ASSIGN(auto state_env, MakeMujocoEnvironment(task));
    ASSERT_OK_AND_ASSIGN(auto pixels_env, MakeMujocoEnvironment(task + "_pixels"));
    ASSERT_OK_AND_ASSIGN(auto state_expert, MakeMujocoExpert(task));
    ASSERT_OK_AND_ASSIGN(auto pixels_expert, MakeMujocoExpert(task + "_pixels"));
    ASSERT_OK_AND_ASSIGN(TimeStep a, state_env->Reset(9));
    ASSERT_OK_AND_ASSIGN(TimeStep b, pixels_env->Reset(9));
    for (int i = 0; i < 30; ++i) {
      ASSERT_OK_AND_ASSIGN(NamedArrays action_a, state_expert->Act(a));
      ASSERT_OK_AND_ASSIGN(NamedArrays action_b, pixels_expert->Act(b));
      ASSERT_EQ(action_a.at("action").floats, action_b.at("action").floats) << task << " step " << i;
      ASSERT_OK_AND_ASSIGN(a, state_env->Step(action_a));
      ASSERT_OK_AND_ASSIGN(b, pixels_env->Step(action_b));
    }
  }
}

TEST(MujocoExpertsTest, PixelsTaskEpisodeReturnEqualsTheStateTasks) {
  // Why reference_returns.txt may give a _pixels task its state task's numbers.
  for (bool expert : {true, false}) {
    ASSERT_OK_AND_ASSIGN(auto state_env, MakeMujocoEnvironment("mujoco/cartpole_swingup"));
    ASSERT_OK_AND_ASSIGN(auto pixels_env, MakeMujocoEnvironment("mujoco/cartpole_swingup_pixels"));
    std::unique_ptr<Policy> a, b;
    if (expert) {
      ASSERT_OK_AND_ASSIGN(a, MakeMujocoExpert("mujoco/cartpole_swingup"));
      ASSERT_OK_AND_ASSIGN(b, MakeMujocoExpert("mujoco/cartpole_swingup_pixels"));
    } else {
      ASSERT_OK_AND_ASSIGN(a, RandomPolicy::Create(state_env->action_spec()));
      ASSERT_OK_AND_ASSIGN(b, RandomPolicy::Create(pixels_env->action_spec()));
    }
    ASSERT_OK_AND_ASSIGN(EpisodeResult state, RunEpisode(*state_env, *a, 4));
    ASSERT_OK_AND_ASSIGN(EpisodeResult pixels, RunEpisode(*pixels_env, *b, 4));
    EXPECT_EQ(state.episode_return, pixels.episode_return);
    EXPECT_EQ(state.steps, 1000);
  }
}

TEST(MujocoExpertsTest, EveryExpertMakesValidActions) {
  ASSERT_EQ(MujocoExpertTasks().size(), 8u) << "the 8 MuJoCo tasks (their pixel variants share the experts)";
  for (const std::string& task : MujocoExpertTasks()) {
    ASSERT_OK_AND_ASSIGN(auto env, MakeMujocoEnvironment(task));
    ASSERT_OK_AND_ASSIGN(auto expert, MakeMujocoExpert(task));
    ASSERT_OK_AND_ASSIGN(TimeStep step, env->Reset(1));
    for (int i = 0; i < 50; ++i) {
      ASSERT_OK_AND_ASSIGN(NamedArrays action, expert->Act(step));
      ASSERT_OK(CheckArrays(env->action_spec(), action, "action")) << task;
      ASSERT_OK_AND_ASSIGN(step, env->Step(action));
    }
  }
}

TEST(MujocoExpertsTest, UnknownTaskAndMissingObservationAreErrors) {
  EXPECT_THAT(MakeMujocoExpert("mujoco/walker_walk"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("mujoco/cartpole_swingup")));
  ASSERT_OK_AND_ASSIGN(auto expert, MakeMujocoExpert("mujoco/reacher_easy"));
  TimeStep step;
  step.observation["position"] = Array::Float({2}, {0.0f, 0.0f});
  EXPECT_THAT(expert->Act(step), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("to_target")));
}

TEST(MujocoExpertsTest, EmbeddedArsWeightsMatchTheirTasks) {
  ASSERT_OK_AND_ASSIGN(LinearPolicyParams cheetah, EmbeddedArsWeights("mujoco/cheetah_run_pixels"));
  EXPECT_EQ(cheetah.task, "mujoco/cheetah_run");
  EXPECT_EQ(cheetah.observation_size, 17);
  EXPECT_EQ(cheetah.action_size, 6);
  ASSERT_OK_AND_ASSIGN(LinearPolicyParams acrobot, EmbeddedArsWeights("mujoco/acrobot_swingup"));
  EXPECT_EQ(acrobot.observation_size, 6);
  EXPECT_THAT(EmbeddedArsWeights("mujoco/cartpole_swingup"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("cartpole")));
}

TEST(DiscreteLqrTest, ScalarGainIsTheGoldenRatioSolution) {
  // A = B = Q = R = 1: P solves P^2 = P + 1, so P = (1 + sqrt 5) / 2 and K = P / (1 + P).
  ASSERT_OK_AND_ASSIGN(std::vector<double> k, DiscreteLqrGain({1.0}, {1.0}, {1.0}, {1.0}, 1, 1));
  const double p = (1.0 + std::sqrt(5.0)) / 2.0;
  EXPECT_NEAR(k[0], p / (1.0 + p), 1e-9);
}

TEST(DiscreteLqrTest, StabilisesADoubleIntegrator) {
  const double dt = 0.01;
  const std::vector<double> a = {1.0, dt, 0.0, 1.0}, b = {0.5 * dt * dt, dt};
  ASSERT_OK_AND_ASSIGN(std::vector<double> k, DiscreteLqrGain(a, b, {1.0, 0.0, 0.0, 1.0}, {0.1}, 2, 1));
  Eigen::Matrix2d closed;
  closed << a[0] - b[0] * k[0], a[1] - b[0] * k[1], a[2] - b[1] * k[0], a[3] - b[1] * k[1];
  for (const std::complex<double>& lambda : closed.eigenvalues()) EXPECT_LT(std::abs(lambda), 1.0);
}

TEST(DiscreteLqrTest, BadInputsAreErrors) {
  EXPECT_THAT(DiscreteLqrGain({1.0, 0.0}, {1.0}, {1.0}, {1.0}, 1, 1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sizes")));
  // An unstable mode the input cannot reach.
  EXPECT_THAT(DiscreteLqrGain({2.0}, {0.0}, {1.0}, {1.0}, 1, 1),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("converge")));
}

}  // namespace
}  // namespace calico
