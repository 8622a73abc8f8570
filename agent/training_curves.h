// Training curves for the evaluation report, read back from a run's metrics.jsonl.
#ifndef CALICO_AGENT_TRAINING_CURVES_H_
#define CALICO_AGENT_TRAINING_CURVES_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace calico {

// Series name -> (step, value) points, in file order.
using TrainingCurves = std::map<std::string, std::vector<std::pair<double, double>>>;

// Largest metrics file read for the report's curves: a run logging every update for a
// million updates writes about 300 MB.
inline constexpr int64_t kMaxMetricsFileBytes = int64_t{512} << 20;
// Points kept per series (evenly spaced, the first and last among them): a chart 560
// pixels wide shows no more, and the report stays small.
inline constexpr size_t kMaxCurvePoints = 1000;

// Reads `metrics_path` (one JSON object per line, as `calico train` writes it) into the
// series "loss", "loss/action", "loss/text" and "loss/<task>" (null values skipped),
// each thinned to kMaxCurvePoints. Errors name the file and line: unreadable, not a
// regular file, over kMaxMetricsFileBytes, a line that is not a JSON object, or one
// without a numeric "step" and "loss".
absl::StatusOr<TrainingCurves> ReadTrainingCurves(const std::string& metrics_path);

}  // namespace calico

#endif  // CALICO_AGENT_TRAINING_CURVES_H_
