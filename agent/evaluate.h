// The evaluation suite: N seeded episodes per task (the same seeds for every policy),
// expert-normalised scores with bootstrap intervals, and a report directory.
#ifndef CALICO_AGENT_EVALUATE_H_
#define CALICO_AGENT_EVALUATE_H_

#include <map>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "agent/batch_episode_runner.h"
#include "agent/episode_runner.h"
#include "agent/report.h"
#include "agent/scores.h"
#include "agent/suite.pb.h"
#include "agent/text_eval.h"
#include "envs/reference_returns.h"
#include "envs/task_registry.h"

namespace calico {

// Parses a text-format SuiteConfig and checks it against `registry` and `references`:
// at least one task, known task names (the error lists the known ones), no repeats,
// references for every control task, episode counts in [1, kMaxSuiteEpisodes], seeds
// first_seed + i that do not wrap past 2^64 - 1. Fills defaults (50 episodes,
// 2000 bootstrap samples). Vision-language tasks ("scenes/vqa", "scenes/caption", "scenes/vqa_text",
// agent/text_eval.h) need no registry entry or references, but the suite's first_seed
// must be a held-out scene seed (>= 1,000,000), else the error says so. A task's
// `temperature` must be in [0, kMaxActionTemperature] and belongs to control tasks only
// (scene tasks' text follows `calico eval --text_temperature`).
// Episodes per task a suite may ask for (as `calico eval --episodes`): each one's result
// is held in memory until the report.
inline constexpr int kMaxSuiteEpisodes = 1000000;
// The largest sampling temperature a suite or flag may set: past it every distribution is
// uniform, and a value beyond float's range would reach the model as infinity.
inline constexpr double kMaxActionTemperature = 1e6;  // "1e6" in messages

// Parses and validates a suite (a SuiteConfig text proto read from `source`, which names
// it in messages): known tasks with reference returns, episode counts and seeds in range,
// held-out seeds for scene tasks, temperatures within kMaxActionTemperature. Fills the
// defaults (50 episodes, 2,000 bootstrap samples). InvalidArgument names the problem.
absl::StatusOr<SuiteConfig> ParseSuite(const std::string& text, const std::string& source, const TaskRegistry& registry,
                                       const ReferenceTable& references);

// The temperature each control task of `suite` acts at with a checkpoint policy: the
// task's own `temperature` where set, else `default_temperature` (calico eval's
// --temperature). Scene tasks are not listed.
std::map<std::string, double> SuiteActionTemperatures(const SuiteConfig& suite, double default_temperature);

struct EvaluateOptions {
  SuiteConfig suite;               // as ParseSuite returns it
  ReferenceTable references;       // for every task of the suite
  std::string policy_label;        // for the report
  int threads = 2;
  // Set: each task's episodes run on min(batch_envs, episodes) environments in lockstep,
  // acting through one BatchPolicy (a transformer's one decode batch per step) instead of
  // one policy per thread. Episode returns are the same either way.
  BatchPolicyFactory make_batch_policy;
  // Answers the vision-language tasks' scenes (a checkpoint's TextGenerator, or the
  // ground truth for the expert); null: a suite with such tasks is an error naming them.
  TextAnswerer answer_text;
  int batch_envs = 16;
  // For the report: the temperature each control task's actions were sampled at (0:
  // greedy), as SuiteActionTemperatures gives them to the checkpoint policy. Empty for
  // policies that do not sample from a model (expert, random).
  std::map<std::string, double> action_temperatures;
  // For the report: the demonstration each control task's policy was prompted with
  // (calico eval --prompts); tasks not listed acted without one.
  std::map<std::string, PromptSource> prompts;
  std::string report_directory;    // empty: no report
  bool videos = true;              // record episode 0 of each task as a GIF in the report
  ReportInfo extra;                // e.g. training curves
};

// Builds the policy of every control task of `suite` once, on a fresh environment of
// the task (through `make_batch_policy` for one environment where set, else
// `make_policy`), so that a policy that cannot act there (a context too short for one
// timestep and the prompt, specs that do not fit) fails before any episode runs, naming
// the task, instead of after the tasks before it. Vision-language tasks are skipped.
absl::Status CheckPoliciesCanAct(const TaskRegistry& registry, const SuiteConfig& suite,
                                 const PolicyFactory& make_policy, const BatchPolicyFactory& make_batch_policy);

// Runs the suite and, if asked, writes the report. Every control task's policy is built
// once first (CheckPoliciesCanAct). Progress goes to `progress`. Control
// tasks are scored as before (their aggregates cover only them); vision-language tasks
// go through EvaluateTextTask (agent/text_eval.h) with the suite's first_seed and
// bootstrap settings, `episodes` held-out scenes each, into SuiteScores::text_tasks.
absl::StatusOr<SuiteScores> EvaluateSuite(const TaskRegistry& registry, const PolicyFactory& make_policy,
                                          const EvaluateOptions& options, std::ostream* progress);

}  // namespace calico

#endif  // CALICO_AGENT_EVALUATE_H_
