#include "tokenizers/vocabulary.h"

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "tokenizers/mu_law.h"

namespace calico {

absl::string_view TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kText:
      return "text";
    case TokenKind::kContinuous:
      return "continuous";
    case TokenKind::kDiscrete:
      return "discrete";
    case TokenKind::kSeparator:
      return "separator";
    case TokenKind::kBos:
      return "bos";
    case TokenKind::kEos:
      return "eos";
    case TokenKind::kPad:
      return "pad";
    case TokenKind::kUnused:
      return "unused";
  }
  return "unknown";
}

absl::StatusOr<Vocabulary> Vocabulary::Create(int32_t text_vocab_size) {
  constexpr int64_t kNonText = kNumContinuousBins + kNumDiscreteValues + 4;
  if (text_vocab_size <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("text vocabulary size is ", text_vocab_size, "; expected a positive number"));
  }
  const int64_t used = static_cast<int64_t>(text_vocab_size) + kNonText;
  const int64_t size = (used + kVocabularyAlignment - 1) / kVocabularyAlignment * kVocabularyAlignment;
  if (size > std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError(
        absl::StrCat("text vocabulary size ", text_vocab_size, " makes the id space overflow int32"));
  }
  return Vocabulary(text_vocab_size, static_cast<int32_t>(size));
}

absl::StatusOr<TokenKind> Vocabulary::KindOf(int32_t id) const {
  if (id < 0 || id >= size_) {
    return absl::OutOfRangeError(
        absl::StrCat("token id ", id, " is outside the vocabulary [0, ", size_, ")"));
  }
  if (text_range().contains(id)) return TokenKind::kText;
  if (continuous_range().contains(id)) return TokenKind::kContinuous;
  if (discrete_range().contains(id)) return TokenKind::kDiscrete;
  if (id == separator_id()) return TokenKind::kSeparator;
  if (id == bos_id()) return TokenKind::kBos;
  if (id == eos_id()) return TokenKind::kEos;
  if (id == pad_id()) return TokenKind::kPad;
  return TokenKind::kUnused;
}

absl::StatusOr<IdRange> Vocabulary::ValidActionIds(const ArraySpec& spec, int64_t flat_index) const {
  if (flat_index < 0 || flat_index >= spec.num_elements()) {
    return absl::OutOfRangeError(absl::StrCat("action '", spec.name, "': element ", flat_index,
                                              " is outside its ", spec.num_elements(), " elements"));
  }
  const double lo = spec.min_at(flat_index), hi = spec.max_at(flat_index);
  switch (spec.dtype) {
    case DType::kFloat32: {
      // Infinite bounds clip to the end bins through the mu-law, so no special case.
      return IdRange{ContinuousId(ContinuousBin(lo)), ContinuousId(ContinuousBin(hi)) + 1};
    }
    case DType::kInt32: {
      const double first = std::isinf(lo) ? 0.0 : std::ceil(lo);
      const double last = std::isinf(hi) ? kNumDiscreteValues - 1.0 : std::floor(hi);
      if (first < 0 || last >= kNumDiscreteValues || first > last) {
        return absl::InvalidArgumentError(absl::StrCat(
            "action '", spec.name, "': element ", IndexString(spec.shape, flat_index), " has bounds [", lo,
            ", ", hi, "]; a discrete action needs integer values within [0, ", kNumDiscreteValues - 1, "]"));
      }
      return IdRange{DiscreteId(static_cast<int32_t>(first)), DiscreteId(static_cast<int32_t>(last)) + 1};
    }
    case DType::kUint8:
    case DType::kString:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat("action '", spec.name, "' has dtype ",
                                                 DTypeName(spec.dtype),
                                                 "; actions must be float32 (continuous) or int32 (discrete)"));
}

}  // namespace calico
