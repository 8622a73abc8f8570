// UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
#ifndef CALICO_BASE_UTF8_H_
#define CALICO_BASE_UTF8_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace calico {

// The length (1-4) of the valid UTF-8 sequence that starts at s[i], or 0 if none does.
size_t Utf8SequenceLength(absl::string_view s, size_t i);

// The offset of the first byte of `s` that does not start a valid UTF-8 sequence;
// s.size() if `s` is valid UTF-8.
size_t FirstInvalidUtf8(absl::string_view s);

}  // namespace calico

#endif  // CALICO_BASE_UTF8_H_
