// LinearPolicy: action = clip(W f(z) + b) with z = (o - mean) / std over the concatenated
// FLOAT32 observations and f either the identity ("linear") or z plus all products
// z_i z_j, i <= j ("quadratic"); the policies that augmented random search trains, and
// their versioned text file format (".ars").
#ifndef CALICO_POLICIES_LINEAR_POLICY_H_
#define CALICO_POLICIES_LINEAR_POLICY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "envs/specs.h"
#include "policies/policy.h"

namespace calico {

// Parameters of a linear policy. Plain value type.
struct LinearPolicyParams {
  std::string task;                   // the task it was trained on ("mujoco/cheetah_run")
  int observation_size = 0;           // n: FLOAT32 observation elements, keys in order
  int action_size = 0;                // m: elements of the "action" array
  std::string features = "linear";    // "linear" (F = n) or "quadratic" (F = n + n(n+1)/2)
  std::vector<double> mean;           // [n] observation normaliser
  std::vector<double> std;            // [n] observation normaliser, > 0
  std::vector<double> weights;        // [m, F] row-major, F = feature_size()
  std::vector<double> bias;           // [m]

  // F: number of features the weights read (0 for an unknown feature kind).
  int feature_size() const;

  // A known feature kind, sizes that agree, finite numbers, every std > 0.
  absl::Status Validate() const;
};

// The text form, version 1:
//   calico-linear-policy 1
//   task <name>
//   observation_size <n>
//   action_size <m>
//   features <linear|quadratic>
//   mean <n numbers>
//   std <n numbers>
//   weights <m*F numbers, row-major>
//   bias <m numbers>
// Numbers are written with 17 significant digits, so a file round-trips exactly.
std::string LinearPolicyToText(const LinearPolicyParams& params);

// Parses LinearPolicyToText's output. Errors name `source` (a path, for messages), the
// line and what was expected; a wrong magic line or version is an error too.
absl::StatusOr<LinearPolicyParams> LinearPolicyFromText(absl::string_view text, absl::string_view source);

// Reads and parses the file at `path` (NotFound if it is missing).
absl::StatusOr<LinearPolicyParams> LoadLinearPolicyFile(const std::string& path);

// Writes `params` to `path` atomically.
absl::Status SaveLinearPolicyFile(const LinearPolicyParams& params, const std::string& path);

// The policy input: the FLOAT32 observations of `observation` in key order, skipping
// other dtypes (e.g. "pixels"), as doubles.
std::vector<double> FlattenFloatObservations(const NamedArrays& observation);

// Number of FLOAT32 observation elements in `spec` (what FlattenFloatObservations yields).
int FloatObservationSize(const SpecMap& spec);

// Acts with fixed parameters; deterministic (ignores the seed). Not thread-safe (one per
// environment).
class LinearPolicy : public Policy {
 public:
  // Checks `params` and that its sizes fit the task's specs (float observation size,
  // a single FLOAT32 "action" array with finite bounds).
  static absl::StatusOr<std::unique_ptr<LinearPolicy>> Create(LinearPolicyParams params,
                                                              const SpecMap& observation_spec,
                                                              const SpecMap& action_spec);

  void Reset(uint64_t seed) override {}
  absl::StatusOr<NamedArrays> Act(const TimeStep& timestep) override;

  // The unclipped action for a flat observation `x` (size n), written to `out` (size m);
  // `features` is scratch space.
  static void Evaluate(const LinearPolicyParams& params, const std::vector<double>& x, std::vector<double>* features,
                       std::vector<double>* out);

 private:
  LinearPolicy(LinearPolicyParams params, ArraySpec action_spec)
      : params_(std::move(params)), action_spec_(std::move(action_spec)) {}

  LinearPolicyParams params_;
  ArraySpec action_spec_;
  std::vector<double> features_;  // [F] scratch
  std::vector<double> raw_;       // [m] scratch
};

// Clips `raw` into the bounds of `spec` (a FLOAT32 action) as floats that satisfy them.
Array ClipToActionSpec(const std::vector<double>& raw, const ArraySpec& spec);

}  // namespace calico

#endif  // CALICO_POLICIES_LINEAR_POLICY_H_
