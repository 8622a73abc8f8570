#include "policies/rollout.h"

#include "base/status_macros.h"

namespace calico {

absl::StatusOr<EpisodeResult> RunEpisode(Environment& env, Policy& policy, uint64_t seed,
                                         const StepObserver& observer) {
  EpisodeResult result;
  policy.Reset(seed);
  ASSIGN_OR_RETURN(TimeStep timestep, env.Reset(seed));
  while (!timestep.last()) {
    ASSIGN_OR_RETURN(NamedArrays action, policy.Act(timestep));
    if (observer) RETURN_IF_ERROR(observer(timestep, &action));
    ASSIGN_OR_RETURN(timestep, env.Step(action));
    result.episode_return += timestep.reward;
    ++result.steps;
  }
  if (observer) RETURN_IF_ERROR(observer(timestep, nullptr));
  return result;
}

}  // namespace calico
