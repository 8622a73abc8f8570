#include "base/json.h"

#include "absl/strings/str_format.h"
#include "base/utf8.h"

namespace calico {

std::string ValidUtf8(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (const size_t length = Utf8SequenceLength(s, i); length > 0) {
      out.append(s.data() + i, length);
      i += length;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD for the one byte; the next byte starts afresh
      ++i;
    }
  }
  return out;
}

std::string JsonQuote(absl::string_view raw) {
  const std::string s = ValidUtf8(raw);
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += absl::StrFormat("\\u%04x", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace calico
