// Rule-based expert players for the arcade tasks (the 100% of their scores).
#ifndef CALICO_POLICIES_ARCADE_EXPERTS_H_
#define CALICO_POLICIES_ARCADE_EXPERTS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "policies/policy.h"

namespace calico {

// The expert for an arcade task name ("arcade/breakout", "arcade/breakout_pixels", ...);
// a `_pixels` task's expert decodes the pixels back to the board. Errors for names that
// are not arcade tasks. Each expert is deterministic and not thread-safe.
absl::StatusOr<std::unique_ptr<Policy>> MakeArcadeExpert(const std::string& task);

}  // namespace calico

#endif  // CALICO_POLICIES_ARCADE_EXPERTS_H_
