// Reward shaping of the DeepMind Control Suite: tolerance() and its sigmoid shapes.
#ifndef CALICO_ENVS_MUJOCO_REWARDS_H_
#define CALICO_ENVS_MUJOCO_REWARDS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace calico {

// How tolerance() falls off outside its bounds, as a function of the distance d >= 0
// from the bounds in units of the margin; every shape is 1 at d = 0 and value_at_margin at
// d = 1.
enum class Sigmoid {
  kGaussian,     // exp(-(d s)^2 / 2)
  kHyperbolic,   // 1 / cosh(d s)
  kLongTail,     // 1 / ((d s)^2 + 1)
  kReciprocal,   // 1 / (|d| s + 1)
  kCosine,       // (1 + cos(pi d s)) / 2 while d s < 1, else 0
  kLinear,       // 1 - d s while d s < 1, else 0
  kQuadratic,    // 1 - (d s)^2 while d s < 1, else 0
  kTanhSquared,  // 1 - tanh(d s)^2
};

// Parses the Control Suite's names ("gaussian", "long_tail", ...).
absl::StatusOr<Sigmoid> ParseSigmoid(absl::string_view name);

// The Control Suite's name of `sigmoid`.
const char* SigmoidName(Sigmoid sigmoid);

// Arguments of tolerance(): 1 inside [lower, upper], falling off over `margin` with the
// shape `sigmoid` to `value_at_margin` at distance `margin`. margin 0 gives an indicator.
// Plain value type.
struct ToleranceOptions {
  double lower = 0.0;
  double upper = 0.0;
  double margin = 0.0;
  Sigmoid sigmoid = Sigmoid::kGaussian;
  double value_at_margin = 0.1;

  // lower <= upper, margin >= 0, and value_at_margin in (0, 1) ([0, 1) for cosine, linear
  // and quadratic, which reach 0).
  absl::Status Validate() const;
};

// The sigmoid shape alone: value at distance `d` >= 0 (in margins) for `value_at_1`.
// Requires value_at_1 in the range ToleranceOptions::Validate accepts (aborts otherwise:
// the callers pass constants).
double SigmoidValue(double d, double value_at_1, Sigmoid sigmoid);

// One sigmoid shape with its scale (a log, acosh, ... of value_at_1) computed once, for
// rewards evaluated every step; SigmoidValue and Tolerance use it too, so the values are
// the same to the bit. Aborts on a value_at_1 SigmoidValue rejects. Immutable; thread-safe.
class SigmoidShape {
 public:
  SigmoidShape(Sigmoid sigmoid, double value_at_1);
  // SigmoidValue(d, value_at_1, sigmoid).
  double operator()(double d) const;

 private:
  Sigmoid sigmoid_;
  double scale_;
};

// dm_control's rewards.tolerance(x, bounds, margin, sigmoid, value_at_margin) for a scalar.
// `options` must be valid (see Validate); an invalid one aborts, since tasks build theirs
// from constants.
double Tolerance(double x, const ToleranceOptions& options);

// Tolerance(x, {lower, upper, margin, sigmoid, value_at_margin}) for `shape` made from
// that sigmoid and value_at_margin. Requires lower <= upper and margin >= 0 (aborts
// otherwise). Inline: rewards call it every step.
inline double Tolerance(double x, double lower, double upper, double margin, const SigmoidShape& shape);

// ---- implementation ----

namespace rewards_internal {
[[noreturn]] void DieOnBadBounds(double lower, double upper, double margin);
}  // namespace rewards_internal

inline double Tolerance(double x, double lower, double upper, double margin, const SigmoidShape& shape) {
  if (!(lower <= upper) || !(margin >= 0.0)) rewards_internal::DieOnBadBounds(lower, upper, margin);
  if (lower <= x && x <= upper) return 1.0;
  if (margin == 0.0) return 0.0;
  const double d = (x < lower ? lower - x : x - upper) / margin;
  return shape(d);
}

}  // namespace calico

#endif  // CALICO_ENVS_MUJOCO_REWARDS_H_
