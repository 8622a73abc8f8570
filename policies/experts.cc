#include "policies/experts.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "policies/arcade_experts.h"
#include "policies/mujoco_experts.h"
#include "policies/random_policy.h"

namespace calico {

absl::StatusOr<std::unique_ptr<Policy>> MakeExpert(const std::string& task) {
  if (absl::StartsWith(task, "mujoco/")) return MakeMujocoExpert(task);
  if (absl::StartsWith(task, "arcade/")) return MakeArcadeExpert(task);
  return absl::NotFoundError(absl::StrCat("no expert for task '", task, "'"));
}

absl::StatusOr<std::unique_ptr<Policy>> MakeNamedPolicy(const std::string& name, const std::string& task,
                                                        const SpecMap& action_spec) {
  if (name == "expert") return MakeExpert(task);
  if (name == "random") {
    absl::StatusOr<std::unique_ptr<RandomPolicy>> policy = RandomPolicy::Create(action_spec);
    if (!policy.ok()) return policy.status();
    return std::unique_ptr<Policy>(std::move(*policy));
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown policy '", name, "'; expected 'expert' or 'random'"));
}

}  // namespace calico
