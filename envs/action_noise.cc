#include "envs/action_noise.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace calico {
namespace {

// Keeps the noise stream apart from anything else seeded with the episode's seed.
constexpr uint64_t kNoiseSalt = 0xA5C1D0E7B3F29184ULL;

}  // namespace

absl::Status ActionNoiseOptions::Validate() const {
  if (!std::isfinite(scale) || scale < 0.0 || scale > 1.0) {
    return absl::InvalidArgumentError(absl::StrCat("action noise is ", scale, "; expected a number in [0, 1]"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Environment>> ActionNoiseEnvironment::Wrap(std::unique_ptr<Environment> inner,
                                                                          ActionNoiseOptions options) {
  RETURN_IF_ERROR(options.Validate());
  if (inner == nullptr) return absl::InvalidArgumentError("action noise: no environment to wrap");
  for (const auto& [key, spec] : inner->action_spec()) {
    if (spec.dtype != DType::kFloat32 && spec.dtype != DType::kInt32) {
      return absl::InvalidArgumentError(
          absl::StrCat("action noise: action '", key, "' is neither float32 nor int32"));
    }
    for (int64_t i = 0; i < spec.num_elements(); ++i) {
      if (!std::isfinite(spec.min_at(i)) || !std::isfinite(spec.max_at(i))) {
        return absl::InvalidArgumentError(absl::StrCat("action noise: action '", key, "' element ", i,
                                                       " is unbounded, so the noise has no scale"));
      }
      if (spec.dtype == DType::kInt32 && std::ceil(spec.min_at(i)) > std::floor(spec.max_at(i))) {
        return absl::InvalidArgumentError(absl::StrCat("action noise: action '", key, "' element ", i, " has bounds [",
                                                       spec.min_at(i), ", ", spec.max_at(i),
                                                       "], which hold no whole number to draw"));
      }
    }
  }
  return std::unique_ptr<Environment>(new ActionNoiseEnvironment(std::move(inner), options));
}

absl::StatusOr<TimeStep> ActionNoiseEnvironment::Reset(uint64_t seed) {
  rng_ = Rng(seed ^ kNoiseSalt);
  executed_.clear();
  return inner_->Reset(seed);
}

double ActionNoiseEnvironment::Gaussian() {
  const double u1 = 1.0 - rng_.Uniform();  // (0, 1]: log is finite
  const double u2 = rng_.Uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

absl::StatusOr<TimeStep> ActionNoiseEnvironment::Step(const NamedArrays& action) {
  RETURN_IF_ERROR(CheckArrays(action_spec(), action, "action"));
  executed_ = action;
  for (const auto& [key, spec] : action_spec()) {
    Array& array = executed_.at(key);
    for (int64_t i = 0; i < spec.num_elements(); ++i) {
      const double lo = spec.min_at(i), hi = spec.max_at(i);
      if (spec.dtype == DType::kFloat32) {
        const double noisy = array.floats[i] + options_.scale * 0.5 * (hi - lo) * Gaussian();
        array.floats[i] = ClampToFloat(noisy, lo, hi);
      } else if (rng_.Uniform() < options_.scale) {
        // The whole numbers inside the bounds (a bound of 0.5 admits 1, not 0).
        const int64_t first = static_cast<int64_t>(std::ceil(lo)), last = static_cast<int64_t>(std::floor(hi));
        array.ints[i] = static_cast<int32_t>(rng_.UniformInt(first, last + 1));
      }
    }
  }
  return inner_->Step(executed_);
}

}  // namespace calico
