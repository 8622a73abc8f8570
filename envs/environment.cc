#include "envs/environment.h"

#include <utility>

namespace calico {

const char* StepTypeName(StepType type) {
  switch (type) {
    case StepType::kFirst:
      return "first";
    case StepType::kMid:
      return "mid";
    case StepType::kLast:
      return "last";
  }
  return "unknown";
}

absl::Status Environment::ResetInto(uint64_t seed, TimeStep* timestep) {
  absl::StatusOr<TimeStep> result = Reset(seed);
  if (!result.ok()) return result.status();
  *timestep = *std::move(result);
  return absl::OkStatus();
}

absl::Status Environment::StepInto(const NamedArrays& action, TimeStep* timestep) {
  absl::StatusOr<TimeStep> result = Step(action);
  if (!result.ok()) return result.status();
  *timestep = *std::move(result);
  return absl::OkStatus();
}

}  // namespace calico
