// Minimal JSON output helpers (calico writes JSON; it never needs to read it).
#ifndef CALICO_BASE_JSON_H_
#define CALICO_BASE_JSON_H_

#include <string>

#include "absl/strings/string_view.h"

namespace calico {

// `s` with every byte that does not start or continue a well-formed UTF-8 sequence (no
// overlong forms, surrogates or code points past U+10FFFF) replaced by U+FFFD, so text
// from outside (file paths, names in a metrics file) cannot make a report invalid.
std::string ValidUtf8(absl::string_view s);

// `s` as a JSON string literal, quotes included: '"' and '\' escaped, control characters
// as \u escapes (four hex digits), other characters passed through as UTF-8 (ValidUtf8).
std::string JsonQuote(absl::string_view s);

}  // namespace calico

#endif  // CALICO_BASE_JSON_H_
