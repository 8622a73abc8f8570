// Choosing the next token from logits, restricted to an id range (the ids valid for the
// action element being decoded). Free functions: thread-safe when each thread uses its
// own Rng and logits.
#ifndef CALICO_MODEL_SAMPLING_H_
#define CALICO_MODEL_SAMPLING_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "base/random.h"

namespace calico {

// Sets every logit outside [begin, end) to -infinity. Errors: an empty range or one
// outside [0, logits.size()].
absl::Status MaskLogitsToRange(int32_t begin, int32_t end, std::vector<float>* logits);

// An id in [begin, end) from `logits` (one row, [vocab]): with temperature 0 the
// largest logit (the lowest id on ties), otherwise a draw from softmax(logit /
// temperature) over the range using `rng`. Errors: an empty or out-of-bounds range, a
// negative or non-finite temperature, or a NaN logit inside the range.
absl::StatusOr<int32_t> SampleToken(const float* logits, int32_t vocab, int32_t begin,
                                    int32_t end, double temperature, Rng* rng);

}  // namespace calico

#endif  // CALICO_MODEL_SAMPLING_H_
