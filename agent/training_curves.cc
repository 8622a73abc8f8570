#include "agent/training_curves.h"

#include <sys/stat.h>

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/file_io.h"
#include "base/json_reader.h"
#include "base/status_macros.h"

namespace calico {

namespace {

// Keeps at most `limit` points of `series`, evenly spaced, the first and last among them.
void Thin(std::vector<std::pair<double, double>>* series, size_t limit) {
  const size_t n = series->size();
  if (n <= limit) return;
  std::vector<std::pair<double, double>> kept;
  kept.reserve(limit);
  for (size_t k = 0; k < limit; ++k) kept.push_back((*series)[k * (n - 1) / (limit - 1)]);
  *series = std::move(kept);
}

}  // namespace

absl::StatusOr<TrainingCurves> ReadTrainingCurves(const std::string& metrics_path) {
  // A FIFO would block the evaluation before any episode; a device never ends.
  struct stat info;
  if (::stat(metrics_path.c_str(), &info) == 0 && !S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(metrics_path, " is not a regular file"));
  }
  absl::StatusOr<std::string> read = ReadFile(metrics_path, kMaxMetricsFileBytes);
  if (!read.ok()) return read.status();
  const std::string& text = *read;
  TrainingCurves curves;
  int line_number = 0;
  const std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    ++line_number;
    const absl::string_view line = absl::StripAsciiWhitespace(lines[i]);
    if (line.empty()) continue;
    auto bad = [&](absl::string_view why) {
      return absl::DataLossError(absl::StrCat(metrics_path, " line ", line_number, ": ", why));
    };
    absl::StatusOr<JsonValue> record = ParseJson(line);
    // A last line without its newline is a record the trainer was writing when it was
    // killed: the curves end before it.
    const bool torn_tail = i + 1 == lines.size();
    if (!record.ok() && torn_tail) break;
    if (!record.ok()) return bad(record.status().message());
    if (!record->is_object()) return bad("not a JSON object");
    const JsonValue* step = record->Find("step");
    const JsonValue* loss = record->Find("loss");
    if (step == nullptr || !step->is_number() || loss == nullptr || !loss->is_number()) {
      return bad("expected numeric \"step\" and \"loss\"");
    }
    const double x = step->number;
    curves["loss"].emplace_back(x, loss->number);
    for (const auto& [field, series] : {std::pair<const char*, const char*>{"action_loss", "loss/action"},
                                        std::pair<const char*, const char*>{"text_loss", "loss/text"}}) {
      const JsonValue* value = record->Find(field);
      if (value != nullptr && value->is_number()) curves[series].emplace_back(x, value->number);
    }
    if (const JsonValue* tasks = record->Find("task_loss"); tasks != nullptr && tasks->is_object()) {
      for (const auto& [task, value] : tasks->object) {
        if (value.is_number()) curves[absl::StrCat("loss/", task)].emplace_back(x, value.number);
      }
    }
  }
  if (curves.empty()) return absl::DataLossError(absl::StrCat(metrics_path, " holds no metrics"));
  for (auto& [name, series] : curves) Thin(&series, kMaxCurvePoints);
  return curves;
}

}  // namespace calico
