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

double SigmoidValue(double d, double value_at_1, Sigmoid sigmoid) {
  if (absl::Status status = ValidateValueAtMargin(value_at_1, sigmoid); !status.ok()) Die(status);
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

double Tolerance(double x, const ToleranceOptions& options) {
  if (absl::Status status = options.Validate(); !status.ok()) Die(status);
  const bool in_bounds = options.lower <= x && x <= options.upper;
  if (in_bounds) return 1.0;
  if (options.margin == 0.0) return 0.0;
  const double d = (x < options.lower ? options.lower - x : x - options.upper) / options.margin;
  return SigmoidValue(d, options.value_at_margin, options.sigmoid);
}

}  // namespace calico
