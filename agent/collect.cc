#include "agent/collect.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/dagger_environment.h"
#include "base/file_io.h"
#include "base/status_macros.h"
#include "envs/action_noise.h"
#include "replay/episode.h"

namespace calico {

absl::Status CollectOptions::Validate() const {
  if (tasks.empty()) return absl::InvalidArgumentError("no task given");
  if (episodes < 1) return absl::InvalidArgumentError(absl::StrCat("episodes is ", episodes, "; expected >= 1"));
  if (directory.empty()) return absl::InvalidArgumentError("no output directory given");
  // The runners refuse more than 256 too, but only once the dataset directory is made.
  if (threads < 1 || threads > 256) {
    return absl::InvalidArgumentError(absl::StrCat("threads is ", threads, "; expected 1..256"));
  }
  // A task named twice would record the same seeds twice.
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (std::find(tasks.begin(), tasks.begin() + i, tasks[i]) != tasks.begin() + i) {
      return absl::InvalidArgumentError(
          absl::StrCat("task '", tasks[i], "' is named twice: its episodes would be recorded twice, same seeds"));
    }
  }
  RETURN_IF_ERROR(ActionNoiseOptions{action_noise}.Validate());
  // DART perturbs an expert so that its demonstrations visit the states after mistakes;
  // a random policy already does, and the noise would only make its episodes record
  // actions other than the ones executed.
  if (policy_name == "random" && action_noise > 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "action noise ", action_noise, " with the random policy: its actions are random already; drop the noise"));
  }
  if (learner && batch_learner) {
    return absl::InvalidArgumentError("a learner and a batched learner together: give one (both act in DAgger)");
  }
  if (batch_learner && (batch < 1 || batch > 4096)) {
    return absl::InvalidArgumentError(absl::StrCat("batch is ", batch, "; expected 1..4096 environments"));
  }
  const bool dagger = learner || batch_learner;
  // DAgger records the labelling policy's actions for the learner to learn: random ones
  // would teach it to act at random.
  if (dagger && policy_name == "random") {
    return absl::InvalidArgumentError(
        "a learner with the random policy: the states the learner reaches are labelled with the collected policy's "
        "actions, and random labels teach it nothing; label with the expert (--policy=expert)");
  }
  if (dagger && action_noise > 0) {
    return absl::InvalidArgumentError(
        "action noise and a learner together: the learner's actions are executed, so there is no expert action to "
        "perturb; use one of them");
  }
  if (dagger && min_return_fraction.has_value()) {
    return absl::InvalidArgumentError(
        "the return filter and a learner together: the returns are the learner's, and its worst episodes hold the "
        "states whose expert labels it needs most");
  }
  if (min_return_fraction.has_value()) {
    for (const std::string& task : tasks) {
      if (references.count(task) == 0) {
        return absl::FailedPreconditionError(
            absl::StrCat("the return filter needs an expert reference for '", task, "', and there is none"));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<CollectReport> Collect(const TaskRegistry& registry, const PolicyFactory& make_policy,
                                      const CollectOptions& options, std::ostream* progress) {
  RETURN_IF_ERROR(options.Validate());
  for (const std::string& task : options.tasks) {
    RETURN_IF_ERROR(registry.Info(task).status());
    // A policy (or learner) that cannot act in the task fails here, before the dataset
    // is touched: an unknown policy name, a task without an expert.
    ASSIGN_OR_RETURN(std::unique_ptr<Environment> probe, registry.Make(task));
    RETURN_IF_ERROR(make_policy(task, *probe).status());
    if (options.learner) RETURN_IF_ERROR(options.learner(task, *probe).status());
    if (options.batch_learner) RETURN_IF_ERROR(options.batch_learner(task, *probe, 1).status());
  }
  const bool dagger = options.learner || options.batch_learner;
  // Episodes of the same policy at the same seed repeat exactly; say so when an append
  // meets the seeds a task already has (a learner's episodes differ, so not for DAgger).
  if (options.append && !dagger && PathExists(absl::StrCat(options.directory, "/", kManifestFile)) &&
      progress != nullptr) {
    ASSIGN_OR_RETURN(const DatasetManifest manifest, ReadManifest(options.directory));
    const uint64_t first = options.first_seed, last = first + static_cast<uint64_t>(options.episodes) - 1;
    for (const std::string& task : options.tasks) {
      const std::optional<std::pair<uint64_t, uint64_t>> held = RecordedSeedRange(manifest, task);
      if (!held.has_value() || first > held->second || last < held->first) continue;
      *progress << "warning: " << task << " already has episodes of seeds " << held->first << ".." << held->second
                << " in " << options.directory << "; seeds " << first << ".." << last
                << " meet them, and the same policy at a seed it has played records the same episode again (--seed="
                << held->second + 1 << " continues after them)\n";
    }
  }
  DatasetWriterOptions writer_options;
  writer_options.directory = options.directory;
  writer_options.append = options.append;
  writer_options.min_return_fraction = options.min_return_fraction;
  writer_options.references = options.references;
  writer_options.count_tokens = options.count_tokens;
  ASSIGN_OR_RETURN(std::unique_ptr<DatasetWriter> writer, DatasetWriter::Open(writer_options));

  // With action noise or a learner, every task's environments come wrapped.
  TaskRegistry wrapped;
  const bool wrap = options.action_noise > 0 || options.learner;  // the batched learner needs no wrapper
  if (wrap) {
    for (const std::string& task : options.tasks) {
      ASSIGN_OR_RETURN(TaskInfo info, registry.Info(task));
      RETURN_IF_ERROR(wrapped.Register(info, [&registry, &options, task]() -> absl::StatusOr<std::unique_ptr<Environment>> {
        ASSIGN_OR_RETURN(std::unique_ptr<Environment> env, registry.Make(task));
        if (!options.learner) return ActionNoiseEnvironment::Wrap(std::move(env), ActionNoiseOptions{options.action_noise});
        ASSIGN_OR_RETURN(std::unique_ptr<Policy> learner, options.learner(task, *env));
        return DaggerEnvironment::Wrap(std::move(env), std::move(learner));
      }));
    }
  }
  const TaskRegistry& envs = wrap ? wrapped : registry;
  std::string policy_name = options.policy_name;
  if (options.action_noise > 0) absl::StrAppend(&policy_name, "+noise", options.action_noise);
  if (dagger) absl::StrAppend(&policy_name, "+dagger(", options.learner_name, ")");
  // The batched DAgger: the learner acts for every environment of a task in one call, and
  // the runner records each slot's label (DaggerBatchPolicy::RecordedAction).
  std::shared_ptr<const int64_t> overruled;  // the current task's DaggerBatchPolicy's count
  const BatchPolicyFactory dagger_batch = [&options, &make_policy, &overruled](
      const std::string& task, const Environment& env, int num_envs) -> absl::StatusOr<std::unique_ptr<BatchPolicy>> {
    ASSIGN_OR_RETURN(std::unique_ptr<BatchPolicy> learner, options.batch_learner(task, env, num_envs));
    std::vector<std::unique_ptr<Policy>> labellers;
    for (int i = 0; i < num_envs; ++i) {
      ASSIGN_OR_RETURN(std::unique_ptr<Policy> labeller, make_policy(task, env));
      labellers.push_back(std::move(labeller));
    }
    ASSIGN_OR_RETURN(std::unique_ptr<DaggerBatchPolicy> made,
                     DaggerBatchPolicy::Create(std::move(learner), std::move(labellers), env.action_spec()));
    overruled = made->overruled_count();
    return std::unique_ptr<BatchPolicy>(std::move(made));
  };

  CollectReport report;
  const auto start = std::chrono::steady_clock::now();
  for (const std::string& task : options.tasks) {
    ASSIGN_OR_RETURN(std::unique_ptr<Environment> probe, registry.Make(task));
    const SpecMap observation_spec = probe->observation_spec();
    const SpecMap action_spec = probe->action_spec();
    std::mutex mu;
    std::map<uint64_t, std::unique_ptr<EpisodeRecorder>> recorders;  // by seed, guarded by mu
    int64_t kept = 0;                                                  // guarded by mu
    int64_t kept_steps = 0;  // steps of the episodes stored (not filtered out), guarded by mu
    EpisodeRunnerOptions run;
    run.task = task;
    run.episodes = options.episodes;
    run.first_seed = options.first_seed;
    run.threads = options.threads;
    run.on_step = [&](uint64_t seed, const TimeStep& timestep, const NamedArrays* action) -> absl::Status {
      if (options.stop != nullptr && options.stop->load()) return absl::CancelledError("collect stopped on request");
      EpisodeRecorder* recorder;
      {
        std::lock_guard<std::mutex> lock(mu);
        std::unique_ptr<EpisodeRecorder>& slot = recorders[seed];
        if (timestep.first() || slot == nullptr) {
          slot = std::make_unique<EpisodeRecorder>(task, observation_spec, action_spec, policy_name, seed);
        }
        recorder = slot.get();
      }
      return recorder->Add(timestep, action);  // one seed runs on one thread at a time
    };
    run.on_episode_end = [&](uint64_t seed, const EpisodeResult&) -> absl::Status {
      std::unique_ptr<EpisodeRecorder> recorder;
      {
        std::lock_guard<std::mutex> lock(mu);
        recorder = std::move(recorders[seed]);
        recorders.erase(seed);
      }
      ASSIGN_OR_RETURN(Episode episode, recorder->Finish());
      ASSIGN_OR_RETURN(bool added, writer->Add(episode));
      std::lock_guard<std::mutex> lock(mu);
      if (added) {
        ++kept;
        kept_steps += episode.length();
      }
      return absl::OkStatus();
    };
    if (progress != nullptr) *progress << "collect " << task << ": " << options.episodes << " episodes\n";
    absl::StatusOr<EpisodeRunnerReport> run_result =
        options.batch_learner ? RunEpisodesBatched(registry, dagger_batch, options.batch, run, progress)
                              : RunEpisodes(envs, make_policy, run, progress);
    if (!run_result.ok() && absl::IsCancelled(run_result.status()) && options.stop != nullptr &&
        options.stop->load()) {
      // The finished episodes stay: the manifest below lists them.
      std::lock_guard<std::mutex> lock(mu);
      report.episodes_kept += kept;
      report.steps += kept_steps;
      report.stopped = true;
      if (progress != nullptr) *progress << "collect " << task << ": stopped on request, kept " << kept << " episodes\n";
      break;
    }
    if (!run_result.ok()) {
      // Whatever failed, the episodes stored so far (this task's and earlier tasks') stay,
      // listed in the manifest, as after a stop request.
      absl::Status closed = writer->Close();
      return absl::Status(run_result.status().code(),
                          absl::StrCat(run_result.status().message(),
                                       closed.ok() ? absl::StrCat(" (the dataset keeps the ", writer->added(),
                                                                  " episodes this run stored before it)")
                                                   : absl::StrCat(" (and closing the dataset failed too: ",
                                                                  closed.message(), ")")));
    }
    const EpisodeRunnerReport& result = *run_result;
    std::lock_guard<std::mutex> lock(mu);
    report.episodes_kept += kept;
    report.steps += kept_steps;
    if (progress != nullptr) {
      *progress << absl::StrFormat("collect %s: mean return %.2f +- %.2f, kept %d of %d episodes, %.1f s\n", task,
                                   result.mean_return, result.stddev_return, kept, options.episodes, result.seconds);
      // How often the learner did not do what the expert would have: its error rate on
      // its own states. Only for discrete actions: a continuous label almost never
      // equals the learner's binned value.
      bool discrete = true;
      for (const auto& [name, spec] : action_spec) discrete = discrete && spec.dtype == DType::kInt32;
      const int64_t acted = result.total_steps;
      if (options.batch_learner && overruled != nullptr && discrete && acted > 0) {
        *progress << absl::StrFormat("collect %s: the expert's label differed from the learner's action on %d of %d "
                                     "steps (%.1f%%)\n",
                                     task, *overruled, acted, 100.0 * *overruled / acted);
      }
    }
    overruled.reset();
  }
  RETURN_IF_ERROR(writer->Close());
  report.episodes_filtered = writer->filtered_out();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace calico
