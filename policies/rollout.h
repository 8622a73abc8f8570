// Running one episode of a policy in an environment.
#ifndef CALICO_POLICIES_ROLLOUT_H_
#define CALICO_POLICIES_ROLLOUT_H_

#include <cstdint>
#include <functional>

#include "absl/status/statusor.h"
#include "envs/environment.h"
#include "policies/policy.h"

namespace calico {

struct EpisodeResult {
  double episode_return = 0.0;  // sum of rewards
  int64_t steps = 0;            // Step calls
};

// Called with every TimeStep (FIRST included) and the action taken after it (null on
// the LAST step), e.g. to record frames or episodes. The TimeStep is overwritten by the
// next step: copy what you keep.
using StepObserver = std::function<absl::Status(const TimeStep&, const NamedArrays* action)>;

// Resets `env` and `policy` with `seed` and runs until a LAST step.
absl::StatusOr<EpisodeResult> RunEpisode(Environment& env, Policy& policy, uint64_t seed,
                                         const StepObserver& observer = nullptr);

}  // namespace calico

#endif  // CALICO_POLICIES_ROLLOUT_H_
