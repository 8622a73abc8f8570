#include "agent/scores.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "base/random.h"

namespace calico {
namespace {

double Mean(absl::Span<const double> values) {
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

// The 2.5% and 97.5% percentiles (linear interpolation between order statistics, as
// numpy.percentile's default).
void Interval(std::vector<double> samples, Estimate* estimate) {
  std::sort(samples.begin(), samples.end());
  auto percentile = [&](double q) {
    const double rank = q * (samples.size() - 1);
    const size_t lo = static_cast<size_t>(std::floor(rank));
    const size_t hi = std::min(lo + 1, samples.size() - 1);
    return samples[lo] + (samples[hi] - samples[lo]) * (rank - lo);
  };
  estimate->low = percentile(0.025);
  estimate->high = percentile(0.975);
}

}  // namespace

double InterquartileMean(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t cut = values.size() / 4;
  return Mean(absl::MakeConstSpan(values).subspan(cut, values.size() - 2 * cut));
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

absl::StatusOr<Estimate> BootstrapMean(absl::Span<const double> values, int samples, Rng* rng) {
  if (values.empty()) return absl::InvalidArgumentError("no values to average");
  if (samples < 1) return absl::InvalidArgumentError(absl::StrCat("bootstrap samples is ", samples, "; expected >= 1"));
  Estimate estimate;
  estimate.value = Mean(values);
  std::vector<double> means;
  means.reserve(samples);
  for (int s = 0; s < samples; ++s) {
    double sum = 0;
    for (size_t i = 0; i < values.size(); ++i) sum += values[rng->UniformInt(0, values.size())];
    means.push_back(sum / values.size());
  }
  Interval(std::move(means), &estimate);
  return estimate;
}

absl::StatusOr<SuiteScores> ComputeScores(std::vector<TaskScore> tasks, int samples, uint64_t seed) {
  if (tasks.empty()) return absl::InvalidArgumentError("no tasks to score");
  if (samples < 1 || samples > kMaxBootstrapSamples) {
    return absl::InvalidArgumentError(
        absl::StrCat("bootstrap samples is ", samples, "; expected in [1, ", kMaxBootstrapSamples, "]"));
  }
  SuiteScores scores;
  std::vector<double> task_scores;
  for (TaskScore& t : tasks) {
    if (t.returns.empty()) return absl::InvalidArgumentError(absl::StrCat("task '", t.task, "' has no episode returns"));
    for (size_t i = 0; i < t.returns.size(); ++i) {
      // A diverged simulation can return NaN or inf; no mean or percentile means anything then.
      if (!std::isfinite(t.returns[i])) {
        return absl::InvalidArgumentError(
            absl::StrCat("task '", t.task, "': episode ", i, " returned ", t.returns[i], ", not a finite number"));
      }
    }
    if (!(t.reference.expert_mean > t.reference.random_mean)) {
      return absl::InvalidArgumentError(absl::StrCat("task '", t.task, "': expert reference is not above random"));
    }
    t.mean_return = Mean(t.returns);
    double ss = 0;
    for (double r : t.returns) ss += (r - t.mean_return) * (r - t.mean_return);
    t.stddev_return = t.returns.size() > 1 ? std::sqrt(ss / (t.returns.size() - 1)) : 0.0;
    t.score.value = NormalisedScore(t.mean_return, t.reference);
    task_scores.push_back(t.score.value);
  }
  scores.mean.value = Mean(task_scores);
  scores.median.value = Median(task_scores);
  scores.iqm.value = InterquartileMean(task_scores);

  Rng rng(seed);
  std::vector<std::vector<double>> per_task(tasks.size());
  std::vector<double> means, medians, iqms;
  std::vector<double> resampled(tasks.size());
  for (int s = 0; s < samples; ++s) {
    for (size_t k = 0; k < tasks.size(); ++k) {
      const std::vector<double>& returns = tasks[k].returns;
      double sum = 0;
      for (size_t i = 0; i < returns.size(); ++i) sum += returns[rng.UniformInt(0, returns.size())];
      resampled[k] = NormalisedScore(sum / returns.size(), tasks[k].reference);
      per_task[k].push_back(resampled[k]);
    }
    means.push_back(Mean(resampled));
    medians.push_back(Median(resampled));
    iqms.push_back(InterquartileMean(resampled));
  }
  for (size_t k = 0; k < tasks.size(); ++k) Interval(per_task[k], &tasks[k].score);
  Interval(means, &scores.mean);
  Interval(medians, &scores.median);
  Interval(iqms, &scores.iqm);
  scores.tasks = std::move(tasks);
  return scores;
}

}  // namespace calico
