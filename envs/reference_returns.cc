#include "envs/reference_returns.h"

#include <cmath>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace calico {

absl::StatusOr<ReferenceTable> ParseReferenceReturns(absl::string_view text, absl::string_view source) {
  ReferenceTable table;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    const size_t hash = line.find('#');
    if (hash != absl::string_view::npos) line = line.substr(0, hash);
    std::vector<absl::string_view> fields = absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.empty()) continue;
    const std::string where = absl::StrCat(source, ":", line_number);
    if (fields.size() != 4) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": ", fields.size(),
                                                     " fields; expected 'task random_mean expert_mean episodes'"));
    }
    ReferenceReturns ref;
    if (!absl::SimpleAtod(fields[1], &ref.random_mean) || !absl::SimpleAtod(fields[2], &ref.expert_mean) ||
        !std::isfinite(ref.random_mean) || !std::isfinite(ref.expert_mean)) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": returns must be finite numbers"));
    }
    if (!absl::SimpleAtoi(fields[3], &ref.episodes) || ref.episodes < 1) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": episodes '", fields[3], "' must be a positive integer"));
    }
    if (ref.expert_mean <= ref.random_mean) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": expert mean ", ref.expert_mean,
                                                     " is not above random mean ", ref.random_mean));
    }
    if (!table.emplace(std::string(fields[0]), ref).second) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": task '", fields[0], "' is listed twice"));
    }
  }
  return table;
}

std::string FormatReferenceReturns(const ReferenceTable& table, absl::string_view header) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(header, '\n')) absl::StrAppend(&out, "# ", line, "\n");
  absl::StrAppend(&out, "# task random_mean expert_mean episodes\n");
  for (const auto& [task, ref] : table) {
    absl::StrAppend(&out, absl::StrFormat("%s %.4f %.4f %d\n", task, ref.random_mean, ref.expert_mean, ref.episodes));
  }
  return out;
}

double NormalisedScore(double episode_return, const ReferenceReturns& reference) {
  return 100.0 * (episode_return - reference.random_mean) / (reference.expert_mean - reference.random_mean);
}

}  // namespace calico
