// Training curves for the evaluation report, read back from a run's metrics.jsonl.
#ifndef CALICO_AGENT_TRAINING_CURVES_H_
#define CALICO_AGENT_TRAINING_CURVES_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace calico {

// Series name -> (step, value) points, in file order.
using TrainingCurves = std::map<std::string, std::vector<std::pair<double, double>>>;

// Reads `metrics_path` (one JSON object per line, as `calico train` writes it) into the
// series "loss", "loss/action", "loss/text" and "loss/<task>" (null values skipped).
// Errors name the file and line: unreadable, a line that is not a JSON object, or one
// without a numeric "step" and "loss".
absl::StatusOr<TrainingCurves> ReadTrainingCurves(const std::string& metrics_path);

}  // namespace calico

#endif  // CALICO_AGENT_TRAINING_CURVES_H_
