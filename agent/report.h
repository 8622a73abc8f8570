// The evaluation report a person opens: report.json (everything, for tools),
// report.md (the score table) and a self-contained report.html (charts of per-task
// scores with their intervals, training loss curves, rollout GIFs inlined).
#ifndef CALICO_AGENT_REPORT_H_
#define CALICO_AGENT_REPORT_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "agent/scores.h"

namespace calico {

struct ReportInfo {
  std::string title;   // e.g. "calico evaluation: quickstart suite"
  std::string policy;  // e.g. "expert", a checkpoint path
  std::string suite;
  // Episode i of every control task played seed first_seed + i (the suite's); unset where
  // unknown. tools/compare_reports pairs two reports' episodes only where these agree.
  std::optional<uint64_t> first_seed;
  int episodes = 0;    // per task; 0 where the suite sets different counts per task
  std::map<std::string, std::string> videos;  // task -> GIF path (inlined in the HTML)
  // Training curves to plot, by series name (e.g. "loss", "loss/action"): (step, value).
  std::map<std::string, std::vector<std::pair<double, double>>> curves;
  // Action temperatures chosen on validation episodes (calico eval --choose_temperature):
  // per task the mean validation return of each candidate; empty if none were chosen.
  std::vector<TemperatureChoice> temperature_choices;
  uint64_t choice_first_seed = 0;  // validation episode i played seed choice_first_seed + i
  int choice_episodes = 0;
};

// Writes report.json, report.md and report.html into `directory` (created if needed),
// each atomically. A missing video file is an error naming it. Vision-language tasks get
// their own section (report.json "vision_language": metrics and every scored example;
// report.md / .html: a metric table and the first scenes), outside the control
// aggregates; without control tasks, report.json's "aggregate" is null.
absl::Status WriteReport(const std::string& directory, const SuiteScores& scores, const ReportInfo& info);

// Checks, before any episode, that WriteReport may replace what `directory` holds: each
// of report.json, report.md and report.html is absent or begins as WriteReport begins
// it (an earlier calico report, replaced on a rerun). FailedPrecondition naming the
// file for anything else (a person's notes called report.md), which would otherwise be
// replaced without a word.
absl::Status CheckReportFilesReplaceable(const std::string& directory);

// The Markdown score tables alone (also printed by `calico eval`): the control tasks with
// their aggregates, then the vision-language tasks' metrics, each table only if the suite
// has such tasks.
std::string ScoreTable(const SuiteScores& scores);

// How a temperature reads in tables and notes: "greedy" for 0, else "T=0.5".
std::string TemperatureName(double temperature);

// How a task's prompt reads in tables: "seed 7, 1001 steps, return 912.30", or "none".
std::string PromptName(const std::optional<PromptSource>& prompt);

// Chosen action temperatures as a Markdown table: a row per task, a column per
// candidate (its mean validation return), and the chosen one. Empty for no choices.
std::string TemperatureChoiceTable(const std::vector<TemperatureChoice>& choices);

}  // namespace calico

#endif  // CALICO_AGENT_REPORT_H_
