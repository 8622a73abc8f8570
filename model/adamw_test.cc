#include "model/adamw.h"

#include <cmath>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/test_batches.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

TEST(LearningRateTest, WarmsUpLinearlyThenDecaysByTenCosine) {
  AdamWOptions o;
  o.learning_rate = 1.0;
  o.warmup_steps = 10;
  o.total_steps = 110;
  EXPECT_DOUBLE_EQ(LearningRateAt(o, 0), 0.1);
  EXPECT_DOUBLE_EQ(LearningRateAt(o, 9), 1.0);
  EXPECT_DOUBLE_EQ(LearningRateAt(o, 10), 1.0);
  EXPECT_NEAR(LearningRateAt(o, 60), 0.55, 1e-12);  // halfway: mean of 1 and 0.1
  EXPECT_NEAR(LearningRateAt(o, 110), 0.1, 1e-12);
  EXPECT_NEAR(LearningRateAt(o, 1000), 0.1, 1e-12);
  EXPECT_GT(LearningRateAt(o, 30), LearningRateAt(o, 31));
}

TEST(AdamWOptionsTest, InvalidValuesAreNamed) {
  AdamWOptions o;
  o.beta2 = 1.0;
  EXPECT_THAT(o.Validate(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("beta2 is 1")));
  o = AdamWOptions();
  o.total_steps = 5;
  EXPECT_THAT(o.Validate(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("total_steps")));
  o = AdamWOptions();
  o.learning_rate = -1;
  EXPECT_THAT(AdamW::Create(o, ParameterLayout(TinyConfig())).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("learning_rate")));
}

TEST(AdamWTest, SetTotalStepsMovesTheEndOfTheCosineAndRefusesOneBeforeTheWarmUp) {
  AdamWOptions o;
  o.warmup_steps = 10;
  o.total_steps = 1000;
  ASSERT_OK_AND_ASSIGN(AdamW opt, AdamW::Create(o, ParameterLayout(TinyConfig())));
  ASSERT_OK(opt.SetTotalSteps(110));
  EXPECT_EQ(opt.options().total_steps, 110);
  EXPECT_NEAR(LearningRateAt(opt.options(), 110), o.learning_rate * 0.1, 1e-15);
  EXPECT_THAT(opt.SetTotalSteps(9), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("total_steps")));
  EXPECT_EQ(opt.options().total_steps, 110) << "a refused value leaves the schedule as it was";
}

TEST(AdamWTest, MatchesTheFormulaWithDecayOnlyOnWeightMatrices) {
  const ParameterLayout layout(TinyConfig());
  AdamWOptions o;
  o.learning_rate = 0.01;
  o.warmup_steps = 0;
  o.total_steps = 1;
  o.max_grad_norm = 0;
  ASSERT_OK_AND_ASSIGN(AdamW opt, AdamW::Create(o, layout));
  std::vector<float> params(layout.size(), 2.0f), grads(layout.size(), 0.5f);
  ASSERT_OK(opt.Update(grads, &params).status());
  // First step: m_hat = g, v_hat = g^2, so the Adam step is lr * g / (|g| + eps) ~ lr.
  const float adam = 2.0f - 0.01f * 0.5f / (0.5f + 1e-8f);
  for (const TensorInfo& t : layout.tensors()) {
    const float expected = t.decay ? 2.0f * (1 - 0.01f * 0.1f) - 0.01f * 0.5f / (0.5f + 1e-8f) : adam;
    EXPECT_NEAR(params[t.offset], expected, 1e-6) << t.name;
  }
  EXPECT_TRUE(layout.tensors()[0].name == "token_embedding" && !layout.tensors()[0].decay);
  EXPECT_EQ(opt.step(), 1);
}

TEST(AdamWTest, ClipsTheGlobalNormAndRejectsNonFiniteGradients) {
  const ParameterLayout layout(TinyConfig());
  AdamWOptions o;
  o.warmup_steps = 0;
  o.max_grad_norm = 1.0;
  ASSERT_OK_AND_ASSIGN(AdamW opt, AdamW::Create(o, layout));
  std::vector<float> params(layout.size(), 0.0f), grads(layout.size(), 0.0f);
  grads[0] = 30;
  grads[1] = 40;
  ASSERT_OK_AND_ASSIGN(double norm, opt.Update(grads, &params));
  EXPECT_NEAR(norm, 50.0, 1e-9);
  EXPECT_NEAR(opt.first_moment()[0], 0.1 * 30 / 50, 1e-7);  // (1 - beta1) * clipped g
  const std::vector<float> before = params;
  grads[5] = std::nanf("");
  EXPECT_THAT(opt.Update(grads, &params),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("gradient norm is nan")));
  EXPECT_EQ(params, before);
  EXPECT_EQ(opt.step(), 1);
}

}  // namespace
}  // namespace calico
