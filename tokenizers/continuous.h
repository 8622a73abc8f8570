// Continuous values to and from token ids, through the mu-law bins of mu_law.h,
// shifted into the continuous id range.
#ifndef CALICO_TOKENIZERS_CONTINUOUS_H_
#define CALICO_TOKENIZERS_CONTINUOUS_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "tokenizers/mu_law.h"
#include "tokenizers/vocabulary.h"

namespace calico {

// Appends one token id per value of `values` (row-major, any shape) to `ids`. A NaN or
// infinite value is an InvalidArgument error naming `key` and the flat index; `ids` is
// left unchanged on error.
absl::Status TokenizeContinuous(const Vocabulary& vocab, absl::Span<const float> values,
                                absl::string_view key, std::vector<int32_t>* ids);

// Writes one value per id into `values` (same length). An id outside the continuous
// range is an InvalidArgument error naming `key`, the index and the expected range.
absl::Status DetokenizeContinuous(const Vocabulary& vocab, absl::Span<const int32_t> ids,
                                  absl::string_view key, absl::Span<float> values);

}  // namespace calico

#endif  // CALICO_TOKENIZERS_CONTINUOUS_H_
