// Score statistics of an evaluation: expert-normalised task scores and the suite
// aggregates (mean, median, interquartile mean), each with a stratified bootstrap 95%
// interval over episodes (as in Agarwal et al. 2021, "Deep RL at the Edge of the
// Statistical Precipice").
#ifndef CALICO_AGENT_SCORES_H_
#define CALICO_AGENT_SCORES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "envs/reference_returns.h"

namespace calico {

// A point estimate with its 95% interval.
struct Estimate {
  double value = 0.0;
  double low = 0.0;
  double high = 0.0;
};

struct TaskScore {
  std::string task;
  std::vector<double> returns;  // one per episode, in seed order
  ReferenceReturns reference;
  double mean_return = 0.0;
  double stddev_return = 0.0;
  Estimate score;  // 100 * (mean - random) / (expert - random), with a bootstrap interval
};

struct SuiteScores {
  std::vector<TaskScore> tasks;
  Estimate mean, median, iqm;  // over the task scores
};

// Mean of the middle 50%: sort, drop floor(n / 4) values from each end, average the rest
// (scipy.stats.trim_mean(x, 0.25)). `values` must not be empty.
double InterquartileMean(std::vector<double> values);
// Median (the mean of the two middle values for an even count). `values` must not be empty.
double Median(std::vector<double> values);

// Scores every task from its episode returns and reference, and the aggregates, with
// `samples` stratified bootstrap resamples (episodes resampled within each task) drawn
// from `seed`. Errors: no tasks, a task without returns, samples < 1.
absl::StatusOr<SuiteScores> ComputeScores(std::vector<TaskScore> tasks, int samples, uint64_t seed);

}  // namespace calico

#endif  // CALICO_AGENT_SCORES_H_
