#include "policies/batch_policy.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace calico {

absl::StatusOr<std::vector<NamedArrays>> PolicyBatch::Act(const std::vector<int>& envs,
                                                          const std::vector<const TimeStep*>& timesteps) {
  if (envs.size() != timesteps.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(envs.size(), " environments but ", timesteps.size(), " timesteps"));
  }
  std::vector<NamedArrays> actions;
  actions.reserve(envs.size());
  for (size_t i = 0; i < envs.size(); ++i) {
    if (envs[i] < 0 || envs[i] >= num_envs() || timesteps[i] == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("environment ", envs[i], " is not in [0, ", num_envs(), ") or has no timestep"));
    }
    ASSIGN_OR_RETURN(NamedArrays action, policies_[envs[i]]->Act(*timesteps[i]));
    actions.push_back(std::move(action));
  }
  return actions;
}

}  // namespace calico
