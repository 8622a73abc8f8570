// Vocabulary: calico's single id space (DESIGN.md "The token stream").
//
//   [0, V)               text (SentencePiece), V = text vocabulary size
//   [V, V+1024)          continuous values (mu-law, 1024 bins)
//   [V+1024, V+2048)     discrete values 0..1023
//   V+2048               separator '|' between observation and action
//   V+2049, +2050, +2051 BOS, EOS, pad
//   ... up to size()     unused rows that pad the embedding table to a multiple of 64
#ifndef CALICO_TOKENIZERS_VOCABULARY_H_
#define CALICO_TOKENIZERS_VOCABULARY_H_

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "envs/specs.h"
#include "tokenizers/mu_law.h"

namespace calico {

// Number of discrete values (the continuous bin count is in mu_law.h).
inline constexpr int kNumDiscreteValues = 1024;
// The embedding table's row count is a multiple of this.
inline constexpr int kVocabularyAlignment = 64;

// What an id stands for.
enum class TokenKind { kText, kContinuous, kDiscrete, kSeparator, kBos, kEos, kPad, kUnused };

// Lower-case name of `kind` ("text", "continuous", ...).
absl::string_view TokenKindName(TokenKind kind);

// A half-open range of ids [begin, end).
struct IdRange {
  int32_t begin = 0;
  int32_t end = 0;
  int32_t size() const { return end - begin; }
  bool contains(int32_t id) const { return id >= begin && id < end; }
  bool operator==(const IdRange& other) const { return begin == other.begin && end == other.end; }
};

// Prints "[begin, end)" (also used by GoogleTest).
inline std::ostream& operator<<(std::ostream& os, const IdRange& range) {
  return os << "[" << range.begin << ", " << range.end << ")";
}

// The id layout for a given text vocabulary size. Immutable, so thread-safe.
class Vocabulary {
 public:
  // `text_vocab_size` must be positive; a layout that would overflow int32 is an error.
  static absl::StatusOr<Vocabulary> Create(int32_t text_vocab_size);

  int32_t text_size() const { return text_size_; }
  IdRange text_range() const { return {0, text_size_}; }
  IdRange continuous_range() const { return {text_size_, text_size_ + kNumContinuousBins}; }
  IdRange discrete_range() const {
    return {continuous_range().end, continuous_range().end + kNumDiscreteValues};
  }
  int32_t separator_id() const { return discrete_range().end; }
  int32_t bos_id() const { return separator_id() + 1; }
  int32_t eos_id() const { return separator_id() + 2; }
  int32_t pad_id() const { return separator_id() + 3; }
  // Rows of the embedding table: every id above, rounded up to a multiple of 64.
  int32_t size() const { return size_; }

  // The kind of `id`; an id outside [0, size()) is an OutOfRange error naming it.
  absl::StatusOr<TokenKind> KindOf(int32_t id) const;

  // Id of continuous bin `bin` in [0, 1024) / of discrete value `value` in [0, 1024).
  int32_t ContinuousId(int32_t bin) const { return text_size_ + bin; }
  int32_t DiscreteId(int32_t value) const { return continuous_range().end + value; }

  // The ids a decoder may emit for element `flat_index` of an action with `spec`:
  // for FLOAT32, the continuous bins that hold a value inside the element's bounds (all
  // 1024 when unbounded); for INT32, the discrete ids of [minimum, maximum] (all 1024
  // when unbounded). Errors for other dtypes, an index outside the spec, or integer
  // bounds outside [0, 1024).
  absl::StatusOr<IdRange> ValidActionIds(const ArraySpec& spec, int64_t flat_index) const;

 private:
  Vocabulary(int32_t text_size, int32_t size) : text_size_(text_size), size_(size) {}

  int32_t text_size_;
  int32_t size_;
};

}  // namespace calico

#endif  // CALICO_TOKENIZERS_VOCABULARY_H_
