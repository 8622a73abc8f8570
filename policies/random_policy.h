// RandomPolicy: uniform random actions inside the action spec's bounds (the 0% of every
// score).
#ifndef CALICO_POLICIES_RANDOM_POLICY_H_
#define CALICO_POLICIES_RANDOM_POLICY_H_

#include <memory>

#include "absl/status/statusor.h"
#include "base/random.h"
#include "envs/specs.h"
#include "policies/policy.h"

namespace calico {

// Continuous elements: uniform in [minimum, maximum]; discrete: uniform integer in
// [minimum, maximum]. Not thread-safe.
class RandomPolicy : public Policy {
 public:
  // Every action element must be bounded (an unbounded spec has no uniform distribution).
  static absl::StatusOr<std::unique_ptr<RandomPolicy>> Create(const SpecMap& action_spec);

  void Reset(uint64_t seed) override { rng_ = Rng(seed); }
  absl::StatusOr<NamedArrays> Act(const TimeStep& timestep) override;

 private:
  explicit RandomPolicy(SpecMap action_spec) : action_spec_(std::move(action_spec)) {}

  SpecMap action_spec_;
  Rng rng_{0};
};

}  // namespace calico

#endif  // CALICO_POLICIES_RANDOM_POLICY_H_
