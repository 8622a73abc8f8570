#include "agent/training_curves.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/file_io.h"
#include "base/json_reader.h"
#include "base/status_macros.h"

namespace calico {

absl::StatusOr<TrainingCurves> ReadTrainingCurves(const std::string& metrics_path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(metrics_path));
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
  return curves;
}

}  // namespace calico
