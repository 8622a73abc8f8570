#include "policies/rollout.h"

#include "base/status_macros.h"

namespace calico {

absl::StatusOr<EpisodeResult> RunEpisode(Environment& env, Policy& policy, uint64_t seed,
                                         const StepObserver& observer) {
  EpisodeResult result;
  policy.Reset(seed);
  // One TimeStep for the whole episode: the environment overwrites its arrays in place.
  TimeStep timestep;
  RETURN_IF_ERROR(env.ResetInto(seed, &timestep));
  while (!timestep.last()) {
    ASSIGN_OR_RETURN(NamedArrays action, policy.Act(timestep));
    if (observer) RETURN_IF_ERROR(observer(timestep, &action));
    RETURN_IF_ERROR(env.StepInto(action, &timestep));
    result.episode_return += timestep.reward;
    ++result.steps;
  }
  if (observer) RETURN_IF_ERROR(observer(timestep, nullptr));
  return result;
}

}  // namespace calico
