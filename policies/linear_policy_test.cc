#include "policies/linear_policy.h"

#include <cmath>
#include <cstdlib>
#include <string>

#include "base/file_io.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

LinearPolicyParams TwoByThree() {
  LinearPolicyParams params;
  params.task = "mujoco/test_task";
  params.observation_size = 3;
  params.action_size = 2;
  params.mean = {0.5, -1.0, 0.0};
  params.std = {2.0, 1.0, 0.1};
  params.weights = {1.0, 0.0, 0.1, -0.5, 2.0, 1.0 / 3.0};
  params.bias = {0.25, -0.125};
  return params;
}

SpecMap ObservationSpec() {
  SpecMap spec;
  spec["a"] = {"a", {2}, DType::kFloat32, {}, {}};
  spec["b"] = {"b", {1}, DType::kFloat32, {}, {}};
  spec["pixels"] = {"pixels", {16, 16, 3}, DType::kUint8, {0}, {255}};
  return spec;
}

SpecMap ActionSpec() {
  SpecMap spec;
  spec["action"] = {"action", {2}, DType::kFloat32, {-1.0}, {1.0}};
  return spec;
}

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

TEST(LinearPolicyTest, TextRoundTripsExactly) {
  const LinearPolicyParams params = TwoByThree();
  const std::string text = LinearPolicyToText(params);
  EXPECT_THAT(text, HasSubstr("calico-linear-policy 1\n"));
  ASSERT_OK_AND_ASSIGN(LinearPolicyParams back, LinearPolicyFromText(text, "mem"));
  EXPECT_EQ(back.task, params.task);
  EXPECT_EQ(back.mean, params.mean);
  EXPECT_EQ(back.std, params.std);
  EXPECT_EQ(back.weights, params.weights);  // bit-exact, including 1/3
  EXPECT_EQ(back.bias, params.bias);
}

TEST(LinearPolicyTest, SaveAndLoadFile) {
  const std::string path = TempPath("policy.ars");
  ASSERT_OK(SaveLinearPolicyFile(TwoByThree(), path));
  ASSERT_OK_AND_ASSIGN(LinearPolicyParams back, LoadLinearPolicyFile(path));
  EXPECT_EQ(back.weights, TwoByThree().weights);
}

TEST(LinearPolicyTest, MissingFileIsNotFoundNamingThePath) {
  EXPECT_THAT(LoadLinearPolicyFile(TempPath("no_such.ars")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no_such.ars")));
}

TEST(LinearPolicyTest, CorruptFilesAreClearErrors) {
  const std::string good = LinearPolicyToText(TwoByThree());
  EXPECT_THAT(LinearPolicyFromText("", "f.ars"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(LinearPolicyFromText("GIF89a\n", "f.ars"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a linear policy file")));
  std::string v2 = good;
  v2.replace(v2.find(" 1\n"), 3, " 2\n");
  EXPECT_THAT(LinearPolicyFromText(v2, "f.ars"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("version '2'")));
  // Truncated: the bias line is gone.
  const std::string truncated = good.substr(0, good.find("bias"));
  EXPECT_THAT(LinearPolicyFromText(truncated, "f.ars"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'bias'")));
  // Truncated in the middle of the weights line.
  const std::string cut = good.substr(0, good.find("weights") + 20);
  EXPECT_THAT(LinearPolicyFromText(cut, "f.ars"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("weights")));
  std::string nan = good;
  nan.replace(nan.find("bias 0.25"), 9, "bias nan");
  EXPECT_THAT(LinearPolicyFromText(nan, "f.ars"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("finite")));
  std::string word = good;
  word.replace(word.find("bias 0.25"), 9, "bias 0.2x");
  EXPECT_THAT(LinearPolicyFromText(word, "f.ars"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 9")));
  std::string zero_std = good;
  zero_std.replace(zero_std.find("std 2"), 5, "std 0");
  EXPECT_THAT(LinearPolicyFromText(zero_std, "f.ars"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("std > 0")));
  EXPECT_THAT(LinearPolicyFromText(good + "extra 1\n", "f.ars"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unexpected")));
  std::string size = good;
  size.replace(size.find("action_size 2"), 13, "action_size -4");
  EXPECT_THAT(LinearPolicyFromText(size, "f.ars"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("action_size")));
}

TEST(LinearPolicyTest, ActsWithNormalisedLinearMapAndClips) {
  ASSERT_OK_AND_ASSIGN(auto policy, LinearPolicy::Create(TwoByThree(), ObservationSpec(), ActionSpec()));
  TimeStep step;
  step.observation["a"] = Array::Float({2}, {1.5f, 0.0f});
  step.observation["b"] = Array::Float({1}, {0.05f});
  step.observation["pixels"] = Array::Uint8({16, 16, 3}, std::vector<uint8_t>(768, 7));
  ASSERT_OK_AND_ASSIGN(NamedArrays action, policy->Act(step));
  // x normalised = ((1.5-0.5)/2, (0-(-1))/1, (0.05-0)/0.1) = (0.5, 1, 0.5)
  const double u0 = 0.25 + 1.0 * 0.5 + 0.0 * 1.0 + 0.1 * 0.5;
  const double u1 = -0.125 + -0.5 * 0.5 + 2.0 * 1.0 + (1.0 / 3.0) * 0.5;
  EXPECT_NEAR(action.at("action").floats[0], u0, 1e-6);
  EXPECT_LT(u0, 1.0);
  EXPECT_GT(u1, 1.0);
  EXPECT_EQ(action.at("action").floats[1], 1.0f);  // clipped
  EXPECT_OK(CheckArrays(ActionSpec(), action, "action"));
}

TEST(LinearPolicyTest, QuadraticFeaturesAddPairwiseProducts) {
  LinearPolicyParams params;
  params.task = "mujoco/test_task";
  params.observation_size = 2;
  params.action_size = 1;
  params.features = "quadratic";
  params.mean = {0.0, 1.0};
  params.std = {1.0, 2.0};
  ASSERT_EQ(params.feature_size(), 5);  // z0, z1, z0 z0, z0 z1, z1 z1
  params.weights = {0.0, 0.0, 1.0, 10.0, 100.0};
  params.bias = {0.0};
  ASSERT_OK(params.Validate());
  std::vector<double> features, out;
  LinearPolicy::Evaluate(params, {3.0, 5.0}, &features, &out);  // z = (3, 2)
  EXPECT_DOUBLE_EQ(out[0], 9.0 + 10.0 * 6.0 + 100.0 * 4.0);
  ASSERT_OK_AND_ASSIGN(LinearPolicyParams back, LinearPolicyFromText(LinearPolicyToText(params), "q.ars"));
  EXPECT_EQ(back.features, "quadratic");
  EXPECT_EQ(back.weights, params.weights);
  params.weights.pop_back();
  EXPECT_THAT(params.Validate(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("weights 4")));
  params.features = "cubic";
  EXPECT_THAT(params.Validate(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cubic")));
  std::string text = LinearPolicyToText(TwoByThree());
  text.replace(text.find("features linear"), 15, "features cubic");
  EXPECT_THAT(LinearPolicyFromText(text, "f.ars"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 5")));
}

TEST(LinearPolicyTest, CreateRejectsSizesThatDoNotFitTheTask) {
  SpecMap small = ObservationSpec();
  small.erase("b");
  EXPECT_THAT(LinearPolicy::Create(TwoByThree(), small, ActionSpec()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reads 3 observation values; the task has 2")));
  SpecMap wide;
  wide["action"] = {"action", {6}, DType::kFloat32, {-1.0}, {1.0}};
  EXPECT_THAT(LinearPolicy::Create(TwoByThree(), ObservationSpec(), wide),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("takes 6")));
}

}  // namespace
}  // namespace calico
