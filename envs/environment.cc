#include "envs/environment.h"

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

}  // namespace calico
