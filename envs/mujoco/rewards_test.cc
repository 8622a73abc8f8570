#include "envs/mujoco/rewards.h"

#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

constexpr double kPi = 3.14159265358979323846;

// Each shape written from its defining property, not with the library's scale constants:
// f(0) = 1, f(1) = v, and the family's functional form. d is the distance in margins.
double Expected(Sigmoid sigmoid, double d, double v) {
  switch (sigmoid) {
    case Sigmoid::kGaussian:  // exp(-a d^2) with exp(-a) = v
      return std::pow(v, d * d);
    case Sigmoid::kHyperbolic: {  // sech(a d) with sech(a) = v
      const double a = std::log(1.0 / v + std::sqrt(1.0 / (v * v) - 1.0));
      return 2.0 / (std::exp(a * d) + std::exp(-a * d));
    }
    case Sigmoid::kLongTail:  // 1 / (1 + a d^2) with 1 / (1 + a) = v
      return 1.0 / (1.0 + (1.0 / v - 1.0) * d * d);
    case Sigmoid::kReciprocal:  // 1 / (1 + a d)
      return 1.0 / (1.0 + (1.0 / v - 1.0) * d);
    case Sigmoid::kCosine: {  // (1 + cos(a d)) / 2 up to a d = pi, with (1 + cos a) / 2 = v
      const double a = std::acos(2.0 * v - 1.0);
      return a * d < kPi ? 0.5 + 0.5 * std::cos(a * d) : 0.0;
    }
    case Sigmoid::kLinear:  // 1 - a d down to 0, with 1 - a = v
      return std::max(0.0, 1.0 - (1.0 - v) * d);
    case Sigmoid::kQuadratic:  // 1 - a d^2 down to 0
      return (1.0 - v) * d * d < 1.0 ? 1.0 - (1.0 - v) * d * d : 0.0;
    case Sigmoid::kTanhSquared: {  // 1 - tanh(a d)^2 with 1 - tanh(a)^2 = v
      const double a = 0.5 * std::log((1.0 + std::sqrt(1.0 - v)) / (1.0 - std::sqrt(1.0 - v)));
      const double e = std::exp(2.0 * a * d);
      const double t = (e - 1.0) / (e + 1.0);
      return 1.0 - t * t;
    }
  }
  return -1.0;
}

const std::vector<Sigmoid> kAll = {Sigmoid::kGaussian, Sigmoid::kHyperbolic, Sigmoid::kLongTail,
                                   Sigmoid::kReciprocal, Sigmoid::kCosine,    Sigmoid::kLinear,
                                   Sigmoid::kQuadratic,  Sigmoid::kTanhSquared};

TEST(RewardsTest, EveryShapeMatchesItsDefiningFormula) {
  for (Sigmoid sigmoid : kAll) {
    for (double v : {0.1, 0.3, 0.7}) {
      for (double d : {0.0, 0.25, 0.5, 1.0, 1.3, 2.0, 4.0}) {
        EXPECT_NEAR(SigmoidValue(d, v, sigmoid), Expected(sigmoid, d, v), 1e-12)
            << SigmoidName(sigmoid) << " d=" << d << " v=" << v;
      }
    }
  }
}

// The library's formulas as first written, computing the scale on every call: the
// precomputed SigmoidShape must give the same doubles, bit for bit.
double NaiveSigmoidValue(double d, double value_at_1, Sigmoid sigmoid) {
  switch (sigmoid) {
    case Sigmoid::kGaussian: {
      const double scale = std::sqrt(-2.0 * std::log(value_at_1));
      return std::exp(-0.5 * (d * scale) * (d * scale));
    }
    case Sigmoid::kHyperbolic: {
      const double scale = std::acosh(1.0 / value_at_1);
      return 1.0 / std::cosh(d * scale);
    }
    case Sigmoid::kLongTail: {
      const double scale = std::sqrt(1.0 / value_at_1 - 1.0);
      return 1.0 / ((d * scale) * (d * scale) + 1.0);
    }
    case Sigmoid::kReciprocal: {
      const double scale = 1.0 / value_at_1 - 1.0;
      return 1.0 / (std::abs(d) * scale + 1.0);
    }
    case Sigmoid::kCosine: {
      const double scaled = d * std::acos(2.0 * value_at_1 - 1.0) / kPi;
      return std::abs(scaled) < 1.0 ? (1.0 + std::cos(kPi * scaled)) / 2.0 : 0.0;
    }
    case Sigmoid::kLinear: {
      const double scaled = d * (1.0 - value_at_1);
      return std::abs(scaled) < 1.0 ? 1.0 - scaled : 0.0;
    }
    case Sigmoid::kQuadratic: {
      const double scaled = d * std::sqrt(1.0 - value_at_1);
      return std::abs(scaled) < 1.0 ? 1.0 - scaled * scaled : 0.0;
    }
    case Sigmoid::kTanhSquared: {
      const double t = std::tanh(d * std::atanh(std::sqrt(1.0 - value_at_1)));
      return 1.0 - t * t;
    }
  }
  return 0.0;
}

TEST(RewardsTest, PrecomputedShapesMatchTheNaiveFormulasExactly) {
  for (Sigmoid sigmoid : kAll) {
    for (double v : {0.1, 0.25, 0.7}) {
      const SigmoidShape shape(sigmoid, v);
      for (int i = 0; i <= 400; ++i) {
        const double d = i * 0.01;
        EXPECT_EQ(shape(d), NaiveSigmoidValue(d, v, sigmoid)) << SigmoidName(sigmoid) << " d=" << d;
        EXPECT_EQ(SigmoidValue(d, v, sigmoid), NaiveSigmoidValue(d, v, sigmoid));
      }
      const ToleranceOptions options{-0.5, 1.0, 0.75, sigmoid, v};
      for (int i = -300; i <= 300; ++i) {
        const double x = i * 0.013;
        EXPECT_EQ(Tolerance(x, options), Tolerance(x, -0.5, 1.0, 0.75, shape)) << x;
      }
    }
  }
}

TEST(RewardsTest, ToleranceIsOneInsideBoundsAndValueAtMarginOneMarginAway) {
  for (Sigmoid sigmoid : kAll) {
    const ToleranceOptions options{-1.0, 2.0, 0.5, sigmoid, 0.25};
    EXPECT_EQ(Tolerance(-1.0, options), 1.0);
    EXPECT_EQ(Tolerance(0.3, options), 1.0);
    EXPECT_EQ(Tolerance(2.0, options), 1.0);
    EXPECT_NEAR(Tolerance(2.5, options), 0.25, 1e-12) << SigmoidName(sigmoid);
    EXPECT_NEAR(Tolerance(-1.5, options), 0.25, 1e-12) << SigmoidName(sigmoid);
    // Distance is measured from the nearer bound, in margins: 2.2 is 0.4 margins out.
    EXPECT_NEAR(Tolerance(2.2, options), Expected(sigmoid, 0.4, 0.25), 1e-12) << SigmoidName(sigmoid);
    EXPECT_NEAR(Tolerance(-1.7, options), Expected(sigmoid, 1.4, 0.25), 1e-12) << SigmoidName(sigmoid);
  }
}

TEST(RewardsTest, ZeroMarginIsAnIndicator) {
  const ToleranceOptions options{0.0, 0.06, 0.0, Sigmoid::kGaussian, 0.1};
  EXPECT_EQ(Tolerance(0.059, options), 1.0);
  EXPECT_EQ(Tolerance(0.0601, options), 0.0);
  EXPECT_EQ(Tolerance(-0.0001, options), 0.0);
}

TEST(RewardsTest, FiniteSupportShapesReachZero) {
  // The Control Suite's small-control term: quadratic with value 0 at the margin.
  const ToleranceOptions quadratic{0.0, 0.0, 1.0, Sigmoid::kQuadratic, 0.0};
  EXPECT_NEAR(Tolerance(0.5, quadratic), 0.75, 1e-15);
  EXPECT_EQ(Tolerance(1.0, quadratic), 0.0);
  EXPECT_EQ(Tolerance(-3.0, quadratic), 0.0);
  // cheetah_run: linear from 0 at rest up to 1 at 10 m/s and beyond.
  const ToleranceOptions run{10.0, std::numeric_limits<double>::infinity(), 10.0, Sigmoid::kLinear, 0.0};
  EXPECT_NEAR(Tolerance(4.0, run), 0.4, 1e-15);
  EXPECT_EQ(Tolerance(0.0, run), 0.0);
  EXPECT_EQ(Tolerance(-2.0, run), 0.0);
  EXPECT_EQ(Tolerance(12.0, run), 1.0);
}

TEST(RewardsTest, ValidateRejectsBadOptions) {
  EXPECT_OK(ToleranceOptions().Validate());
  EXPECT_THAT((ToleranceOptions{1.0, 0.0, 0.0, Sigmoid::kGaussian, 0.1}).Validate(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lower <= upper")));
  EXPECT_THAT((ToleranceOptions{0.0, 0.0, -1.0, Sigmoid::kGaussian, 0.1}).Validate(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("margin")));
  EXPECT_THAT((ToleranceOptions{0.0, 0.0, 1.0, Sigmoid::kGaussian, 0.0}).Validate(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("(0, 1)")));
  EXPECT_OK((ToleranceOptions{0.0, 0.0, 1.0, Sigmoid::kLinear, 0.0}).Validate());
  EXPECT_THAT((ToleranceOptions{0.0, 0.0, 1.0, Sigmoid::kLinear, 1.0}).Validate(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("[0, 1)")));
}

TEST(RewardsTest, SigmoidNamesRoundTrip) {
  for (Sigmoid sigmoid : kAll) {
    ASSERT_OK_AND_ASSIGN(Sigmoid parsed, ParseSigmoid(SigmoidName(sigmoid)));
    EXPECT_EQ(parsed, sigmoid);
  }
  EXPECT_THAT(ParseSigmoid("logistic"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("logistic")));
}

TEST(RewardsDeathTest, InvalidConstantsAbortWithAMessage) {
  EXPECT_DEATH(Tolerance(0.0, {1.0, 0.0, 0.0, Sigmoid::kGaussian, 0.1}), "lower <= upper");
}

}  // namespace
}  // namespace calico
