// Score statistics of an evaluation: expert-normalised task scores and the suite
// aggregates (mean, median, interquartile mean), each with a stratified bootstrap 95%
// interval over episodes (as in Agarwal et al. 2021, "Deep RL at the Edge of the
// Statistical Precipice").
#ifndef CALICO_AGENT_SCORES_H_
#define CALICO_AGENT_SCORES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "base/random.h"
#include "envs/reference_returns.h"

namespace calico {

// A point estimate with its 95% interval.
struct Estimate {
  double value = 0.0;
  double low = 0.0;
  double high = 0.0;
};

// The demonstration a model was prompted with for a task (calico eval --prompts): the
// policy prefills the episode's last timesteps that fit in half its context. Plain value
// type.
struct PromptSource {
  std::string dataset;       // the directory the episode came from
  uint64_t seed = 0;         // the episode's seed
  std::string policy;        // the policy that recorded it
  int64_t steps = 0;         // its length: actions taken (Episode::length)
  double episode_return = 0.0;
};

struct TaskScore {
  std::string task;
  std::vector<double> returns;  // one per episode, in seed order
  ReferenceReturns reference;
  double mean_return = 0.0;
  double stddev_return = 0.0;
  Estimate score;  // 100 * (mean - random) / (expert - random), with a bootstrap interval
  // The temperature a model's actions were sampled at (0: greedy); unset for policies
  // that do not sample from a model. Reported beside the score, since it moves it.
  std::optional<double> action_temperature;
  // The demonstration prefilled before every episode; unset when the policy acted
  // without one. Reported beside the score, since it moves it.
  std::optional<PromptSource> prompt;
};

// How one task's action temperature was chosen on validation episodes, seeds other than
// the suite's (`calico eval --choose_temperature`, agent/temperature_choice.h). Plain
// value type.
struct TemperatureChoice {
  std::string task;
  std::vector<double> candidates;
  std::vector<double> mean_returns;  // per candidate, over the validation episodes
  double chosen = 0.0;               // the candidate with the highest mean return (the first on ties)
};

// Vision-language results (agent/text_scores.h computes them).

// One scored answer. Plain value type.
struct TextExample {
  uint64_t seed = 0;             // the scene
  std::string kind;              // the question type ("colour", ...) for VQA, "caption" for captions
  std::string question;          // the question asked (VQA); empty for captions
  std::string expected;          // the ground truth answer or caption
  std::string answer;            // what the model wrote: its answer or caption
  std::string working;           // VQA: what it wrote before the answer (position questions), if anything
  std::string caption;           // VQA: the model's description of the image before answering
  std::string expected_caption;  // VQA: the scene's caption
  int objects = 0;               // objects in the scene (1..4)
  bool exact = false;            // NormalizeAnswer(answer) == NormalizeAnswer(expected)
  double f1 = 0.0;               // TokenF1(answer, expected), in [0, 1]
};

// One metric of a task: a percentage with its interval.
struct TextMetric {
  std::string name;   // "accuracy", "accuracy (colour)", "answered yes (position)", "yes expected
                      // (position)", "exact match", "token F1", "attribute F1", "exact match (2 objects)"
  int64_t count = 0;  // examples it averages
  Estimate value;     // percent, 95% interval: Wilson's for exact-match rates, bootstrap for F1
};

struct TextTaskScore {
  std::string task;                   // "scenes/vqa" or "scenes/caption"
  std::vector<TextExample> examples;  // in scene order
  std::vector<TextMetric> metrics;    // the headline metric first
};

struct SuiteScores {
  std::vector<TaskScore> tasks;  // control tasks (expert-normalised)
  Estimate mean, median, iqm;    // over the control task scores; unset without control tasks
  // Vision-language tasks: percentages of held-out scenes, not expert-normalised, so not
  // part of mean / median / IQM.
  std::vector<TextTaskScore> text_tasks;
};

// Mean of the middle 50%: sort, drop floor(n / 4) values from each end, average the rest
// (scipy.stats.trim_mean(x, 0.25)). `values` must not be empty.
double InterquartileMean(std::vector<double> values);
// Median (the mean of the two middle values for an even count). `values` must not be empty.
double Median(std::vector<double> values);

// The mean of `values` with a bootstrap 95% interval: `samples` resamples (with
// replacement, from `rng`) of the values' mean, percentiles 2.5 and 97.5 (linear
// interpolation, as numpy.percentile). Errors: no values, samples < 1.
absl::StatusOr<Estimate> BootstrapMean(absl::Span<const double> values, int samples, Rng* rng);

// The most bootstrap resamples a suite may ask for (each keeps three doubles per
// resample; more buys no precision a report shows).
inline constexpr int kMaxBootstrapSamples = 1000000;

// Scores every task from its episode returns and reference, and the aggregates, with
// `samples` stratified bootstrap resamples (episodes resampled within each task) drawn
// from `seed`. Errors: no tasks, a task without returns, a return that is not finite,
// samples outside [1, kMaxBootstrapSamples].
absl::StatusOr<SuiteScores> ComputeScores(std::vector<TaskScore> tasks, int samples, uint64_t seed);

}  // namespace calico

#endif  // CALICO_AGENT_SCORES_H_
