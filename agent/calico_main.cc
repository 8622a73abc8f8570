// The `calico` command line: one binary, one subcommand per job (see kUsage).

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <new>
#include <filesystem>
#include <iostream>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "agent/ask.h"
#include "agent/batch_episode_runner.h"
#include "agent/command_flags.h"
#include "agent/dataset_specs.h"
#include "envs/scenes/scene.h"
#include "agent/collect.h"
#include "agent/episode_runner.h"
#include "agent/evaluate.h"
#include "agent/policy_factory.h"
#include "agent/train.h"
#include "agent/training_curves.h"
#include "agent/resource_paths.h"
#include "agent/scenes_data.h"
#include "agent/temperature_choice.h"
#include "agent/text_eval.h"
#include "base/file_io.h"
#include "base/status_macros.h"
#include "envs/all_tasks.h"
#include "model/checkpoint.h"
#include "policies/text_model_match.h"
#include "policies/experts.h"
#include "replay/dataset.h"
#include "replay/inspect.h"
#include "tokenizers/sequence_builder.h"
#include "tokenizers/text/text_tokenizer.h"
#include "tokenizers/text/train_text_model.h"
#include "tokenizers/tokens_command.h"

ABSL_FLAG(std::string, input, "", "tokens: text-format TokensRequest file (specs + timesteps)");
ABSL_FLAG(std::string, format, "table", "tokens: output format, 'table' or 'json'");
ABSL_FLAG(int64_t, window, 0, "tokens: if > 0, show only a window of this many positions");
ABSL_FLAG(int64_t, window_start, 0, "tokens: first timestep of the window");
ABSL_FLAG(std::string, text_model, "", "SentencePiece model (default: the one shipped with calico)");
ABSL_FLAG(std::string, out, "",
          "collect, scenes: the dataset directory to write; text-model: the model file; train: overrides output_dir");
ABSL_FLAG(int32_t, vocab_size, calico::kCalicoTextVocabSize, "text-model: number of text pieces");
ABSL_FLAG(std::string, task, "", "rollout, collect, envs: task name(s), comma-separated for collect");
ABSL_FLAG(std::string, policy, "expert", "rollout, collect: 'expert' or 'random'");
ABSL_FLAG(int32_t, episodes, 0, "rollout (default 1), collect (default 10), eval (default: the suite's): episodes per task");
ABSL_FLAG(uint64_t, seed, 0,
          "rollout, collect: seed of the first episode (episode i uses seed + i); with a checkpoint (rollout, "
          "eval, collect --learner, caption, ask) also the seed of its sampling at a temperature > 0 (eval's "
          "episodes use the suite's seeds, so eval --seed=S samples as rollout --seed=S does)");
ABSL_FLAG(int32_t, threads, 2, "rollout, collect, scenes, eval: worker threads (>= 1)");
ABSL_FLAG(std::string, video, "", "rollout: write episode 0 as an animated GIF here");
ABSL_FLAG(std::string, video_size, "240x240", "rollout: video frame size, HEIGHTxWIDTH");
ABSL_FLAG(int32_t, video_every, 2, "rollout: keep every n-th frame in the video");
ABSL_FLAG(std::string, suite, "", "eval: evaluation suite (text-format SuiteConfig, e.g. agent/suites/control.textproto)");
ABSL_FLAG(std::string, report, "", "eval: report directory (report.json, report.md, report.html, videos/)");
ABSL_FLAG(std::string, config, "", "train: training config (text-format TrainConfig, e.g. agent/configs/quickstart.textproto)");
ABSL_FLAG(bool, resume, false, "train: continue from the output directory's latest checkpoint");
ABSL_FLAG(int64_t, steps, 0, "train: if > 0, overrides the config's max_steps");
ABSL_FLAG(std::string, stop_at, "",
          "train: end this invocation with a checkpoint after update N, or at P% of the run's updates (N or P%), "
          "keeping the schedule, so --resume continues it as if uninterrupted (DAgger rounds in between)");
ABSL_FLAG(double, seconds, 0, "train: if > 0, overrides the config's max_seconds (wall time of this run)");
ABSL_FLAG(std::string, checkpoint, "",
          "rollout, eval, caption, ask: the transformer in this checkpoint (or a training run's directory: its "
          "latest checkpoint), for eval and rollout instead of --policy");
ABSL_FLAG(std::string, datasets, "", "train: comma-separated dataset directories, replacing the config's");
ABSL_FLAG(double, temperature, 0.0,
          "rollout, eval, caption, ask with --checkpoint, collect with --learner: sampling temperature "
          "(0 = greedy); in eval, of actions "
          "(a suite task's own `temperature` replaces it for that task)");
ABSL_FLAG(std::string, choose_temperature, "",
          "eval with --checkpoint: comma-separated action temperatures (e.g. 0,0.5,1); each control task without "
          "its own suite temperature acts at the one with the highest mean return on validation episodes "
          "(--choice_episodes from --choice_seed, never the suite's seeds)");
ABSL_FLAG(int32_t, choice_episodes, 10, "eval --choose_temperature: validation episodes per task and temperature");
ABSL_FLAG(uint64_t, choice_seed, calico::kDefaultChoiceSeed,
          "eval --choose_temperature: seed of the first validation episode");
ABSL_FLAG(int64_t, context, 0,
          "rollout, eval with --checkpoint, collect with --learner: positions of the episode the transformer keeps "
          "while acting (0: the "
          "checkpoint's context_length); older timesteps are dropped to stay within it");
ABSL_FLAG(double, text_temperature, 0.0,
          "eval with --checkpoint: sampling temperature of vision-language answers and captions (0 = greedy)");
ABSL_FLAG(int32_t, batch, 16,
          "rollout, eval with --checkpoint, collect with --learner: environments acting together (one decode "
          "batch per step)");
ABSL_FLAG(std::string, prompts, "",
          "rollout, eval with --checkpoint: dataset whose first episode of each task prompts the policy");
ABSL_FLAG(bool, append, false, "collect, scenes: add to an existing dataset");
ABSL_FLAG(uint64_t, first_seed, 0, "scenes: seed of the first scene (episode i shows scenes first_seed + i * pairs ...)");
ABSL_FLAG(int32_t, size, 64, "scenes: image side in pixels, a multiple of 16");
ABSL_FLAG(int32_t, pairs, 5, "scenes: image-text steps per episode");
ABSL_FLAG(std::string, kind, "mixed",
          "scenes: 'caption', 'vqa', 'mixed' (episodes alternate) or 'vqa_text' (VQA texts without images)");
ABSL_FLAG(std::string, png, "", "scenes: also write every scene as a PNG here, with index.tsv (file, seed, text)");
ABSL_FLAG(std::string, colour_working, "none",
          "scenes: how colour answers are written: 'none' (\"white\"), 'caption_prefix' (\"a small blue capsule "
          "left of a small white box, so white\"), 'shape_colour_pairs' (\"capsule blue box white, so white\") or "
          "'shape_colour_lookup' (\"capsule blue box white, box white, so white\")");
ABSL_FLAG(std::string, colour_questions, "sampled",
          "scenes: 'sampled' (each VQA step asks its 3 sampled questions) or 'every' (then also the colour of "
          "every object whose shape is unique that it has not asked about: more colour lookups per scene)");
ABSL_FLAG(std::string, count_existence_working, "none",
          "scenes: how count and existence answers are written: 'none' (\"one\") or 'shape_lookup' (\"capsule "
          "blue box white, box white, so one\": every object's shape and colour, then those of the shape asked "
          "about, or \"no <shape>\")");
ABSL_FLAG(bool, eval_set, false, "scenes: write a held-out evaluation set (seeds >= 1000000; training sets stay below)");
ABSL_FLAG(double, noise, 0.0,
          "collect: execute perturbed actions (continuous: Gaussian, this fraction of half the range; discrete: "
          "this probability of a random action) while recording the policy's own (DART)");
ABSL_FLAG(std::string, learner, "",
          "collect: DAgger; the transformer in this checkpoint (or run directory) acts, at --temperature and "
          "--context, while --policy labels every state it reaches");
ABSL_FLAG(std::string, image, "", "caption, ask: the PNG image (resized to 64x64 with a note if it is another size)");
ABSL_FLAG(std::string, question, "", "ask: the question about the image, e.g. \"what colour is the box?\"");
ABSL_FLAG(int32_t, max_tokens, 64, "caption, ask, eval of vision-language tasks: most tokens decoded per answer");
ABSL_FLAG(double, filter, 0.0,
          "collect: Gato's filter, keep episodes whose return is >= this fraction of the expert's (0 = off; "
          "Gato used 0.8)");

namespace calico {
namespace {

constexpr char kUsage[] =
    "A Gato-style generalist agent runtime.\n\n"
    "Commands:\n"
    "  calico train --config=FILE [--datasets=DIR,...] [--out=DIR] [--steps=N] [--seconds=S] [--resume]\n"
    "               [--stop_at=N|P%]\n"
    "      Train the transformer on datasets (progress, metrics.jsonl, checkpoints; Ctrl-C\n"
    "      checkpoints and exits; --resume continues bit-identically; --stop_at pauses the\n"
    "      run there, schedule unchanged).\n"
    "  calico envs [--task=T]\n"
    "      List the tasks with their specs and reference returns.\n"
    "  calico rollout --task=T [--policy=expert|random | --checkpoint=C [--batch=16] [--prompts=DIR]]\n"
    "                 [--episodes=N] [--seed=S] [--video=out.gif]\n"
    "      Run a policy, print returns and the normalised score, optionally record a video.\n"
    "  calico collect --task=T1,T2 --out=DIR [--policy=expert|random] [--episodes=N] [--noise=0.3] [--append]\n"
    "                 [--filter=0.8] [--learner=C [--temperature=T] [--context=N] [--batch=16]]\n"
    "      Run a policy and store its episodes as a dataset (record shards + manifest). With\n"
    "      --learner (DAgger), checkpoint C acts (up to --batch environments in one decode\n"
    "      batch) and the policy labels the states it reaches.\n"
    "  calico scenes --out=DIR [--episodes=N] [--first_seed=S] [--size=64] [--pairs=5]\n"
    "                [--kind=caption|vqa|mixed|vqa_text] [--png=DIR] [--eval_set] [--append]\n"
    "                [--colour_working=none|caption_prefix|shape_colour_pairs|shape_colour_lookup]\n"
    "                [--colour_questions=sampled|every] [--count_existence_working=none|shape_lookup]\n"
    "      Render image scenes with captions / question-answer pairs and store them as a\n"
    "      vision-language dataset (tasks scenes/caption, scenes/vqa; scenes/vqa_text holds the\n"
    "      VQA texts without images, for answering from a description). --colour_working writes\n"
    "      each colour answer after a working: the caption up to the shape asked about, or every\n"
    "      object's shape and colour (shape_colour_lookup: then the asked shape and its colour).\n"
    "      --colour_questions=every adds the colour question of every unique-shape object.\n"
    "      --count_existence_working=shape_lookup writes count and existence answers after the\n"
    "      shape-colour pairs and those of the shape asked about.\n"
    "  calico eval --suite=FILE [--policy=expert|random | --checkpoint=C [--batch=16] [--prompts=DIR]\n"
    "              [--temperature=T | --choose_temperature=0,0.5,1 [--choice_episodes=10]\n"
    "              [--choice_seed=2000000]] [--text_temperature=T]] [--episodes=N] [--report=DIR]\n"
    "      Evaluate on a suite: per-task expert-normalised scores, mean/median/IQM with\n"
    "      bootstrap 95% intervals, and a report directory with charts and videos.\n"
    "      --choose_temperature acts in each control task at the listed temperature with the\n"
    "      best mean return on validation episodes (other seeds than the suite's).\n"
    "      Vision-language tasks (scenes/vqa, scenes/caption; agent/suites/vision_language.textproto)\n"
    "      are scored as VQA accuracy and caption exact match / token F1 / attribute F1 on\n"
    "      held-out scenes; scenes/vqa_text asks scenes/vqa's questions with the caption given\n"
    "      as text and no image (agent/suites/vqa_from_text.textproto holds both).\n"
    "  calico caption --checkpoint=C --image=X.png [--temperature=T] [--seed=S]\n"
    "  calico ask --checkpoint=C --image=X.png --question=\"what colour is the box?\" [--temperature=T]\n"
    "      Describe a PNG image / answer a question about it with a trained checkpoint (the\n"
    "      model describes the image first and answers after its description, printed as a note).\n"
    "  calico inspect DIR [--text_model=M]\n"
    "      Print a dataset's figures per task and check every record, recounting each task's\n"
    "      tokens with the text model (the shipped one unless given; totals a dataset's\n"
    "      writer counted with another model are noted, not counted as damage).\n"

    "  calico tokens --input=FILE [--format=table|json] [--window=L --window_start=T]\n"
    "      Print the token stream of the timesteps in FILE (a text-format TokensRequest,\n"
    "      see tokenizers/tokens_request.proto and tests/data/*.textproto).\n"
    "  calico text-model --out=FILE [--vocab_size=N]\n"
    "      Retrain calico's SentencePiece text model from its generated corpus.\n";

PolicyFactory NamedPolicy(const std::string& name) {
  return [name](const std::string& task, const Environment& env) {
    return MakeNamedPolicy(name, task, env.action_spec());
  };
}

// The policy the flags ask for: a transformer checkpoint if --checkpoint is set (with its
// batched form, and prompts from --prompts), else the named scripted policy.
struct SelectedPolicies {
  std::string label;  // which policy, for summaries and reports
  PolicyFactory single;
  BatchPolicyFactory batched;  // null for scripted policies
};

// A transformer policy's options from --temperature, --seed, --context and --text_model.
absl::StatusOr<CheckpointPolicyOptions> CheckpointOptionsFromFlags() {
  CheckpointPolicyOptions options;
  options.policy.temperature = absl::GetFlag(FLAGS_temperature);
  options.policy.seed = absl::GetFlag(FLAGS_seed);
  const int64_t context = absl::GetFlag(FLAGS_context);
  if (context < 0 || context > std::numeric_limits<int>::max()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--context is ", context, "; expected 0 (the checkpoint's context_length) or a position count"));
  }
  options.policy.context_length = static_cast<int>(context);
  options.text_model_path = absl::GetFlag(FLAGS_text_model);
  return options;
}

// A checkpoint policy's options from the flags, with --prompts' first episode of each of
// `tasks` as its prompt (the dataset is read here, once).
absl::StatusOr<CheckpointPolicyOptions> CheckpointOptionsWithPrompts(const std::vector<std::string>& tasks) {
  ASSIGN_OR_RETURN(CheckpointPolicyOptions options, CheckpointOptionsFromFlags());
  const std::string prompts = absl::GetFlag(FLAGS_prompts);
  if (!prompts.empty()) {
    ASSIGN_OR_RETURN(Dataset dataset, LoadDataset(UserPath(prompts)));
    for (const std::string& task : tasks) {
      auto it = dataset.episodes.find(task);
      if (it == dataset.episodes.end() || it->second.empty()) {
        std::printf("note: %s holds no episode of %s; it acts without a prompt\n", prompts.c_str(), task.c_str());
        continue;
      }
      const Episode& demo = it->second.front();
      std::printf("note: %s is prompted with the first episode of it in %s (seed %llu, %lld steps, return %.2f)\n",
                  task.c_str(), prompts.c_str(), static_cast<unsigned long long>(demo.seed),
                  static_cast<long long>(demo.length()), demo.episode_return);
      options.prompts[task] = demo;
    }
  }
  return options;
}

// Prints a warning (once per checkpoint) when the checkpoint records the tasks it was
// trained on and `tasks` has others: the model acts in any task its tokens fit, and a
// score near random is then no surprise.
absl::Status WarnOfUntrainedTasks(const std::string& checkpoint, const std::vector<std::string>& tasks) {
  static std::set<std::string>* warned = new std::set<std::string>();
  if (!warned->insert(checkpoint).second) return absl::OkStatus();
  ASSIGN_OR_RETURN(const ModelConfig config, ReadCheckpointConfig(checkpoint));
  const std::vector<std::string> untrained = UntrainedTasks(config, tasks);
  if (untrained.empty()) return absl::OkStatus();
  const std::vector<std::string> trained(config.trained_tasks().begin(), config.trained_tasks().end());
  std::printf("warning: %s was not trained on %s (it was trained on %s); it acts there all the same\n",
              checkpoint.c_str(), ShortTaskList(untrained).c_str(), ShortTaskList(trained).c_str());
  return absl::OkStatus();
}

// The policy the flags name for `tasks`: --checkpoint's transformer (with --prompts and,
// per task, `temperatures` over --temperature; `prepared`, if given, holds the options
// CheckpointOptionsWithPrompts made, so the prompts are not read again) or --policy's
// named one.
absl::StatusOr<SelectedPolicies> SelectPolicy(const std::vector<std::string>& tasks,
                                              const std::map<std::string, double>& temperatures = {},
                                              const CheckpointPolicyOptions* prepared = nullptr) {
  SelectedPolicies selected;
  const std::string checkpoint = absl::GetFlag(FLAGS_checkpoint);
  if (checkpoint.empty()) {
    if (!absl::GetFlag(FLAGS_prompts).empty()) {
      return absl::InvalidArgumentError("--prompts needs --checkpoint (a transformer policy)");
    }
    selected.label = absl::GetFlag(FLAGS_policy);
    selected.single = NamedPolicy(selected.label);
    return selected;
  }
  if (absl::GetFlag(FLAGS_batch) < 1) {
    return absl::InvalidArgumentError(absl::StrCat("--batch is ", absl::GetFlag(FLAGS_batch), "; expected >= 1"));
  }
  CheckpointPolicyOptions options;
  if (prepared != nullptr) {
    options = *prepared;
  } else {
    ASSIGN_OR_RETURN(options, CheckpointOptionsWithPrompts(tasks));
  }
  options.temperatures = temperatures;
  // A training run's output directory stands for its latest checkpoint.
  ASSIGN_OR_RETURN(selected.label, ResolveCheckpoint(UserPath(checkpoint)));
  RETURN_IF_ERROR(WarnOfUntrainedTasks(selected.label, tasks));
  ASSIGN_OR_RETURN(CheckpointPolicies policies, MakeCheckpointPolicies(selected.label, options));
  selected.single = std::move(policies.single);
  selected.batched = std::move(policies.batched);
  return selected;
}

// The most episodes (or scenes) one --episodes may ask for.
constexpr int kMaxEpisodesFlag = 1000000;
constexpr int kDefaultCollectEpisodes = 10;

int EpisodesFlag(int default_value) {
  const int episodes = absl::GetFlag(FLAGS_episodes);
  return episodes == 0 ? default_value : episodes;
}

std::string SpecLine(const ArraySpec& spec) {
  std::string bounds;
  if (spec.bounded()) {
    bounds = spec.minimum.size() == 1 ? absl::StrFormat(" in [%g, %g]", spec.minimum[0], spec.maximum[0])
                                      : std::string(" bounded per element");
  }
  return absl::StrCat(spec.name, ": ", DTypeName(spec.dtype), " ", ShapeString(spec.shape), bounds);
}

// --stop_at: "N" (an update, >= 1) or "P%" (a percentage of the run in (0, 100)), as
// (stop_at_step, stop_at_fraction).
absl::StatusOr<std::pair<int64_t, double>> ParseStopAt(const std::string& value) {
  if (absl::EndsWith(value, "%")) {
    double percent = 0;
    if (!absl::SimpleAtod(value.substr(0, value.size() - 1), &percent) || !(percent > 0 && percent < 100)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--stop_at=", value, ": expected a percentage of the run's updates in (0%, 100%), or an update"));
    }
    return std::make_pair(int64_t{0}, percent / 100);
  }
  int64_t step = 0;
  const bool digits = !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
  if (digits && !absl::SimpleAtoi(value, &step)) {
    return absl::InvalidArgumentError(absl::StrCat("--stop_at=", value, ": the update number is too large (at most ",
                                                   std::numeric_limits<int64_t>::max(), ")"));
  }
  if (!digits || step < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--stop_at=", value, ": expected an update number >= 1 (the run's total, as --steps) or P%"));
  }
  return std::make_pair(step, 0.0);
}

absl::Status Train() {
  const std::string path = absl::GetFlag(FLAGS_config);
  if (path.empty()) return absl::InvalidArgumentError("train needs --config=FILE (a text-format TrainConfig)");
  ASSIGN_OR_RETURN(std::string text, ReadFile(UserPath(path)));
  // Flags override fields before the defaults are filled in: the schedule's defaults
  // (decay_steps, warmup_steps) follow --steps, and --datasets / --out may stand in for
  // fields the file leaves out.
  ASSIGN_OR_RETURN(TrainConfig config, ParseTrainConfigText(text, path));
  // A run's record given back (e.g. to resume it): its filled-in defaults follow the
  // flags again, as in the config the run began with.
  const bool record_given = config.defaulted_fields_size() > 0 || config.loaded_data_size() > 0;
  ForgetRecordedValues(&config);
  // Paths in the config and on the command line are taken from where the user runs.
  if (!absl::GetFlag(FLAGS_datasets).empty()) {
    config.clear_datasets();
    for (absl::string_view dataset : absl::StrSplit(absl::GetFlag(FLAGS_datasets), ',', absl::SkipEmpty())) {
      config.add_datasets(std::string(dataset));
    }
  }
  for (std::string& dataset : *config.mutable_datasets()) dataset = UserPath(dataset);
  if (!absl::GetFlag(FLAGS_out).empty()) config.set_output_dir(absl::GetFlag(FLAGS_out));
  config.set_output_dir(UserPath(config.output_dir()));
  // A record copied along with its run directory still names the run it was written in.
  if (record_given && absl::GetFlag(FLAGS_out).empty()) {
    std::error_code record_error, run_error;
    const auto record_dir =
        std::filesystem::weakly_canonical(std::filesystem::path(UserPath(path)).parent_path(), record_error);
    const auto run_dir = std::filesystem::weakly_canonical(config.output_dir(), run_error);
    if (!record_error && !run_error && record_dir != run_dir) {
      std::printf("note: %s is the record of the run in %s, which this invocation trains; pass --out=%s to train "
                  "there instead\n",
                  path.c_str(), config.output_dir().c_str(), record_dir.string().c_str());
    }
  }
  if (absl::GetFlag(FLAGS_steps) < 0) return absl::InvalidArgumentError("--steps must be >= 0");
  if (absl::GetFlag(FLAGS_steps) > 0) config.set_max_steps(absl::GetFlag(FLAGS_steps));
  if (!(absl::GetFlag(FLAGS_seconds) >= 0) || !std::isfinite(absl::GetFlag(FLAGS_seconds))) {
    return absl::InvalidArgumentError(
        absl::StrCat("--seconds is ", absl::GetFlag(FLAGS_seconds), "; expected a finite number >= 0"));
  }
  if (absl::GetFlag(FLAGS_seconds) > 0) config.set_max_seconds(absl::GetFlag(FLAGS_seconds));
  RETURN_IF_ERROR(FinishTrainConfig(path, &config));
  // Episodes recorded for other specs than the task's would train without complaint and
  // act on inputs the model never saw. Only the tasks the run samples: without
  // task_weights, every task. (A dataset without a manifest is named below.)
  std::set<std::string> sampled;
  for (const TaskWeight& weight : config.task_weights()) {
    if (weight.weight() > 0) sampled.insert(weight.task());
  }
  for (const TaskWeightPhase& phase : config.task_weight_phases()) {
    for (const TaskWeight& weight : phase.task_weights()) {
      if (weight.weight() > 0) sampled.insert(weight.task());
    }
  }
  for (const std::string& dataset : config.datasets()) {
    if (absl::StatusOr<DatasetManifest> manifest = ReadManifest(dataset); manifest.ok()) {
      RETURN_IF_ERROR(CheckDatasetSpecsMatchTasks(AllTasks(), *manifest, dataset,
                                                  config.task_weights_size() > 0 ? &sampled : nullptr));
    }
  }
  TrainOptions options;
  ASSIGN_OR_RETURN(options.text_model_path, FindTextModel(absl::GetFlag(FLAGS_text_model)));
  options.resume = absl::GetFlag(FLAGS_resume);
  if (const std::string stop_at = absl::GetFlag(FLAGS_stop_at); !stop_at.empty()) {
    ASSIGN_OR_RETURN(const auto pause, ParseStopAt(stop_at));
    options.stop_at_step = pause.first;
    options.stop_at_fraction = pause.second;
  }
  options.progress = &std::cout;
  options.stop = InstallStopSignalHandlers();
  // RunTraining prints progress and the summary itself.
  RETURN_IF_ERROR(RunTraining(config, options).status());
  return absl::OkStatus();
}

absl::Status Envs() {
  const std::string only = absl::GetFlag(FLAGS_task);
  int shown = 0;
  for (const TaskInfo& info : AllTasks().List()) {
    if (!only.empty() && info.name != only) continue;
    ++shown;
    ASSIGN_OR_RETURN(std::unique_ptr<Environment> env, AllTasks().Make(info.name));
    absl::StatusOr<ReferenceReturns> refs = ReferencesFor(info.name);
    const std::string ref_text =
        refs.ok() ? absl::StrFormat("random %.1f, expert %.1f (%d episodes)", refs->random_mean, refs->expert_mean,
                                    refs->episodes)
                  : std::string("not measured");
    std::printf("%s  (%lld steps)  %s\n    references: %s\n", info.name.c_str(),
                static_cast<long long>(info.episode_steps), info.description.c_str(), ref_text.c_str());
    for (const auto& [key, spec] : env->observation_spec()) std::printf("    observation %s\n", SpecLine(spec).c_str());
    for (const auto& [key, spec] : env->action_spec()) std::printf("    action      %s\n", SpecLine(spec).c_str());
  }
  if (shown == 0) return AllTasks().Info(only).status();
  std::printf("%d tasks\n", shown);
  return absl::OkStatus();
}

absl::Status Rollout() {
  EpisodeRunnerOptions options;
  options.task = absl::GetFlag(FLAGS_task);
  if (options.task.empty()) return absl::InvalidArgumentError("rollout needs --task=T (see `calico envs`)");
  options.episodes = EpisodesFlag(1);
  options.first_seed = absl::GetFlag(FLAGS_seed);
  options.threads = absl::GetFlag(FLAGS_threads);
  options.video_every = absl::GetFlag(FLAGS_video_every);
  if (!absl::GetFlag(FLAGS_video).empty()) {
    options.video_path = UserPath(absl::GetFlag(FLAGS_video));
    std::vector<std::string> size = absl::StrSplit(absl::GetFlag(FLAGS_video_size), 'x');
    if (size.size() != 2 || !absl::SimpleAtoi(size[0], &options.video_height) ||
        !absl::SimpleAtoi(size[1], &options.video_width)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--video_size is '", absl::GetFlag(FLAGS_video_size), "'; expected HEIGHTxWIDTH, e.g. 240x320"));
    }
  }
  ASSIGN_OR_RETURN(SelectedPolicies selected, SelectPolicy({options.task}));
  const std::string& policy = selected.label;
  ASSIGN_OR_RETURN(EpisodeRunnerReport report,
                   selected.batched ? RunEpisodesBatched(AllTasks(), selected.batched, absl::GetFlag(FLAGS_batch),
                                                         options, &std::cout)
                                    : RunEpisodes(AllTasks(), selected.single, options, &std::cout));
  std::printf("\n%s, %s policy, %d episodes (seeds %llu..%llu): mean return %.2f +- %.2f\n", options.task.c_str(),
              policy.c_str(), options.episodes, static_cast<unsigned long long>(options.first_seed),
              static_cast<unsigned long long>(options.first_seed + options.episodes - 1), report.mean_return,
              report.stddev_return);
  absl::StatusOr<ReferenceReturns> refs = ReferencesFor(options.task);
  if (refs.ok()) {
    std::printf("normalised score %.1f (random %.1f = 0, expert %.1f = 100)\n", NormalisedScore(report.mean_return, *refs),
                refs->random_mean, refs->expert_mean);
  }
  std::printf("%lld steps in %.1f s (%.0f steps/s)\n", static_cast<long long>(report.total_steps), report.seconds,
              report.total_steps / std::max(report.seconds, 1e-9));
  if (!report.video_error.empty()) {
    return absl::DataLossError(
        absl::StrCat("the video was not written: ", report.video_error, " (the returns above are complete)"));
  }
  if (!options.video_path.empty()) std::printf("video: %s\n", options.video_path.c_str());
  return absl::OkStatus();
}

// Token counts for a dataset manifest: the text model fixes the vocabulary.
absl::StatusOr<TokenCounter> ManifestTokenCounter() {
  ASSIGN_OR_RETURN(std::string model_path, FindTextModel(absl::GetFlag(FLAGS_text_model)));
  ASSIGN_OR_RETURN(std::shared_ptr<TextTokenizer> text, TextTokenizer::Load(model_path));
  ASSIGN_OR_RETURN(Vocabulary vocab, Vocabulary::Create(text->vocab_size()));
  return TokenCounter([text, vocab](const Episode& episode) -> absl::StatusOr<int64_t> {
    SequenceBuilderOptions builder_options;
    builder_options.observation_spec = episode.observation_spec;
    builder_options.action_spec = episode.action_spec;
    ASSIGN_OR_RETURN(SequenceBuilder builder, SequenceBuilder::Create(builder_options, vocab, text.get()));
    // One timestep at a time: a long pixel episode's patches at once would take
    // hundreds of MB (a 9,100-step breakout_pixels episode: 700 MB).
    TokenStream stream;
    int64_t positions = 0;
    for (size_t t = 0; t < episode.steps.size(); ++t) {
      stream.Clear();
      absl::Status status = builder.AppendTimestep(episode.steps[t], nullptr, &stream);
      if (!status.ok()) return absl::Status(status.code(), absl::StrCat("timestep ", t, ": ", status.message()));
      positions += stream.num_positions();
    }
    return positions;
  });
}

absl::Status Scenes() {
  ScenesDatasetOptions options;
  if (absl::GetFlag(FLAGS_out).empty()) return absl::InvalidArgumentError("scenes needs --out=DIR");
  options.directory = UserPath(absl::GetFlag(FLAGS_out));
  options.episodes = EpisodesFlag(100);
  options.first_seed = absl::GetFlag(FLAGS_first_seed);
  options.size = absl::GetFlag(FLAGS_size);
  options.pairs = absl::GetFlag(FLAGS_pairs);
  ASSIGN_OR_RETURN(options.kind, ParseScenesKind(absl::GetFlag(FLAGS_kind)));
  options.eval_set = absl::GetFlag(FLAGS_eval_set);
  options.append = absl::GetFlag(FLAGS_append);
  options.threads = absl::GetFlag(FLAGS_threads);
  ASSIGN_OR_RETURN(options.workings.colour, ParseColourWorking(absl::GetFlag(FLAGS_colour_working)));
  ASSIGN_OR_RETURN(options.workings.every_colour_question,
                   ParseColourQuestions(absl::GetFlag(FLAGS_colour_questions)));
  ASSIGN_OR_RETURN(options.workings.count_existence,
                   ParseCountExistenceWorking(absl::GetFlag(FLAGS_count_existence_working)));
  if (!absl::GetFlag(FLAGS_png).empty()) options.png_directory = UserPath(absl::GetFlag(FLAGS_png));
  RETURN_IF_ERROR(options.Validate());
  ASSIGN_OR_RETURN(options.count_tokens, ManifestTokenCounter());
  // Ctrl-C keeps the finished episodes: they are written with the manifest.
  options.stop = InstallStopSignalHandlers();
  ASSIGN_OR_RETURN(ScenesReport report, WriteScenesDataset(options, &std::cout));
  if (report.stopped) std::printf("\nstopped on request: the dataset holds the episodes finished before it\n");
  if (report.episodes == 0) {
    std::printf("\nwrote no episode to %s\n", options.directory.c_str());
    return absl::OkStatus();
  }
  const uint64_t last = options.first_seed + static_cast<uint64_t>(report.scenes) - 1;
  const std::string what = options.kind == ScenesKind::kVqaText ? std::string(", text only")
                                                                  : absl::StrCat(" ", options.size, "x", options.size);
  std::printf("\nwrote %lld episodes (%lld scenes%s, seeds %llu..%llu, %s set) to %s in %.1f s (%.0f scenes/s)\n",
              static_cast<long long>(report.episodes), static_cast<long long>(report.scenes),
              what.c_str(),
              static_cast<unsigned long long>(options.first_seed), static_cast<unsigned long long>(last),
              options.eval_set ? "evaluation" : "training", options.directory.c_str(), report.seconds,
              report.scenes / std::max(report.seconds, 1e-9));
  if (!options.png_directory.empty()) std::printf("PNGs and index.tsv: %s\n", options.png_directory.c_str());
  return absl::OkStatus();
}

absl::Status Collect() {
  CollectOptions options;
  const std::string tasks = absl::GetFlag(FLAGS_task);
  options.tasks = absl::StrSplit(tasks, ',', absl::SkipEmpty());
  if (options.tasks.empty()) return absl::InvalidArgumentError("collect needs --task=T[,T2...]");
  if (absl::GetFlag(FLAGS_out).empty()) return absl::InvalidArgumentError("collect needs --out=DIR");
  options.directory = UserPath(absl::GetFlag(FLAGS_out));
  options.policy_name = absl::GetFlag(FLAGS_policy);
  options.episodes = EpisodesFlag(kDefaultCollectEpisodes);
  options.first_seed = absl::GetFlag(FLAGS_seed);
  options.threads = absl::GetFlag(FLAGS_threads);
  options.append = absl::GetFlag(FLAGS_append);
  options.action_noise = absl::GetFlag(FLAGS_noise);
  if (const std::string learner = absl::GetFlag(FLAGS_learner); !learner.empty()) {
    if (absl::GetFlag(FLAGS_batch) < 1 || absl::GetFlag(FLAGS_batch) > 4096) {
      return absl::InvalidArgumentError(
          absl::StrCat("--batch is ", absl::GetFlag(FLAGS_batch), "; expected 1..4096 environments"));
    }
    ASSIGN_OR_RETURN(CheckpointPolicyOptions learner_options, CheckpointOptionsFromFlags());
    ASSIGN_OR_RETURN(const std::string path, ResolveCheckpoint(UserPath(learner)));  // a run stands for its latest
    RETURN_IF_ERROR(WarnOfUntrainedTasks(path, options.tasks));
    // Batched, as evaluation acts: one decode batch per step for up to --batch environments.
    ASSIGN_OR_RETURN(CheckpointPolicies policies, MakeCheckpointPolicies(path, learner_options));
    options.batch_learner = std::move(policies.batched);
    options.batch = absl::GetFlag(FLAGS_batch);
    options.learner_name = std::filesystem::path(path).filename().string();
  }
  if (options.threads < 1 || options.threads > 256) {
    return absl::InvalidArgumentError(absl::StrCat("--threads=", options.threads, ": expected 1..256"));
  }
  const double filter = absl::GetFlag(FLAGS_filter);
  if (filter != 0.0 && !(filter > 0.0 && filter <= 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat("--filter=", filter,
                                                   ": expected a fraction of the expert's return in (0, 1] (0, the "
                                                   "default, keeps every episode)"));
  }
  if (filter != 0.0) options.min_return_fraction = filter;
  for (const std::string& task : options.tasks) {
    absl::StatusOr<ReferenceReturns> refs = ReferencesFor(task);
    if (refs.ok()) options.references[task] = *refs;
  }
  ASSIGN_OR_RETURN(options.count_tokens, ManifestTokenCounter());
  // Ctrl-C keeps the finished episodes: they are written with the manifest.
  options.stop = InstallStopSignalHandlers();
  ASSIGN_OR_RETURN(CollectReport report,
                   calico::Collect(AllTasks(), NamedPolicy(options.policy_name), options, &std::cout));
  if (report.stopped) std::printf("\nstopped on request: the dataset holds the episodes finished before it\n");
  std::printf("\nwrote %lld episodes (%lld steps) to %s in %.1f s; %lld dropped by the return filter\n",
              static_cast<long long>(report.episodes_kept), static_cast<long long>(report.steps),
              options.directory.c_str(), report.seconds, static_cast<long long>(report.episodes_filtered));
  return absl::OkStatus();
}

absl::Status Eval(const std::set<std::string>& given) {
  const std::string suite_path = absl::GetFlag(FLAGS_suite);
  if (suite_path.empty()) return absl::InvalidArgumentError("eval needs --suite=FILE (see agent/suites/)");
  ASSIGN_OR_RETURN(std::string text, ReadFile(UserPath(suite_path)));
  ReferenceTable references;
  for (const TaskInfo& info : AllTasks().List()) {
    absl::StatusOr<ReferenceReturns> refs = ReferencesFor(info.name);
    if (refs.ok()) references[info.name] = *refs;
  }
  EvaluateOptions options;
  ASSIGN_OR_RETURN(options.suite, ParseSuite(text, suite_path, AllTasks(), references));
  // Checked now: the runners check them only when the first control task starts, which in
  // a suite that scores its scenes first is minutes of work later.
  if (const int threads = absl::GetFlag(FLAGS_threads); threads < 1 || threads > 256) {
    return absl::InvalidArgumentError(absl::StrCat("--threads is ", threads, "; expected 1..256"));
  }
  if (const int batch = absl::GetFlag(FLAGS_batch); batch < 1 || batch > 4096) {
    return absl::InvalidArgumentError(absl::StrCat("--batch is ", batch, "; expected 1..4096"));
  }
  const int episodes = absl::GetFlag(FLAGS_episodes);
  if (episodes < 0) return absl::InvalidArgumentError("--episodes must be positive");
  if (episodes > 0 && options.suite.first_seed() > std::numeric_limits<uint64_t>::max() - (episodes - 1)) {
    return absl::InvalidArgumentError(absl::StrCat(suite_path, ": first_seed ", options.suite.first_seed(), " with ",
                                                   episodes, " episodes (--episodes) runs past the largest seed"));
  }
  if (episodes > 0) {
    options.suite.set_episodes(episodes);
    for (SuiteTask& task : *options.suite.mutable_tasks()) task.set_episodes(episodes);
  }
  options.references = references;
  std::vector<std::string> tasks;
  bool text_tasks = false;
  for (const SuiteTask& task : options.suite.tasks()) {
    if (IsTextTask(task.task())) {
      text_tasks = true;
    } else {
      tasks.push_back(task.task());
    }
  }
  // A flag for a kind of task the suite does not hold would do nothing: refuse it.
  if (tasks.empty()) {
    for (const char* name : {"temperature", "context", "prompts", "choose_temperature"}) {
      if (given.count(name) > 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " sets how control tasks are played, and ", suite_path, " has none"));
      }
    }
  }
  if (!text_tasks) {
    for (const char* name : {"text_temperature", "max_tokens"}) {
      if (given.count(name) > 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " sets how scene tasks' text is written, and ", suite_path, " has none"));
      }
    }
  }
  const bool from_checkpoint = !absl::GetFlag(FLAGS_checkpoint).empty();
  // collect records demonstrations from seed 0 up and refuses seeds from kFirstEvalSeed:
  // a checkpoint scored below it may be replaying the states it was trained on.
  if (from_checkpoint && !tasks.empty() && options.suite.first_seed() < kFirstEvalSeed) {
    std::printf("note: %s plays control seeds from %llu, below %llu where `calico collect` records "
                "demonstrations by default; held-out scores need first_seed >= %llu (as in agent/suites/)\n",
                suite_path.c_str(), static_cast<unsigned long long>(options.suite.first_seed()),
                static_cast<unsigned long long>(kFirstEvalSeed), static_cast<unsigned long long>(kFirstEvalSeed));
  }
  std::map<std::string, double> temperatures =
      SuiteActionTemperatures(options.suite, absl::GetFlag(FLAGS_temperature));
  // Read once, after the flags are checked: the choice below makes a policy per
  // candidate from the same options, and the final policy uses them too.
  std::optional<CheckpointPolicyOptions> prepared;
  auto prepare = [&]() -> absl::Status {
    if (prepared.has_value() || !from_checkpoint || absl::GetFlag(FLAGS_batch) < 1) return absl::OkStatus();
    ASSIGN_OR_RETURN(prepared, CheckpointOptionsWithPrompts(tasks));
    return absl::OkStatus();
  };
  if (const std::string listed = absl::GetFlag(FLAGS_choose_temperature); !listed.empty()) {
    TemperatureChoiceOptions choice;
    for (absl::string_view item : absl::StrSplit(listed, ',')) {
      double t = 0;
      if (!absl::SimpleAtod(item, &t)) {
        return absl::InvalidArgumentError(
            absl::StrCat("--choose_temperature: '", item, "' is not a number (expected e.g. 0,0.5,1)"));
      }
      choice.candidates.push_back(t);
    }
    choice.episodes = absl::GetFlag(FLAGS_choice_episodes);
    choice.first_seed = absl::GetFlag(FLAGS_choice_seed);
    choice.threads = absl::GetFlag(FLAGS_threads);
    choice.batch_envs = absl::GetFlag(FLAGS_batch);
    RETURN_IF_ERROR(choice.Validate(options.suite));
    // Every task's policy is built once before the validation episodes, as EvaluateSuite
    // does before the scored ones: one that cannot act fails before any episode runs.
    RETURN_IF_ERROR(prepare());
    {
      ASSIGN_OR_RETURN(SelectedPolicies probe, SelectPolicy(tasks, temperatures, prepared ? &*prepared : nullptr));
      RETURN_IF_ERROR(CheckPoliciesCanAct(AllTasks(), options.suite, probe.single, probe.batched));
    }
    std::vector<std::string> open;  // control tasks without a temperature of their own
    for (const SuiteTask& task : options.suite.tasks()) {
      if (!IsTextTask(task.task()) && !task.has_temperature()) open.push_back(task.task());
    }
    // One checkpoint load per candidate, every task at that temperature.
    auto make_policy = [&tasks, &prepared](double temperature) -> absl::StatusOr<BatchPolicyFactory> {
      std::map<std::string, double> all;
      for (const std::string& task : tasks) all[task] = temperature;
      ASSIGN_OR_RETURN(SelectedPolicies at, SelectPolicy(tasks, all, prepared ? &*prepared : nullptr));
      return at.batched;
    };
    ASSIGN_OR_RETURN(std::vector<TemperatureChoice> choices,
                     ChooseActionTemperatures(AllTasks(), open, make_policy, choice, &std::cout));
    for (const TemperatureChoice& c : choices) temperatures[c.task] = c.chosen;
    if (!choices.empty()) std::printf("\n%s\n", TemperatureChoiceTable(choices).c_str());
    options.extra.temperature_choices = std::move(choices);
    options.extra.choice_first_seed = choice.first_seed;
    options.extra.choice_episodes = choice.episodes;
  }
  RETURN_IF_ERROR(prepare());
  ASSIGN_OR_RETURN(SelectedPolicies selected,
                   SelectPolicy(tasks, temperatures, prepared ? &*prepared : nullptr));
  options.policy_label = selected.label;
  if (from_checkpoint) options.action_temperatures = temperatures;
  if (prepared.has_value()) {
    for (const auto& [task, demo] : prepared->prompts) {
      options.prompts[task] = PromptSource{UserPath(absl::GetFlag(FLAGS_prompts)), demo.seed, demo.policy,
                                           demo.length(), demo.episode_return};
    }
  }
  for (const SuiteTask& task : options.suite.tasks()) {
    if (!task.has_temperature()) continue;
    if (from_checkpoint) {
      std::printf("note: %s acts at temperature %g, set in the suite (not --temperature)\n", task.task().c_str(),
                  task.temperature());
    } else {
      std::printf("note: the suite's temperature for %s applies to a checkpoint's actions; policy %s ignores it\n",
                  task.task().c_str(), selected.label.c_str());
    }
  }
  if (text_tasks) {
    if (!absl::GetFlag(FLAGS_checkpoint).empty()) {
      TextGeneratorOptions generator;
      // Text is scored by exact match: greedy unless asked, whatever --temperature does
      // for actions.
      generator.temperature = absl::GetFlag(FLAGS_text_temperature);
      generator.seed = absl::GetFlag(FLAGS_seed);
      generator.max_tokens = absl::GetFlag(FLAGS_max_tokens);
      generator.batch_size = absl::GetFlag(FLAGS_batch);
      ASSIGN_OR_RETURN(options.answer_text,
                       MakeCheckpointTextAnswerer(selected.label, absl::GetFlag(FLAGS_text_model), generator));
      // Scored all the same (the control tasks of the suite are still worth measuring).
      ASSIGN_OR_RETURN(const ModelConfig trained, ReadCheckpointConfig(selected.label));
      // scenes/vqa_text alone shows no image: a model that never saw one may answer it.
      const bool images = std::any_of(options.suite.tasks().begin(), options.suite.tasks().end(),
                                      [](const SuiteTask& task) { return task.task() == kScenesVqaTask ||
                                                                        task.task() == kScenesCaptionTask; });
      if (absl::Status vl = CheckTrainedOnVisionLanguage(trained); images && !vl.ok()) {
        std::printf("warning: %s; scoring its scene tasks anyway\n", std::string(vl.message()).c_str());
      }
    } else if (selected.label == "expert") {
      std::printf("note: the expert answers the vision-language tasks with the ground truth (100%% by "
                  "construction: a check of the scoring path, not a measurement)\n");
      options.answer_text = GroundTruthAnswerer();
    }
    // Otherwise (random) EvaluateSuite names the task that needs a model that writes text.
  }
  options.make_batch_policy = selected.batched;
  options.batch_envs = absl::GetFlag(FLAGS_batch);
  if (selected.batched) {
    // A checkpoint in a training run's directory: the run's loss curves go in the report.
    const std::string run_dir = selected.label.substr(0, selected.label.find_last_of('/') + 1);
    const std::string metrics = absl::StrCat(run_dir.empty() ? "./" : run_dir, kMetricsFile);
    if (PathExists(metrics)) {
      absl::StatusOr<TrainingCurves> curves = ReadTrainingCurves(metrics);
      if (curves.ok()) {
        options.extra.curves = *std::move(curves);
      } else {
        std::printf("note: no training curves in the report: %s\n", std::string(curves.status().message()).c_str());
      }
    }
  }
  options.threads = absl::GetFlag(FLAGS_threads);
  options.report_directory = absl::GetFlag(FLAGS_report).empty() ? "" : UserPath(absl::GetFlag(FLAGS_report));
  ASSIGN_OR_RETURN(SuiteScores scores, EvaluateSuite(AllTasks(), selected.single, options, &std::cout));
  std::printf("\n%s", ScoreTable(scores).c_str());
  if (!options.report_directory.empty()) {
    std::printf("\nreport: %s/report.html\n", options.report_directory.c_str());
  }
  return absl::OkStatus();
}

// `calico caption` (question unset) and `calico ask`.
absl::Status Ask(bool with_question) {
  AskOptions options;
  options.checkpoint = absl::GetFlag(FLAGS_checkpoint);
  if (options.checkpoint.empty()) {
    return absl::InvalidArgumentError("needs --checkpoint=C (a checkpoint file or a training run's directory)");
  }
  options.checkpoint = UserPath(options.checkpoint);
  if (absl::GetFlag(FLAGS_image).empty()) return absl::InvalidArgumentError("needs --image=FILE.png");
  options.image_path = UserPath(absl::GetFlag(FLAGS_image));
  if (with_question) {
    options.question = absl::GetFlag(FLAGS_question);
  } else if (!absl::GetFlag(FLAGS_question).empty()) {
    return absl::InvalidArgumentError("caption takes no --question (use `calico ask` to ask one)");
  }
  options.temperature = absl::GetFlag(FLAGS_temperature);
  options.seed = absl::GetFlag(FLAGS_seed);
  options.max_tokens = absl::GetFlag(FLAGS_max_tokens);
  options.text_model_path = absl::GetFlag(FLAGS_text_model);
  ASSIGN_OR_RETURN(AskResult result, AskAboutImage(options, &std::cerr));
  if (with_question) {
    // The answer alone on stdout (for scripts); what the model saw first on stderr.
    std::printf("%s\n", result.answer.c_str());
    std::fprintf(stderr, "note: the model described the image as \"%s\" before answering\n", result.caption.c_str());
    if (!result.working.empty()) {
      std::fprintf(stderr, "note: its working before the answer: \"%s\"\n", result.working.c_str());
    }
  } else {
    std::printf("%s\n", result.caption.c_str());
  }
  if (!result.finished) {
    std::fprintf(stderr,
                 "note: stopped without the end token, at --max_tokens (%d) or where the model's context has no "
                 "room for more text, whichever came first\n",
                 absl::GetFlag(FLAGS_max_tokens));
  }
  return absl::OkStatus();
}

absl::Status Inspect(const std::vector<std::string>& args, bool* damaged) {
  if (args.size() != 1) return absl::InvalidArgumentError("inspect needs one dataset directory: calico inspect DIR");
  // Token totals are recounted with --text_model (the shipped one by default); without a
  // model to load, inspect checks everything else.
  absl::StatusOr<TokenCounter> counter = ManifestTokenCounter();
  if (!counter.ok() && !absl::GetFlag(FLAGS_text_model).empty()) return counter.status();  // named, so wanted
  if (!counter.ok()) {
    std::fprintf(stderr, "note: token totals not recounted: %s\n", std::string(counter.status().message()).c_str());
  }
  ASSIGN_OR_RETURN(InspectResult result,
                   InspectDataset(UserPath(args[0]), counter.ok() ? *counter : TokenCounter()));
  std::fputs(result.report.c_str(), stdout);
  *damaged = !result.clean;
  if (absl::StatusOr<DatasetManifest> manifest = ReadManifest(UserPath(args[0])); manifest.ok()) {
    if (absl::Status fits = CheckDatasetSpecsMatchTasks(AllTasks(), *manifest, UserPath(args[0])); !fits.ok()) {
      std::printf("UNUSABLE: %s\n", std::string(fits.message()).c_str());
      *damaged = true;
    }
  }
  return absl::OkStatus();
}

absl::Status Tokens() {
  const std::string input = absl::GetFlag(FLAGS_input);
  if (input.empty()) return absl::InvalidArgumentError("tokens needs --input=FILE (a text-format TokensRequest)");
  TokensCommandOptions options;
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format == "json") {
    options.format = TokensFormat::kJson;
  } else if (format != "table") {
    return absl::InvalidArgumentError(absl::StrCat("--format is '", format, "'; expected 'table' or 'json'"));
  }
  options.window = absl::GetFlag(FLAGS_window);
  options.window_start = absl::GetFlag(FLAGS_window_start);
  if (options.window < 0) return absl::InvalidArgumentError("--window must be >= 0");
  const std::string path = UserPath(input);
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  ASSIGN_OR_RETURN(TokensRequest request, ParseTokensRequest(text, path));
  ASSIGN_OR_RETURN(std::string model_path, FindTextModel(absl::GetFlag(FLAGS_text_model)));
  ASSIGN_OR_RETURN(std::unique_ptr<TextTokenizer> tokenizer, TextTokenizer::Load(model_path));
  ASSIGN_OR_RETURN(std::string output, RunTokensCommand(request, *tokenizer, options));
  std::fputs(output.c_str(), stdout);
  return absl::OkStatus();
}

// Larger files at text-model's --out are not read as models (calico's is about 60 KB).
constexpr int64_t kMaxTextModelBytes = int64_t{64} << 20;

absl::Status TextModel() {
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) return absl::InvalidArgumentError("text-model needs --out=FILE");
  const std::string path = UserPath(out);
  // Checked before training: the model replaces what is at `path` (a device or FIFO would
  // be replaced by a regular file).
  if (absl::Status writable = CheckFileWritable(path); !writable.ok()) {
    return absl::Status(writable.code(), absl::StrCat("--out: ", writable.message()));
  }
  // Retraining replaces an earlier model; anything else at --out (a typo naming a
  // dataset shard, a checkpoint) would be lost, so it is refused. A model is kilobytes.
  if (PathExists(path)) {
    absl::StatusOr<std::string> bytes = ReadFile(path, /*max_bytes=*/kMaxTextModelBytes);
    absl::Status existing = bytes.ok() ? TextTokenizer::FromSerialized(*bytes).status() : bytes.status();
    if (!existing.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--out: '", path, "' exists and is not a text model (", existing.message(),
          "); text-model only replaces an earlier text model: remove the file or choose another path"));
    }
  }
  RETURN_IF_ERROR(TrainCalicoTextModel(absl::GetFlag(FLAGS_vocab_size), path));
  std::printf("wrote a %d-piece SentencePiece model to %s\n", absl::GetFlag(FLAGS_vocab_size), path.c_str());
  return absl::OkStatus();
}

// Flag combinations that would be silently ignored or contradict each other, and counts
// outside what the commands can do; `given` holds the flags on the command line.
absl::Status CheckFlagCombinations(const std::string& command, const std::set<std::string>& given) {
  RETURN_IF_ERROR(CheckCommandFlags(command, given));
  // An empty value reads as "not set" (`--learner=` collects with the expert), while the
  // checks below count the flag as given: refuse it rather than act on half of each.
  for (const std::string& name : given) {
    const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag != nullptr && flag->IsOfType<std::string>() && flag->CurrentValue().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " is empty; give it a value or leave it out"));
    }
  }
  if (given.count("episodes") > 0) {
    const int episodes = absl::GetFlag(FLAGS_episodes);
    if (episodes < 1 || episodes > kMaxEpisodesFlag) {
      return absl::InvalidArgumentError(
          absl::StrCat("--episodes is ", episodes, "; expected a count in [1, ", kMaxEpisodesFlag, "]"));
    }
  }
  if (command == "rollout" || command == "eval") {
    if (given.count("checkpoint") == 0) {
      for (const char* name : {"temperature", "text_temperature", "batch", "max_tokens", "prompts", "context",
                               "choose_temperature"}) {
        if (given.count(name) > 0) {
          return absl::InvalidArgumentError(
              absl::StrCat("--", name, " sets how a transformer acts; it needs --checkpoint"));
        }
      }
      // The suite fixes eval's episode seeds; --seed only seeds a transformer's sampling.
      if (command == "eval" && given.count("seed") > 0) {
        return absl::InvalidArgumentError("--seed seeds a transformer's sampling in eval; it needs --checkpoint "
                                          "(the suite's first_seed sets the episodes)");
      }
    } else if (given.count("policy") > 0) {
      return absl::InvalidArgumentError("--policy and --checkpoint both name the policy; give one");
    }
  }
  if (command == "eval" && given.count("choose_temperature") == 0) {
    for (const char* name : {"choice_episodes", "choice_seed"}) {
      if (given.count(name) > 0) {
        return absl::InvalidArgumentError(absl::StrCat("--", name, " needs --choose_temperature=T1,T2,..."));
      }
    }
  }
  if (command == "eval" && given.count("choose_temperature") > 0 && given.count("temperature") > 0) {
    return absl::InvalidArgumentError(
        "--temperature and --choose_temperature both set the actions' temperature; give one");
  }
  if (command == "collect" && given.count("learner") == 0) {
    for (const char* name : {"temperature", "context", "batch"}) {
      if (given.count(name) > 0) {
        return absl::InvalidArgumentError(absl::StrCat("--", name, " sets how the learner acts; it needs --learner"));
      }
    }
  }
  if (command == "rollout" && given.count("video") == 0) {
    for (const char* name : {"video_size", "video_every"}) {
      if (given.count(name) > 0) return absl::InvalidArgumentError(absl::StrCat("--", name, " needs --video=FILE.gif"));
    }
  }
  // Sampling temperatures (kMaxActionTemperature says why they are bounded).
  for (const char* name : {"temperature", "text_temperature"}) {
    if (given.count(name) == 0) continue;
    const double t = std::string(name) == "temperature" ? absl::GetFlag(FLAGS_temperature)
                                                        : absl::GetFlag(FLAGS_text_temperature);
    if (!(t >= 0 && t <= kMaxActionTemperature)) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " is ", t, "; expected a number in [0, 1e6] (0: greedy)"));
    }
  }
  if (command == "scenes" && given.count("size") > 0 && absl::GetFlag(FLAGS_kind) == "vqa_text") {
    return absl::InvalidArgumentError("--size sets the scenes' image size, and vqa_text episodes have no images");
  }
  if (command == "tokens" && given.count("window_start") > 0 && given.count("window") == 0) {
    return absl::InvalidArgumentError("--window_start needs --window=L");
  }
  if (command == "rollout") {
    const uint64_t first = absl::GetFlag(FLAGS_seed);
    const int episodes = EpisodesFlag(1);
    if (first > std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(episodes - 1)) {
      return absl::InvalidArgumentError(absl::StrCat("--seed=", first, " with ", episodes,
                                                     " episodes runs past the largest seed, 2^64 - 1"));
    }
  }
  if (command == "collect") {
    // Evaluation suites play seeds from kFirstEvalSeed: demonstrations there would leak
    // the test episodes into training (`calico scenes` refuses the same).
    const uint64_t first = absl::GetFlag(FLAGS_seed);
    const int episodes = EpisodesFlag(kDefaultCollectEpisodes);
    if (first >= kFirstEvalSeed || kFirstEvalSeed - first < static_cast<uint64_t>(episodes)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--seed=", first, " with ", episodes, " episodes reaches seed ", kFirstEvalSeed,
          ", where the evaluation suites' held-out episodes start; demonstrations use seeds below it"));
    }
  }
  return absl::OkStatus();
}

// `calico [COMMAND] --help`: the usage, and a command's own flags with their help and
// defaults (absl's --help lists every command's flags and ends with status 1).
void PrintHelp(const std::string& command) {
  const std::vector<std::string> flags = CommandFlags(command);
  if (flags.empty()) {
    std::printf("calico: %s", kUsage);
    return;
  }
  std::printf("calico %s: the flags it reads (calico --help lists every command)\n", command.c_str());
  for (const std::string& name : flags) {
    const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) continue;
    std::printf("  --%s (%s); default: %s\n", name.c_str(), flag->Help().c_str(),
                flag->DefaultValue().empty() ? "\"\"" : flag->DefaultValue().c_str());
  }
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  const std::set<std::string> given =
      GivenFlagNames(std::vector<std::string>(argv + 1, argv + argc), [](const std::string& name) {
        const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
        if (flag == nullptr) return FlagKind::kUnknown;
        return flag->IsOfType<bool>() ? FlagKind::kBool : FlagKind::kValue;
      });
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    // absl reads "+100" as 100: a resume meant to add 100 updates would stop at 100.
    if (absl::StartsWith(arg, "--steps=+") || absl::StartsWith(arg, "-steps=+")) {
      std::fprintf(stderr,
                   "calico: %s: --steps is the total number of updates a run ends at, not a number to add; "
                   "give the total (a resumed run's banner says how many it has done)\n",
                   arg.c_str());
      return 2;
    }
    if (arg == "--help" || arg == "-help" || arg == "--helpshort" || arg == "-helpshort") {
      PrintHelp(argc > 1 && argv[1][0] != '-' ? argv[1] : "");
      return 0;
    }
  }
  if (absl::Status indirect = CheckNoIndirectFlags(given); !indirect.ok()) {
    std::fprintf(stderr, "calico: %s\n", std::string(indirect.message()).c_str());
    return 2;
  }
  std::vector<char*> parsed = absl::ParseCommandLine(argc, argv);
  if (parsed.size() < 2) {
    std::fprintf(stderr, "calico: no command given.\n%s", kUsage);
    return 2;
  }
  const std::string command = parsed[1];
  const std::vector<std::string> args(parsed.begin() + 2, parsed.end());
  if (command != "inspect" && !args.empty()) {
    std::fprintf(stderr, "calico %s: unexpected argument '%s' (options are --flags).\n", command.c_str(), args[0].c_str());
    return 2;
  }
  if (absl::Status flags = CheckFlagCombinations(command, given); !flags.ok()) {
    std::fprintf(stderr, "calico %s: %s\n", command.c_str(), std::string(flags.message()).c_str());
    return 2;
  }
  absl::Status status;
  bool damaged = false;
  if (command == "train") {
    status = Train();
  } else if (command == "tokens") {
    status = Tokens();
  } else if (command == "text-model") {
    status = TextModel();
  } else if (command == "envs") {
    status = Envs();
  } else if (command == "rollout") {
    status = Rollout();
  } else if (command == "collect") {
    status = Collect();
  } else if (command == "scenes") {
    status = Scenes();
  } else if (command == "eval") {
    status = Eval(given);
  } else if (command == "caption") {
    status = Ask(/*with_question=*/false);
  } else if (command == "ask") {
    status = Ask(/*with_question=*/true);
  } else if (command == "inspect") {
    status = Inspect(args, &damaged);
  } else {
    std::fprintf(stderr, "calico: unknown command '%s'.\n%s", command.c_str(), kUsage);
    return 2;
  }
  if (!status.ok()) std::fprintf(stderr, "calico %s: %s\n", command.c_str(), std::string(status.message()).c_str());
  // Stopped by Ctrl-C or SIGTERM (train, collect and scenes save their work first): end
  // by the same signal, as an uncaught one would, so that a script running the command
  // (tools/quickstart) stops as well instead of going on as after a success.
  if (const int signal_number = StopSignalNumber(); signal_number != 0) {
    std::fflush(stdout);
    std::fflush(stderr);
    ::signal(signal_number, SIG_DFL);
    ::raise(signal_number);
    return 128 + signal_number;
  }
  if (!status.ok()) return 1;
  return damaged ? 1 : 0;
}

}  // namespace
}  // namespace calico

// Sizes known in advance are checked against the process's memory before allocating
// (training batches, KV caches); anything else that runs out ends with a message, not
// an abort.
int main(int argc, char** argv) {
  try {
    return calico::Main(argc, argv);
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "calico: out of memory (the machine's, ulimit -v or the container's limit); "
                         "a smaller model, batch or context needs less\n");
    return 1;
  }
}
