// Discrete values to and from token ids: integers in [0, 1024), flattened row-major,
// shifted into the discrete id range.
#ifndef CALICO_TOKENIZERS_DISCRETE_H_
#define CALICO_TOKENIZERS_DISCRETE_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "tokenizers/vocabulary.h"

namespace calico {

// Appends one id per value to `ids`. A value outside [0, 1024) is an OutOfRange error
// naming `key` and the flat index; `ids` is left unchanged on error.
absl::Status TokenizeDiscrete(const Vocabulary& vocab, absl::Span<const int32_t> values,
                              absl::string_view key, std::vector<int32_t>* ids);

// Writes one value per id into `values`. An id outside the discrete range is an
// InvalidArgument error naming `key`, the index and the expected range.
absl::Status DetokenizeDiscrete(const Vocabulary& vocab, absl::Span<const int32_t> ids,
                                absl::string_view key, absl::Span<int32_t> values);

}  // namespace calico

#endif  // CALICO_TOKENIZERS_DISCRETE_H_
