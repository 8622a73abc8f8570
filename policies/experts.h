// Making a policy by name for a task: "expert" (the task's scripted or trained expert)
// or "random".
#ifndef CALICO_POLICIES_EXPERTS_H_
#define CALICO_POLICIES_EXPERTS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "envs/specs.h"
#include "policies/policy.h"

namespace calico {

// The expert of `task` (MuJoCo or arcade, `_pixels` variants included); NotFound for a
// task without one.
absl::StatusOr<std::unique_ptr<Policy>> MakeExpert(const std::string& task);

// `name` is "expert" or "random" (uniform in `action_spec`); anything else is an error
// that lists both.
absl::StatusOr<std::unique_ptr<Policy>> MakeNamedPolicy(const std::string& name, const std::string& task,
                                                        const SpecMap& action_spec);

}  // namespace calico

#endif  // CALICO_POLICIES_EXPERTS_H_
