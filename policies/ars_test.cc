#include "policies/ars.h"

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

ArsOptions SmallBalance() {
  ArsOptions options;
  options.task = "mujoco/cartpole_balance";
  options.iterations = 40;
  options.directions = 8;
  options.top_directions = 4;
  options.step_size = 0.05;
  options.noise = 0.05;
  options.episode_steps = 500;
  options.eval_every = 10;
  options.eval_episodes = 3;
  return options;
}

TEST(ArsTest, OptionsAreValidated) {
  EXPECT_OK(SmallBalance().Validate());
  ArsOptions options = SmallBalance();
  options.top_directions = 9;
  EXPECT_THAT(options.Validate(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("top_directions 9")));
  options = SmallBalance();
  options.noise = 0.0;
  EXPECT_THAT(options.Validate(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("noise")));
  options = SmallBalance();
  options.episode_steps = 1001;
  EXPECT_THAT(options.Validate(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("episode_steps")));
  options = SmallBalance();
  options.task = "mujoco/unknown";
  EXPECT_THAT(TrainArs(options, nullptr), StatusIs(absl::StatusCode::kNotFound, HasSubstr("unknown")));
}

// cheetah_run: a dense reward that the zero policy (standing still) barely earns.
ArsOptions SmallCheetah() {
  ArsOptions options;
  options.task = "mujoco/cheetah_run";
  options.iterations = 20;
  options.directions = 8;
  options.top_directions = 4;
  options.step_size = 0.02;
  options.noise = 0.03;
  options.episode_steps = 300;
  options.eval_every = 5;
  options.eval_episodes = 2;
  return options;
}

TEST(ArsTest, TrainingImprovesOnTheZeroPolicyAndReportsProgress) {
  const ArsOptions options = SmallCheetah();
  int reports = 0, evaluations = 0;
  ASSERT_OK_AND_ASSIGN(LinearPolicyParams params, TrainArs(options, [&](const ArsProgress& p) {
                         ++reports;
                         evaluations += p.evaluated;
                       }));
  EXPECT_EQ(reports, options.iterations);
  EXPECT_EQ(evaluations, 4);
  EXPECT_EQ(params.task, "mujoco/cheetah_run");
  LinearPolicyParams zero = params;
  std::fill(zero.weights.begin(), zero.weights.end(), 0.0);
  std::fill(zero.bias.begin(), zero.bias.end(), 0.0);
  ASSERT_OK_AND_ASSIGN(double trained, EvaluateLinearPolicy(params, options.task, 0, 2));
  ASSERT_OK_AND_ASSIGN(double untrained, EvaluateLinearPolicy(zero, options.task, 0, 2));
  EXPECT_GT(trained, untrained + 12.0) << "trained " << trained << " vs zero policy " << untrained;
}

TEST(ArsTest, SameOptionsGiveIdenticalWeights) {
  ArsOptions options = SmallBalance();
  options.iterations = 3;
  options.episode_steps = 100;
  ASSERT_OK_AND_ASSIGN(LinearPolicyParams a, TrainArs(options, nullptr));
  ASSERT_OK_AND_ASSIGN(LinearPolicyParams b, TrainArs(options, nullptr));
  EXPECT_EQ(a.weights, b.weights);
  EXPECT_EQ(a.mean, b.mean);
  options.seed = 1;
  ASSERT_OK_AND_ASSIGN(LinearPolicyParams c, TrainArs(options, nullptr));
  EXPECT_NE(a.weights, c.weights);
}

TEST(ArsTest, EvaluateRejectsWeightsForAnotherTask) {
  ArsOptions options = SmallBalance();
  options.iterations = 1;
  options.episode_steps = 10;
  ASSERT_OK_AND_ASSIGN(LinearPolicyParams params, TrainArs(options, nullptr));
  EXPECT_THAT(EvaluateLinearPolicy(params, "mujoco/cheetah_run", 0, 1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("observation values")));
}

}  // namespace
}  // namespace calico
