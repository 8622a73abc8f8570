#include "agent/temperature_choice.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/evaluate.h"
#include "agent/report.h"
#include "base/status_macros.h"

namespace calico {

absl::Status TemperatureChoiceOptions::Validate(const SuiteConfig& suite) const {
  if (candidates.empty()) return absl::InvalidArgumentError("--choose_temperature lists no temperature");
  std::set<double> seen;
  for (double t : candidates) {
    if (!(t >= 0 && t <= kMaxActionTemperature)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--choose_temperature: ", t, " is not a temperature in [0, 1e6] (0: greedy)"));
    }
    if (!seen.insert(t).second) {
      return absl::InvalidArgumentError(absl::StrCat("--choose_temperature lists ", t, " twice"));
    }
  }
  // One candidate is no choice: its validation episodes would only confirm it.
  if (candidates.size() == 1) {
    return absl::InvalidArgumentError(absl::StrCat("--choose_temperature lists one temperature, ", candidates[0],
                                                   ": there is nothing to choose; use --temperature=",
                                                   candidates[0], " or list two or more"));
  }
  if (episodes < 1 || episodes > kMaxSuiteEpisodes) {
    return absl::InvalidArgumentError(
        absl::StrCat("--choice_episodes is ", episodes, "; expected a count in [1, ", kMaxSuiteEpisodes, "]"));
  }
  // Tasks with a suite temperature keep it; with none left there is nothing to choose for.
  const bool any_open = std::any_of(suite.tasks().begin(), suite.tasks().end(), [](const SuiteTask& task) {
    return !IsTextTask(task.task()) && !task.has_temperature();
  });
  if (!any_open) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--choose_temperature: suite '", suite.name(),
        "' has no control task without a temperature of its own (the choice leaves those as they are); there "
        "is no task to choose for"));
  }
  const uint64_t last = first_seed + static_cast<uint64_t>(episodes - 1);
  if (last < first_seed) {
    return absl::InvalidArgumentError(absl::StrCat("--choice_seed ", first_seed, " with ", episodes,
                                                   " episodes runs past the largest seed, 2^64 - 1"));
  }
  for (const SuiteTask& task : suite.tasks()) {
    if (IsTextTask(task.task())) continue;  // scored on scenes, not episodes
    const uint64_t begin = suite.first_seed();
    const uint64_t end = begin + static_cast<uint64_t>(std::max(task.episodes(), 1) - 1);
    if (first_seed <= end && begin <= last) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the validation seeds ", first_seed, "..", last, " (--choice_seed, --choice_episodes) meet the seeds the "
          "suite scores for '", task.task(), "' (", begin, "..", end, "): a temperature chosen on the scored "
          "episodes would flatter the score; pick --choice_seed outside them"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<TemperatureChoice>> ChooseActionTemperatures(const TaskRegistry& registry,
                                                                      const std::vector<std::string>& tasks,
                                                                      const TemperaturePolicyFactory& make_policy,
                                                                      const TemperatureChoiceOptions& options,
                                                                      std::ostream* progress) {
  std::vector<TemperatureChoice> choices(tasks.size());
  for (size_t k = 0; k < tasks.size(); ++k) {
    choices[k].task = tasks[k];
    choices[k].candidates = options.candidates;
  }
  // Candidate-major: one policy (one loaded checkpoint) per candidate serves every task.
  for (double temperature : options.candidates) {
    absl::StatusOr<BatchPolicyFactory> factory = make_policy(temperature);
    if (!factory.ok()) {
      return absl::Status(factory.status().code(),
                          absl::StrCat("choosing temperatures, ", TemperatureName(temperature), ": ",
                                       factory.status().message()));
    }
    for (size_t k = 0; k < tasks.size(); ++k) {
      EpisodeRunnerOptions run;
      run.task = tasks[k];
      run.episodes = options.episodes;
      run.first_seed = options.first_seed;
      run.threads = options.threads;
      absl::StatusOr<EpisodeRunnerReport> report =
          RunEpisodesBatched(registry, *factory, options.batch_envs, run, progress);
      if (!report.ok()) {
        return absl::Status(report.status().code(), absl::StrCat("choosing the temperature of ", tasks[k], ", ",
                                                                 TemperatureName(temperature), ": ", report.status().message()));
      }
      choices[k].mean_returns.push_back(report->mean_return);
      if (progress != nullptr) {
        *progress << absl::StrFormat("choose %s, %s: mean return %.2f over %d validation episodes (seeds %d..%d)\n",
                                     tasks[k], TemperatureName(temperature), report->mean_return, options.episodes,
                                     options.first_seed, options.first_seed + options.episodes - 1)
                  << std::flush;  // minutes apart: shown as they come, also when piped
      }
    }
  }
  for (TemperatureChoice& choice : choices) {
    size_t best = 0;
    for (size_t c = 1; c < choice.candidates.size(); ++c) {
      if (choice.mean_returns[c] > choice.mean_returns[best]) best = c;
    }
    choice.chosen = choice.candidates[best];
  }
  return choices;
}

}  // namespace calico
