#include "envs/action_noise.h"

#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

// Records every action it receives; a float action "u" in [-2, 2] (2 elements) and a
// discrete "d" in [0, 3].
class RecordingEnv : public Environment {
 public:
  explicit RecordingEnv(std::vector<NamedArrays>* log, bool unbounded = false) : log_(log) {
    specs_["u"] = {"u", {2}, DType::kFloat32, {-2}, {2}};
    if (unbounded) specs_["u"] = {"u", {2}, DType::kFloat32, {}, {}};
    specs_["d"] = {"d", {}, DType::kInt32, {0}, {3}};
  }
  RecordingEnv(std::vector<NamedArrays>* log, SpecMap specs) : log_(log), specs_(std::move(specs)) {}
  const SpecMap& observation_spec() const override { return specs_; }
  const SpecMap& action_spec() const override { return specs_; }
  absl::StatusOr<TimeStep> Reset(uint64_t) override { return TimeStep(); }
  absl::StatusOr<TimeStep> Step(const NamedArrays& action) override {
    log_->push_back(action);
    return TimeStep();
  }
  absl::StatusOr<Array> Render(int, int) override { return absl::UnimplementedError("no pixels"); }

 private:
  std::vector<NamedArrays>* log_;
  SpecMap specs_;
};

NamedArrays Action(float u0, float u1, int d) {
  return {{"u", Array::Float({2}, {u0, u1})}, {"d", Array::Int({}, {d})}};
}

std::unique_ptr<Environment> Wrapped(std::vector<NamedArrays>* log, double scale) {
  absl::StatusOr<std::unique_ptr<Environment>> env =
      ActionNoiseEnvironment::Wrap(std::make_unique<RecordingEnv>(log), ActionNoiseOptions{scale});
  EXPECT_OK(env.status());
  return env.ok() ? std::move(*env) : nullptr;
}

TEST(ActionNoiseTest, ZeroNoiseExecutesTheActionUnchanged) {
  std::vector<NamedArrays> log;
  auto env = Wrapped(&log, 0.0);
  ASSERT_OK(env->Reset(1).status());
  for (int i = 0; i < 50; ++i) ASSERT_OK(env->Step(Action(0.5f, -1.25f, i % 4)).status());
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(log[i].at("u").floats, (std::vector<float>{0.5f, -1.25f}));
    EXPECT_EQ(log[i].at("d").ints[0], i % 4);
  }
}

TEST(ActionNoiseTest, ContinuousNoiseHasTheRequestedSpreadAndStaysInBounds) {
  std::vector<NamedArrays> log;
  auto env = Wrapped(&log, 0.1);  // stddev 0.1 * 2 = 0.2 around the action
  ASSERT_OK(env->Reset(7).status());
  const int n = 20000;
  for (int i = 0; i < n; ++i) ASSERT_OK(env->Step(Action(0.0f, 1.9f, 0)).status());
  double sum = 0, sum_sq = 0;
  int clipped = 0;
  for (const NamedArrays& a : log) {
    const double x = a.at("u").floats[0];
    sum += x;
    sum_sq += x * x;
    const double y = a.at("u").floats[1];
    EXPECT_LE(y, 2.0);
    EXPECT_GE(y, -2.0);
    clipped += y == 2.0f;
  }
  const double mean = sum / n, stddev = std::sqrt(sum_sq / n - mean * mean);
  EXPECT_NEAR(mean, 0.0, 0.01);  // 4.5 standard errors
  EXPECT_NEAR(stddev, 0.2, 0.006);
  // P(N(1.9, 0.2) > 2) = P(z > 0.5) = 0.3085: those are clipped onto the bound.
  EXPECT_NEAR(static_cast<double>(clipped) / n, 0.3085, 0.015);
}

TEST(ActionNoiseTest, DiscreteActionsAreReplacedWithTheGivenProbability) {
  std::vector<NamedArrays> log;
  auto env = Wrapped(&log, 0.4);
  ASSERT_OK(env->Reset(3).status());
  const int n = 20000;
  for (int i = 0; i < n; ++i) ASSERT_OK(env->Step(Action(0, 0, 2)).status());
  std::vector<int> counts(4, 0);
  for (const NamedArrays& a : log) ++counts.at(a.at("d").ints[0]);
  // Replaced with p = 0.4 by a uniform draw of 4 values: each other value 0.1, 2 keeps 0.7.
  EXPECT_NEAR(counts[2] / static_cast<double>(n), 0.7, 0.015);
  for (int v : {0, 1, 3}) EXPECT_NEAR(counts[v] / static_cast<double>(n), 0.1, 0.01) << v;
}

TEST(ActionNoiseTest, TheSameSeedGivesTheSameNoise) {
  std::vector<NamedArrays> a, b, c;
  auto env_a = Wrapped(&a, 0.3), env_b = Wrapped(&b, 0.3), env_c = Wrapped(&c, 0.3);
  ASSERT_OK(env_a->Reset(11).status());
  ASSERT_OK(env_b->Reset(11).status());
  ASSERT_OK(env_c->Reset(12).status());
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK(env_a->Step(Action(0, 0, 1)).status());
    ASSERT_OK(env_b->Step(Action(0, 0, 1)).status());
    ASSERT_OK(env_c->Step(Action(0, 0, 1)).status());
  }
  int same_as_other_seed = 0;
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(a[i].at("u").floats, b[i].at("u").floats);
    EXPECT_EQ(a[i].at("d").ints, b[i].at("d").ints);
    same_as_other_seed += a[i].at("u").floats == c[i].at("u").floats;
  }
  EXPECT_EQ(same_as_other_seed, 0);
}

TEST(ActionNoiseTest, NoisyActionsStayInsideBoundsThatAreNotExactFloatsOrWholeNumbers) {
  // 0.3 has no exact float (0.3f is above it); [0.5, 3.5] admits 1, 2 and 3 only.
  SpecMap specs;
  specs["u"] = {"u", {2}, DType::kFloat32, {-0.3}, {0.3}};
  specs["d"] = {"d", {}, DType::kInt32, {0.5}, {3.5}};
  std::vector<NamedArrays> log;
  absl::StatusOr<std::unique_ptr<Environment>> env =
      ActionNoiseEnvironment::Wrap(std::make_unique<RecordingEnv>(&log, specs), ActionNoiseOptions{1.0});
  ASSERT_OK(env.status());
  ASSERT_OK((*env)->Reset(5).status());
  for (int i = 0; i < 2000; ++i) {
    ASSERT_OK((*env)->Step({{"u", Array::Float({2}, {0.29f, -0.29f})}, {"d", Array::Int({}, {2})}}).status());
  }
  std::vector<int> counts(5, 0);
  int at_bound = 0;
  for (const NamedArrays& a : log) {
    EXPECT_OK(CheckArrays(specs, a, "executed action"));
    ++counts.at(a.at("d").ints[0]);
    at_bound += a.at("u").floats[0] == std::nextafter(0.3f, 0.0f);
  }
  EXPECT_EQ(counts[0], 0);
  EXPECT_GT(counts[1], 0);
  EXPECT_GT(counts[3], 0);
  EXPECT_GT(at_bound, 100) << "noise of 0.3 around 0.29 clips onto the bound often";

  specs["d"] = {"d", {}, DType::kInt32, {0.5}, {0.7}};
  EXPECT_THAT(ActionNoiseEnvironment::Wrap(std::make_unique<RecordingEnv>(&log, specs), ActionNoiseOptions{0.1}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("hold no whole number")));
}

TEST(ActionNoiseTest, BadActionsAndOptionsAreErrors) {
  std::vector<NamedArrays> log;
  auto env = Wrapped(&log, 0.3);
  ASSERT_OK(env->Reset(1).status());
  EXPECT_THAT(env->Step(Action(std::nanf(""), 0, 0)), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'u'")));
  EXPECT_THAT(env->Step(Action(3.0f, 0, 0)), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("'u'")));
  EXPECT_THAT(env->Step(Action(0, 0, 4)), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("'d'")));
  EXPECT_TRUE(log.empty()) << "a rejected action is never executed";
  for (double bad : {-0.1, 1.5, std::numeric_limits<double>::quiet_NaN()}) {
    EXPECT_THAT(ActionNoiseEnvironment::Wrap(std::make_unique<RecordingEnv>(&log), ActionNoiseOptions{bad}),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected a number in [0, 1]")));
  }
  EXPECT_THAT(ActionNoiseEnvironment::Wrap(std::make_unique<RecordingEnv>(&log, /*unbounded=*/true),
                                           ActionNoiseOptions{0.1}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'u' element 0 is unbounded")));
  EXPECT_THAT(ActionNoiseEnvironment::Wrap(nullptr, ActionNoiseOptions{0.1}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no environment")));
}

}  // namespace
}  // namespace calico
