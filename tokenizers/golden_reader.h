// Reads tests/golden/tokenizer_golden.txt (see make_tokenizer_golden.py) for tests.
#ifndef CALICO_TOKENIZERS_GOLDEN_READER_H_
#define CALICO_TOKENIZERS_GOLDEN_READER_H_

#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "base/file_io.h"

namespace calico {

// Lines of the golden file whose first word is `tag`, split into words (tag dropped).
inline std::vector<std::vector<std::string>> GoldenRows(const std::string& tag) {
  std::vector<std::vector<std::string>> rows;
  absl::StatusOr<std::string> text = ReadFile("tests/golden/tokenizer_golden.txt");
  if (!text.ok()) return rows;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    std::vector<std::string> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (!words.empty() && words[0] == tag) rows.emplace_back(words.begin() + 1, words.end());
  }
  return rows;
}

}  // namespace calico

#endif  // CALICO_TOKENIZERS_GOLDEN_READER_H_
