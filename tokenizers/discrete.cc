#include "tokenizers/discrete.h"

#include "absl/strings/str_cat.h"

namespace calico {

absl::Status TokenizeDiscrete(const Vocabulary& vocab, absl::Span<const int32_t> values,
                              absl::string_view key, std::vector<int32_t>* ids) {
  const size_t start = ids->size();
  ids->resize(start + values.size());
  int32_t* out = ids->data() + start;
  const int32_t offset = vocab.discrete_range().begin;
  for (size_t i = 0; i < values.size(); ++i) {
    const int32_t v = values[i];
    if (v < 0 || v >= kNumDiscreteValues) {
      ids->resize(start);
      return absl::OutOfRangeError(absl::StrCat("discrete value '", key, "' element ", i, " is ", v,
                                                "; expected an integer in [0, ", kNumDiscreteValues, ")"));
    }
    out[i] = offset + v;
  }
  return absl::OkStatus();
}

absl::Status DetokenizeDiscrete(const Vocabulary& vocab, absl::Span<const int32_t> ids,
                                absl::string_view key, absl::Span<int32_t> values) {
  if (values.size() != ids.size()) {
    return absl::InvalidArgumentError(absl::StrCat("discrete value '", key, "': ", ids.size(),
                                                   " ids for ", values.size(), " values"));
  }
  const IdRange range = vocab.discrete_range();
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!range.contains(ids[i])) {
      return absl::InvalidArgumentError(absl::StrCat("discrete value '", key, "' element ", i, ": id ", ids[i],
                                                     " is not a discrete token; expected [", range.begin,
                                                     ", ", range.end, ")"));
    }
    values[i] = ids[i] - range.begin;
  }
  return absl::OkStatus();
}

}  // namespace calico
