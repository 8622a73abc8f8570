#include "model/sampling.h"

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"

namespace calico {
namespace {

absl::Status CheckRange(int32_t begin, int32_t end, int64_t vocab) {
  if (begin < 0 || end > vocab || begin >= end) {
    return absl::InvalidArgumentError(absl::StrCat("id range [", begin, ", ", end,
                                                   ") is empty or outside [0, ", vocab, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status MaskLogitsToRange(int32_t begin, int32_t end, std::vector<float>* logits) {
  if (absl::Status s = CheckRange(begin, end, static_cast<int64_t>(logits->size())); !s.ok()) {
    return s;
  }
  const float neg_inf = -std::numeric_limits<float>::infinity();
  std::fill(logits->begin(), logits->begin() + begin, neg_inf);
  std::fill(logits->begin() + end, logits->end(), neg_inf);
  return absl::OkStatus();
}

absl::StatusOr<int32_t> SampleToken(const float* logits, int32_t vocab, int32_t begin,
                                    int32_t end, double temperature, Rng* rng) {
  if (absl::Status s = CheckRange(begin, end, vocab); !s.ok()) return s;
  if (!(temperature >= 0) || !std::isfinite(temperature)) {
    return absl::InvalidArgumentError(
        absl::StrCat("temperature is ", temperature, ", expected a finite value >= 0"));
  }
  int32_t best = begin;
  for (int32_t i = begin; i < end; ++i) {
    if (std::isnan(logits[i])) {
      return absl::InvalidArgumentError(absl::StrCat("logit of id ", i, " is NaN"));
    }
    if (logits[i] > logits[best]) best = i;
  }
  if (temperature == 0) return best;
  double sum = 0;
  for (int32_t i = begin; i < end; ++i) sum += std::exp((logits[i] - logits[best]) / temperature);
  double u = rng->Uniform() * sum;
  for (int32_t i = begin; i < end; ++i) {
    u -= std::exp((logits[i] - logits[best]) / temperature);
    if (u < 0) return i;
  }
  return best;  // rounding left a sliver at the end
}

}  // namespace calico
