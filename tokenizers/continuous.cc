#include "tokenizers/continuous.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace calico {

absl::Status TokenizeContinuous(const Vocabulary& vocab, absl::Span<const float> values,
                                absl::string_view key, std::vector<int32_t>* ids) {
  const size_t start = ids->size();
  ids->resize(start + values.size());
  int32_t* out = ids->data() + start;
  const int32_t offset = vocab.continuous_range().begin;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      ids->resize(start);
      return absl::InvalidArgumentError(absl::StrCat("continuous value '", key, "' element ", i, " is ",
                                                     values[i], "; expected a finite number"));
    }
    out[i] = offset + ContinuousBin(values[i]);
  }
  return absl::OkStatus();
}

absl::Status DetokenizeContinuous(const Vocabulary& vocab, absl::Span<const int32_t> ids,
                                  absl::string_view key, absl::Span<float> values) {
  if (values.size() != ids.size()) {
    return absl::InvalidArgumentError(absl::StrCat("continuous value '", key, "': ", ids.size(),
                                                   " ids for ", values.size(), " values"));
  }
  const IdRange range = vocab.continuous_range();
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!range.contains(ids[i])) {
      return absl::InvalidArgumentError(absl::StrCat("continuous value '", key, "' element ", i, ": id ",
                                                     ids[i], " is not a continuous token; expected [",
                                                     range.begin, ", ", range.end, ")"));
    }
    values[i] = static_cast<float>(ContinuousBinValue(ids[i] - range.begin));
  }
  return absl::OkStatus();
}

}  // namespace calico
