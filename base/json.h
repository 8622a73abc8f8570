// Minimal JSON output helpers (calico writes JSON; it never needs to read it).
#ifndef CALICO_BASE_JSON_H_
#define CALICO_BASE_JSON_H_

#include <string>

#include "absl/strings/string_view.h"

namespace calico {

// `s` as a JSON string literal, quotes included: '"' and '\' escaped, control characters
// as \u escapes (four hex digits), other bytes (UTF-8) passed through.
std::string JsonQuote(absl::string_view s);

}  // namespace calico

#endif  // CALICO_BASE_JSON_H_
