#include "envs/mujoco/rewards.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace calico {
namespace {

constexpr double kPi = 3.14159265358979323846;

struct SigmoidEntry {
  Sigmoid sigmoid;
  const char* name;
};

constexpr SigmoidEntry kSigmoids[] = {
    {Sigmoid::kGaussian, "gaussian"},   {Sigmoid::kHyperbolic, "hyperbolic"},
    {Sigmoid::kLongTail, "long_tail"},  {Sigmoid::kReciprocal, "reciprocal"},
    {Sigmoid::kCosine, "cosine"},       {Sigmoid::kLinear, "linear"},
    {Sigmoid::kQuadratic, "quadratic"}, {Sigmoid::kTanhSquared, "tanh_squared"},
};

// Shapes with a finite support may be exactly 0 at the margin; the others only approach 0.
bool ReachesZero(Sigmoid sigmoid) {
  return sigmoid == Sigmoid::kCosine || sigmoid == Sigmoid::kLinear || sigmoid == Sigmoid::kQuadratic;
}

absl::Status ValidateValueAtMargin(double value, Sigmoid sigmoid) {
  const bool ok = ReachesZero(sigmoid) ? (value >= 0.0 && value < 1.0) : (value > 0.0 && value < 1.0);
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat("tolerance value_at_margin ", value, " for sigmoid '",
                                                   SigmoidName(sigmoid), "': expected ",
                                                   ReachesZero(sigmoid) ? "[0, 1)" : "(0, 1)"));
  }
  return absl::OkStatus();
}

[[noreturn]] void Die(const absl::Status& status) {
  std::fprintf(stderr, "calico: invalid reward constants: %s\n", status.ToString().c_str());
  std::abort();
}

}  // namespace

absl::StatusOr<Sigmoid> ParseSigmoid(absl::string_view name) {
  for (const SigmoidEntry& entry : kSigmoids) {
    if (name == entry.name) return entry.sigmoid;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown sigmoid '", name,
      "': expected gaussian, hyperbolic, long_tail, reciprocal, cosine, linear, quadratic or tanh_squared"));
}

const char* SigmoidName(Sigmoid sigmoid) {
  for (const SigmoidEntry& entry : kSigmoids) {
    if (entry.sigmoid == sigmoid) return entry.name;
  }
  return "unknown";
}

absl::Status ToleranceOptions::Validate() const {
  if (!(lower <= upper)) {
    return absl::InvalidArgumentError(
        absl::StrCat("tolerance bounds (", lower, ", ", upper, "): expected lower <= upper"));
  }
  if (!(margin >= 0.0)) {
    return absl::InvalidArgumentError(absl::StrCat("tolerance margin ", margin, ": expected >= 0"));
  }
  return ValidateValueAtMargin(value_at_margin, sigmoid);
}

SigmoidShape::SigmoidShape(Sigmoid sigmoid, double value_at_1) : sigmoid_(sigmoid) {
  if (absl::Status status = ValidateValueAtMargin(value_at_1, sigmoid); !status.ok()) Die(status);
  switch (sigmoid) {
    case Sigmoid::kGaussian:
      scale_ = std::sqrt(-2.0 * std::log(value_at_1));
      break;
    case Sigmoid::kHyperbolic:
      scale_ = std::acosh(1.0 / value_at_1);
      break;
    case Sigmoid::kLongTail:
      scale_ = std::sqrt(1.0 / value_at_1 - 1.0);
      break;
    case Sigmoid::kReciprocal:
      scale_ = 1.0 / value_at_1 - 1.0;
      break;
    case Sigmoid::kCosine:
      scale_ = std::acos(2.0 * value_at_1 - 1.0);  // divided by pi after multiplying by d
      break;
    case Sigmoid::kLinear:
      scale_ = 1.0 - value_at_1;
      break;
    case Sigmoid::kQuadratic:
      scale_ = std::sqrt(1.0 - value_at_1);
      break;
    case Sigmoid::kTanhSquared:
      scale_ = std::atanh(std::sqrt(1.0 - value_at_1));
      break;
  }
}

double SigmoidShape::operator()(double d) const {
  switch (sigmoid_) {
    case Sigmoid::kGaussian:
      return std::exp(-0.5 * (d * scale_) * (d * scale_));
    case Sigmoid::kHyperbolic:
      return 1.0 / std::cosh(d * scale_);
    case Sigmoid::kLongTail:
      return 1.0 / ((d * scale_) * (d * scale_) + 1.0);
    case Sigmoid::kReciprocal:
      return 1.0 / (std::abs(d) * scale_ + 1.0);
    case Sigmoid::kCosine: {
      const double scaled = d * scale_ / kPi;
      return std::abs(scaled) < 1.0 ? (1.0 + std::cos(kPi * scaled)) / 2.0 : 0.0;
    }
    case Sigmoid::kLinear: {
      const double scaled = d * scale_;
      return std::abs(scaled) < 1.0 ? 1.0 - scaled : 0.0;
    }
    case Sigmoid::kQuadratic: {
      const double scaled = d * scale_;
      return std::abs(scaled) < 1.0 ? 1.0 - scaled * scaled : 0.0;
    }
    case Sigmoid::kTanhSquared: {
      const double t = std::tanh(d * scale_);
      return 1.0 - t * t;
    }
  }
  return 0.0;
}

double SigmoidValue(double d, double value_at_1, Sigmoid sigmoid) { return SigmoidShape(sigmoid, value_at_1)(d); }

namespace rewards_internal {

void DieOnBadBounds(double lower, double upper, double margin) {
  Die(ToleranceOptions{lower, upper, margin, Sigmoid::kGaussian, 0.5}.Validate());
}

}  // namespace rewards_internal

double Tolerance(double x, const ToleranceOptions& options) {
  if (absl::Status status = options.Validate(); !status.ok()) Die(status);
  if (options.lower <= x && x <= options.upper) return 1.0;
  if (options.margin == 0.0) return 0.0;  // the shape (and its scale) is not needed
  return Tolerance(x, options.lower, options.upper, options.margin,
                   SigmoidShape(options.sigmoid, options.value_at_margin));
}

}  // namespace calico
