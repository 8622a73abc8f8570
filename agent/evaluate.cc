#include "agent/evaluate.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "base/file_io.h"
#include "base/status_macros.h"
#include "base/text_proto.h"
#include "envs/scenes/scene.h"

namespace calico {

absl::StatusOr<SuiteConfig> ParseSuite(const std::string& text, const std::string& source, const TaskRegistry& registry,
                                       const ReferenceTable& references) {
  SuiteConfig suite;
  absl::Status parsed = ParseTextProto(text, &suite);
  if (!parsed.ok()) return absl::InvalidArgumentError(absl::StrCat(source, ": not a valid SuiteConfig: ", parsed.message()));
  if (suite.tasks_size() == 0) return absl::InvalidArgumentError(absl::StrCat(source, ": the suite names no tasks"));
  if (suite.episodes() == 0) suite.set_episodes(50);
  if (suite.bootstrap_samples() == 0) suite.set_bootstrap_samples(2000);
  if (suite.episodes() < 1 || suite.bootstrap_samples() < 1) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": episodes and bootstrap_samples must be positive"));
  }
  if (suite.bootstrap_samples() > kMaxBootstrapSamples) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": bootstrap_samples is ", suite.bootstrap_samples(),
                                                   "; at most ", kMaxBootstrapSamples));
  }
  // Episode counts, then the seeds they reach: episode i plays seed first_seed + i.
  auto check_episodes = [&](const std::string& what, int64_t episodes) -> absl::Status {
    if (episodes < 1) return absl::OkStatus();  // the default (0) or negative: checked below
    if (episodes > kMaxSuiteEpisodes) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": ", what, " is ", episodes, "; at most ", kMaxSuiteEpisodes));
    }
    // The last episode plays first_seed + episodes - 1.
    if (suite.first_seed() > std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(episodes - 1)) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": first_seed ", suite.first_seed(), " with ", episodes,
                                                     " episodes runs past the largest seed, 2^64 - 1"));
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(check_episodes("episodes", suite.episodes()));
  std::set<std::string> seen;
  for (SuiteTask& task : *suite.mutable_tasks()) {
    RETURN_IF_ERROR(check_episodes(absl::StrCat("episodes of '", task.task(), "'"), task.episodes()));
    if (IsTextTask(task.task())) {
      if (!IsEvalSeed(suite.first_seed())) {
        return absl::InvalidArgumentError(absl::StrCat(
            source, ": task '", task.task(), "' is scored on held-out scenes first_seed, first_seed + 1, ...; "
            "first_seed is ", suite.first_seed(), " but held-out scene seeds start at ", kFirstEvalSeed,
            " (lower ones are training scenes)"));
      }
      if (!seen.insert(task.task()).second) {
        return absl::InvalidArgumentError(absl::StrCat(source, ": task '", task.task(), "' is listed twice"));
      }
      if (task.episodes() < 0) {
        return absl::InvalidArgumentError(absl::StrCat(source, ": negative episodes for '", task.task(), "'"));
      }
      if (task.episodes() == 0) task.set_episodes(suite.episodes());
      if (task.has_temperature()) {
        return absl::InvalidArgumentError(absl::StrCat(
            source, ": task '", task.task(), "' has a temperature, which sets how actions are sampled; a scene "
            "task writes text (its temperature is calico eval's --text_temperature)"));
      }
      continue;
    }
    absl::Status known = registry.Info(task.task()).status();
    if (!known.ok()) return absl::Status(known.code(), absl::StrCat(source, ": ", known.message()));
    if (!seen.insert(task.task()).second) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": task '", task.task(), "' is listed twice"));
    }
    if (references.count(task.task()) == 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(source, ": task '", task.task(), "' has no reference returns, so it cannot be scored"));
    }
    if (task.episodes() < 0) return absl::InvalidArgumentError(absl::StrCat(source, ": negative episodes for '", task.task(), "'"));
    if (task.episodes() == 0) task.set_episodes(suite.episodes());
    if (task.has_temperature()) {
      if (!(task.temperature() >= 0 && task.temperature() <= kMaxActionTemperature)) {
        return absl::InvalidArgumentError(absl::StrCat(source, ": temperature of '", task.task(), "' is ",
                                                       task.temperature(), "; expected a number in [0, 1e6] (0: greedy)"));
      }
      if (task.temperature() == 0) task.set_temperature(0.0);  // -0 reads as greedy, not "-0"
    }
  }
  return suite;
}

std::map<std::string, double> SuiteActionTemperatures(const SuiteConfig& suite, double default_temperature) {
  std::map<std::string, double> temperatures;
  for (const SuiteTask& task : suite.tasks()) {
    if (IsTextTask(task.task())) continue;
    temperatures[task.task()] = task.has_temperature() ? task.temperature() : default_temperature;
  }
  return temperatures;
}

namespace {

// Where the report keeps a task's rollout GIF.
std::string VideoPath(const std::string& report_directory, const std::string& task) {
  return absl::StrCat(report_directory, "/videos/", absl::StrReplaceAll(task, {{"/", "_"}}), ".gif");
}

}  // namespace

absl::Status CheckPoliciesCanAct(const TaskRegistry& registry, const SuiteConfig& suite,
                                 const PolicyFactory& make_policy, const BatchPolicyFactory& make_batch_policy) {
  for (const SuiteTask& suite_task : suite.tasks()) {
    if (IsTextTask(suite_task.task())) continue;
    ASSIGN_OR_RETURN(std::unique_ptr<Environment> probe, registry.Make(suite_task.task()));
    absl::Status built = make_batch_policy ? make_batch_policy(suite_task.task(), *probe, 1).status()
                         : make_policy     ? make_policy(suite_task.task(), *probe).status()
                                           : absl::InvalidArgumentError("no policy given");
    if (!built.ok()) {
      return absl::Status(built.code(), absl::StrCat("the policy cannot act in ", suite_task.task(),
                                                     " (checked before any episode): ", built.message()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<SuiteScores> EvaluateSuite(const TaskRegistry& registry, const PolicyFactory& make_policy,
                                          const EvaluateOptions& options, std::ostream* progress) {
  ReportInfo info = options.extra;
  if (!options.report_directory.empty()) {
    // A dataset or a training run is not a report directory: the report's files and
    // videos/ would mix with its own (MANIFEST.textproto: replay/dataset.h; LATEST:
    // agent/train.h).
    const std::pair<const char*, const char*> kinds[] = {{"MANIFEST.textproto", "a dataset"},
                                                         {"LATEST", "a training run"}};
    for (const auto& [marker, kind] : kinds) {
      if (PathExists(absl::StrCat(options.report_directory, "/", marker))) {
        return absl::FailedPreconditionError(absl::StrCat("report: '", options.report_directory, "' holds ", kind,
                                                          " (", marker, "); write the report to a directory of its own"));
      }
    }
    RETURN_IF_ERROR(CheckReportFilesReplaceable(options.report_directory));
    for (const std::string& dir : {options.report_directory, options.report_directory + "/videos"}) {
      if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
        return absl::InternalError(absl::StrCat("cannot create '", dir, "': ", std::strerror(errno)));
      }
    }
    // Every file the report writes, checked before the episodes: a report that cannot be
    // written after an hour of evaluation would lose it.
    std::vector<std::string> files;
    for (const char* name : {"report.json", "report.md", "report.html"}) {
      files.push_back(absl::StrCat(options.report_directory, "/", name));
    }
    if (options.videos) {
      for (const SuiteTask& suite_task : options.suite.tasks()) {
        if (!IsTextTask(suite_task.task())) files.push_back(VideoPath(options.report_directory, suite_task.task()));
      }
    }
    for (const std::string& file : files) {
      if (absl::Status writable = CheckFileWritable(file); !writable.ok()) {
        return absl::Status(writable.code(), absl::StrCat("report: ", writable.message()));
      }
    }
  }
  // Before any episode runs: a vision-language task needs something that writes text.
  for (const SuiteTask& suite_task : options.suite.tasks()) {
    if (IsTextTask(suite_task.task()) && !options.answer_text) {
      return absl::InvalidArgumentError(absl::StrCat(
          "task '", suite_task.task(), "' needs a model that writes text: evaluate a checkpoint (--checkpoint), ",
          "or --policy=expert for the ground truth; policy '", options.policy_label, "' has no text"));
    }
  }
  RETURN_IF_ERROR(CheckPoliciesCanAct(registry, options.suite, make_policy, options.make_batch_policy));
  std::vector<TaskScore> tasks;
  std::vector<TextTaskScore> text_tasks;
  for (const SuiteTask& suite_task : options.suite.tasks()) {
    if (IsTextTask(suite_task.task())) {
      if (progress != nullptr) {
        *progress << "eval " << suite_task.task() << ": " << suite_task.episodes() << " held-out scenes (seeds "
                  << options.suite.first_seed() << "..." << options.suite.first_seed() + suite_task.episodes() - 1
                  << ")\n";
      }
      ASSIGN_OR_RETURN(TextTaskScore text,
                       EvaluateTextTask(suite_task.task(), suite_task.episodes(), options.suite.first_seed(),
                                        options.answer_text, options.suite.bootstrap_samples(),
                                        options.suite.bootstrap_seed(), progress));
      text_tasks.push_back(std::move(text));
      continue;
    }
    EpisodeRunnerOptions run;
    run.task = suite_task.task();
    run.episodes = suite_task.episodes();
    run.first_seed = options.suite.first_seed();
    run.threads = options.threads;
    if (options.videos && !options.report_directory.empty()) {
      run.video_path = VideoPath(options.report_directory, suite_task.task());
      run.video_height = run.video_width = 160;
      run.video_every = 4;
    }
    if (progress != nullptr) *progress << "eval " << run.task << ": " << run.episodes << " episodes\n";
    ASSIGN_OR_RETURN(EpisodeRunnerReport report,
                     options.make_batch_policy
                         ? RunEpisodesBatched(registry, options.make_batch_policy, options.batch_envs, run, progress)
                         : RunEpisodes(registry, make_policy, run, progress));
    TaskScore score;
    score.task = run.task;
    for (const EpisodeResult& r : report.episodes) score.returns.push_back(r.episode_return);
    auto ref = options.references.find(run.task);
    if (ref == options.references.end()) {
      return absl::FailedPreconditionError(absl::StrCat("no reference returns for '", run.task, "'"));
    }
    score.reference = ref->second;
    if (auto t = options.action_temperatures.find(run.task); t != options.action_temperatures.end()) {
      score.action_temperature = t->second;
    }
    if (auto p = options.prompts.find(run.task); p != options.prompts.end()) score.prompt = p->second;
    tasks.push_back(std::move(score));
    if (!report.video_error.empty()) {
      // A video lost (a full disk) costs the report its picture, not the suite its scores.
      if (progress != nullptr) {
        *progress << "eval " << run.task << ": the video was not written (" << report.video_error
                  << "); the report goes on without it\n";
      }
    } else if (!run.video_path.empty()) {
      info.videos[run.task] = run.video_path;
    }
  }
  SuiteScores scores;
  if (!tasks.empty()) {
    ASSIGN_OR_RETURN(scores, ComputeScores(std::move(tasks), options.suite.bootstrap_samples(),
                                           options.suite.bootstrap_seed()));
  }
  scores.text_tasks = std::move(text_tasks);
  if (!options.report_directory.empty()) {
    if (info.title.empty()) info.title = absl::StrCat("calico evaluation: ", options.suite.name());
    info.policy = options.policy_label;
    info.suite = options.suite.name();
    info.first_seed = options.suite.first_seed();
    // The suite's count, unless a task sets its own (then each task's is in report.json).
    info.episodes = options.suite.episodes();
    for (const SuiteTask& suite_task : options.suite.tasks()) {
      if (suite_task.episodes() != options.suite.episodes()) info.episodes = 0;
    }
    if (absl::Status written = WriteReport(options.report_directory, scores, info); !written.ok()) {
      // The scores are not lost with the report: they go to the progress stream first.
      if (progress != nullptr) *progress << "\n" << ScoreTable(scores);
      return absl::Status(written.code(), absl::StrCat(written.message(), progress != nullptr
                                                           ? " (the scores are printed above)" : ""));
    }
  }
  return scores;
}

}  // namespace calico
