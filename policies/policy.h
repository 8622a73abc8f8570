// Policy: anything that turns TimeSteps into actions (experts, random, the transformer).
#ifndef CALICO_POLICIES_POLICY_H_
#define CALICO_POLICIES_POLICY_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "envs/array.h"
#include "envs/environment.h"

namespace calico {

// Not thread-safe: one instance per environment. Deterministic given the seed passed to
// Reset and the TimeSteps it sees.
class Policy {
 public:
  virtual ~Policy() = default;

  // Starts an episode; any randomness of the policy comes from `seed`.
  virtual void Reset(uint64_t seed) = 0;

  // The action for `timestep` (which is not LAST); it must fit the task's action spec.
  virtual absl::StatusOr<NamedArrays> Act(const TimeStep& timestep) = 0;
};

}  // namespace calico

#endif  // CALICO_POLICIES_POLICY_H_
