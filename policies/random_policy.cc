#include "policies/random_policy.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace calico {

absl::StatusOr<std::unique_ptr<RandomPolicy>> RandomPolicy::Create(const SpecMap& action_spec) {
  RETURN_IF_ERROR(ValidateSpecs(action_spec, "action"));
  for (const auto& [key, spec] : action_spec) {
    if (spec.dtype != DType::kFloat32 && spec.dtype != DType::kInt32) {
      return absl::InvalidArgumentError(
          absl::StrCat("action '", key, "': a random policy needs float32 or int32 actions"));
    }
    for (int64_t i = 0; i < spec.num_elements(); ++i) {
      if (!std::isfinite(spec.min_at(i)) || !std::isfinite(spec.max_at(i))) {
        return absl::InvalidArgumentError(absl::StrCat("action '", key, "' element ", IndexString(spec.shape, i),
                                                       " is unbounded; a random policy needs finite bounds"));
      }
    }
  }
  return std::unique_ptr<RandomPolicy>(new RandomPolicy(action_spec));
}

absl::StatusOr<NamedArrays> RandomPolicy::Act(const TimeStep& timestep) {
  NamedArrays action;
  for (const auto& [key, spec] : action_spec_) {
    Array array;
    array.dtype = spec.dtype;
    array.shape = spec.shape;
    for (int64_t i = 0; i < spec.num_elements(); ++i) {
      const double lo = spec.min_at(i), hi = spec.max_at(i);
      if (spec.dtype == DType::kFloat32) {
        float v = static_cast<float>(lo + (hi - lo) * rng_.Uniform());
        if (v < lo) v = static_cast<float>(lo);  // float rounding must not leave the bounds
        if (v > hi) v = std::nextafter(static_cast<float>(hi), static_cast<float>(lo));
        array.floats.push_back(v);
      } else {
        const int64_t first = static_cast<int64_t>(std::ceil(lo)), last = static_cast<int64_t>(std::floor(hi));
        array.ints.push_back(static_cast<int32_t>(rng_.UniformInt(first, last + 1)));
      }
    }
    action.emplace(key, std::move(array));
  }
  return action;
}

}  // namespace calico
