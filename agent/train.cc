#include "agent/train.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "agent/train_data.h"
#include "agent/value_embeddings.h"
#include "base/file_io.h"
#include "base/file_lock.h"
#include "base/json.h"
#include "base/memory_limit.h"
#include "base/random.h"
#include "base/status_macros.h"
#include "base/text_proto.h"
#include "model/adamw.h"
#include "model/batch.h"
#include "model/checkpoint.h"
#include "model/config.h"
#include "model/threading.h"
#include "model/trainer.h"
#include "model/transformer.h"
#include "replay/dataset.h"
#include "tokenizers/text/text_tokenizer.h"
#include "tokenizers/vocabulary.h"

namespace calico {
namespace {

using Clock = std::chrono::steady_clock;
// Updates timed before a schedule is fitted to the time budget (at most; never past the
// warm-up).
constexpr int64_t kFitWindowSteps = 10;

absl::Status Bad(const std::string& field, const std::string& message) {
  return absl::InvalidArgumentError(absl::StrCat("train config: ", field, " ", message));
}

// The model the config names (preset or inline); errors name the preset or field.
absl::StatusOr<ModelConfig> ResolveModel(const TrainConfig& config) {
  switch (config.model_case()) {
    case TrainConfig::kPreset: {
      absl::StatusOr<ModelConfig> preset = ModelPreset(config.preset());
      if (!preset.ok()) return Bad("preset", absl::StrCat("'", config.preset(), "' is unknown: ", preset.status().message()));
      return *preset;
    }
    case TrainConfig::kModelConfig: {
      absl::Status valid = ValidateModelConfig(config.model_config());
      if (!valid.ok()) return Bad("model_config:", std::string(valid.message()));
      return config.model_config();
    }
    default:
      return Bad("model", "is missing: set `preset` (e.g. \"nano\", \"small\") or `model_config`");
  }
}

AdamWOptions AdamWFromConfig(const TrainConfig& config) {
  AdamWOptions options;  // betas and epsilon stay DESIGN.md's
  options.learning_rate = config.learning_rate();
  options.warmup_steps = config.warmup_steps();
  options.total_steps = EffectiveDecaySteps(config);
  options.weight_decay = config.weight_decay();
  options.max_grad_norm = config.max_grad_norm();
  return options;
}

// Batch i's sampler seed: a SplitMix64 hash of (run seed, i), so consecutive steps and
// nearby run seeds give unrelated batches.
uint64_t BatchSeed(uint64_t seed, int64_t step) {
  Rng mixer(seed * 0xD1B54A32D192ED03ULL + static_cast<uint64_t>(step));
  return mixer.Next();
}

// Losses of one batch split by task and by modality of the target.
struct LossBreakdown {
  std::map<std::string, double> task_loss;  // mean over the task's targets
  double text_loss = NAN;                   // mean over text targets (with end-of-text); NaN if none
  double action_loss = NAN;                 // mean over action targets; NaN if none
};

// Splits the batch's mean cross-entropy by task and modality from one forward pass with
// the current parameters: the model returns the head's logits at every target in (b, t)
// order, and each target's cross-entropy is log-sum-exp(row) - row[target].
absl::StatusOr<LossBreakdown> BreakDownLoss(Transformer& model, const Batch& batch, const std::vector<int32_t>& row_task,
                                            const std::vector<std::string>& task_names, int32_t text_size) {
  ASSIGN_OR_RETURN(const Vocabulary vocab, Vocabulary::Create(text_size));
  std::vector<float> logits;  // [num_targets, vocab_size]
  RETURN_IF_ERROR(model.Forward(batch, &logits).status());
  const int64_t V = model.config().vocab_size();
  std::vector<double> task_sum(task_names.size(), 0.0);
  std::vector<int64_t> task_count(task_names.size(), 0);
  double text_sum = 0, action_sum = 0;
  int64_t text_count = 0, action_count = 0, k = 0;
  for (int64_t b = 0; b < batch.batch_size; ++b) {
    for (int64_t t = 0; t < batch.seq_len; ++t) {
      const int64_t i = b * batch.seq_len + t;
      if (!batch.loss_mask[i]) continue;
      const float* row = &logits[k++ * V];
      const float top = *std::max_element(row, row + V);
      double sum = 0;
      for (int64_t v = 0; v < V; ++v) sum += std::exp(static_cast<double>(row[v]) - top);
      const double loss = top + std::log(sum) - row[batch.ids[i]];
      task_sum[row_task[b]] += loss;
      ++task_count[row_task[b]];
      // The end-of-text token closes a text target (vision-language answers, captions).
      if (batch.ids[i] < text_size || batch.ids[i] == vocab.eos_id()) {
        text_sum += loss;
        ++text_count;
      } else {
        action_sum += loss;
        ++action_count;
      }
    }
  }
  LossBreakdown out;
  for (size_t task = 0; task < task_names.size(); ++task) {
    if (task_count[task] > 0) out.task_loss[task_names[task]] = task_sum[task] / task_count[task];
  }
  if (text_count > 0) out.text_loss = text_sum / text_count;
  if (action_count > 0) out.action_loss = action_sum / action_count;
  return out;
}

std::string Duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const int64_t s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return absl::StrFormat("%dh%02dm", s / 3600, s / 60 % 60);
  if (s >= 60) return absl::StrFormat("%dm%02ds", s / 60, s % 60);
  return absl::StrFormat("%ds", s);
}

// Whether `path` is a directory (following symbolic links).
bool IsDirectory(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

// Marks the metrics record of a run's last update when that update was not a logged one.
constexpr char kUnloggedFinalField[] = "\"unlogged_final\": true";

// The "step" value of a metrics line; -1 if it has none.
int64_t MetricsLineStep(const std::string& line) {
  const size_t at = line.find("\"step\":");
  if (at == std::string::npos) return -1;
  return std::strtoll(line.c_str() + at + 7, nullptr, 10);
}

// Keeps the metrics records of updates before `steps` (those a checkpoint after `steps`
// updates includes); later ones belong to work the resumed run redoes.
absl::Status TrimMetrics(const std::string& path, int64_t steps) {
  if (!PathExists(path)) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  std::string kept;
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  // The piece after the last newline is empty, or a record torn by a kill mid-write:
  // dropped, not kept to break every later reader of the file.
  lines.pop_back();
  for (absl::string_view line : lines) {
    // The record of a run's last update between logged steps (written when it stopped
    // early) is not one an uninterrupted run has: the resumed run goes on without it.
    if (absl::StrContains(line, kUnloggedFinalField)) continue;
    const int64_t step = MetricsLineStep(std::string(line));
    if (step >= 0 && step < steps) absl::StrAppend(&kept, line, "\n");
  }
  return WriteFileAtomically(path, kept);
}

// The checkpoints in `dir` ("ckpt-<step>"), by step.
std::vector<std::pair<int64_t, std::string>> CheckpointsIn(const std::string& dir) {
  std::vector<std::pair<int64_t, std::string>> found;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* entry = ::readdir(d)) {
      const std::string name = entry->d_name;
      int64_t step = 0;
      if (name.rfind("ckpt-", 0) == 0 && name.size() > 5 &&
          name.find_first_not_of("0123456789", 5) == std::string::npos && absl::SimpleAtoi(name.substr(5), &step)) {
        found.emplace_back(step, name);
      }
    }
    ::closedir(d);
  }
  std::sort(found.begin(), found.end());
  return found;
}

// Deletes all but the newest `keep` checkpoints up to `step` (the run's own: a file of a
// later step is not this run's to delete), never the one LATEST names (`latest`), so the
// checkpoint a resume would use survives whatever else the directory holds.
void PruneCheckpoints(const std::string& dir, int64_t step, const std::string& latest, int keep) {
  if (keep <= 0) return;
  std::vector<std::string> names;
  for (const auto& [found_step, name] : CheckpointsIn(dir)) {
    if (found_step <= step && name != latest) names.push_back(name);
  }
  // LATEST's checkpoint is one of the `keep`; the newest others make up the rest. A
  // failed removal only costs disk space; it must not end a run.
  for (size_t i = 0; i + keep - 1 < names.size(); ++i) std::remove(absl::StrCat(dir, "/", names[i]).c_str());
}

// How a resumed invocation's config differs from the one before it.
struct ConfigDifferences {
  // Fields, and data, whose change makes the run differ from an uninterrupted one:
  // "name: old -> new" for a single field, the field's name for a repeated one.
  std::vector<std::string> computation;
  // Fields that only decide what is written and when (checkpoints, logging) or that act
  // only when a run starts (structured_value_embeddings initialises the parameters).
  std::vector<std::string> bookkeeping;
};

// The data changes between two invocations' loaded_data records, one entry per task.
std::vector<std::string> DataChanges(const TrainConfig& before, const TrainConfig& after) {
  std::map<std::string, const LoadedTaskData*> old_data, new_data;
  for (const LoadedTaskData& task : before.loaded_data()) old_data[task.task()] = &task;
  for (const LoadedTaskData& task : after.loaded_data()) new_data[task.task()] = &task;
  auto describe = [](const LoadedTaskData* data) {
    return data == nullptr ? std::string("none sampled")
                           : absl::StrCat(data->episodes(), " episodes (", data->steps(), " steps)");
  };
  std::set<std::string> tasks;
  for (const auto& [task, data] : old_data) tasks.insert(task);
  for (const auto& [task, data] : new_data) tasks.insert(task);
  std::vector<std::string> changes;
  for (const std::string& task : tasks) {
    const LoadedTaskData* a = old_data.count(task) ? old_data[task] : nullptr;
    const LoadedTaskData* b = new_data.count(task) ? new_data[task] : nullptr;
    if (a != nullptr && b != nullptr && a->fingerprint() == b->fingerprint() && a->episodes() == b->episodes() &&
        a->steps() == b->steps()) {
      continue;
    }
    if (a != nullptr && b != nullptr && a->episodes() == b->episodes() && a->steps() == b->steps()) {
      changes.push_back(absl::StrCat("data of ", task, ": as many episodes and steps (", a->episodes(),
                                     ", ", a->steps(), "), but other episodes or another order (datasets listed "
                                     "in another order, or another collection)"));
    } else {
      changes.push_back(absl::StrCat("data of ", task, ": ", describe(a), " -> ", describe(b)));
    }
  }
  return changes;
}

// The fields that differ between two configs. Where the data and checkpoints live and
// this invocation's time budget do not change what the run computes, so they are left
// out; the data itself is compared through loaded_data (a run's record from before the
// record existed has none, and its data is not compared).
ConfigDifferences ConfigChanges(TrainConfig before, TrainConfig after) {
  ConfigDifferences changes;
  if (before.loaded_data_size() > 0) changes.computation = DataChanges(before, after);
  const google::protobuf::Descriptor* descriptor = TrainConfig::descriptor();
  const google::protobuf::Reflection* reflection = TrainConfig::GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = descriptor->field(i);
    const std::string& name = field->name();
    if (name == "datasets" || name == "output_dir" || name == "max_seconds" || name == "loaded_data" ||
        name == "defaulted_fields") {
      continue;
    }
    const bool bookkeeping = name == "keep_checkpoints" || name == "checkpoint_every_steps" ||
                             name == "log_every_steps" || name == "structured_value_embeddings";
    // Each field moved into a config of its own prints as "name: value" (or nothing).
    TrainConfig a, b;
    reflection->SwapFields(&a, &before, {field});
    reflection->SwapFields(&b, &after, {field});
    const std::string old_value = a.ShortDebugString(), new_value = b.ShortDebugString();
    if (old_value == new_value) continue;
    std::vector<std::string>& list = bookkeeping ? changes.bookkeeping : changes.computation;
    if (field->is_repeated() || field->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
      list.push_back(name);
    } else {
      auto value = [&](const std::string& text) {
        return text.empty() ? std::string("(unset)") : text.substr(text.find(':') + 2);
      };
      list.push_back(absl::StrCat(name, ": ", value(old_value), " -> ", value(new_value)));
    }
  }
  return changes;
}

// The run's record of its config: the config with its paths made absolute, so that the
// record given back as --config from another directory names the same data and run.
std::string RunRecord(const TrainConfig& config) {
  TrainConfig record = config;
  auto absolute = [](const std::string& path) {
    std::error_code error;
    const std::filesystem::path full = std::filesystem::absolute(path, error);
    return error ? path : full.lexically_normal().string();
  };
  for (std::string& dataset : *record.mutable_datasets()) dataset = absolute(dataset);
  record.set_output_dir(absolute(record.output_dir()));
  return record.DebugString();
}

// Temporary files a killed run left beside its checkpoints and records
// (WriteFileAtomically's "<name>.tmp.<pid>"). Only called while holding the run's lock,
// when no other calico train writes there.
void RemoveStaleTemporaries(const std::string& dir) {
  std::vector<std::string> stale;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* entry = ::readdir(d)) {
      const std::string name = entry->d_name;
      const size_t at = name.rfind(".tmp.");
      if (at == std::string::npos || at + 5 >= name.size() ||
          name.find_first_not_of("0123456789", at + 5) != std::string::npos) {
        continue;
      }
      const std::string base = name.substr(0, at);
      if (base.rfind("ckpt-", 0) == 0 || base == kLatestCheckpointFile || base == kMetricsFile ||
          base == kRunConfigFile) {
        stale.push_back(name);
      }
    }
    ::closedir(d);
  }
  for (const std::string& name : stale) std::remove(absl::StrCat(dir, "/", name).c_str());
}

std::string JsonNumber(double value) {
  if (!std::isfinite(value)) return "null";
  return absl::StrFormat("%.9g", value);
}

std::atomic<bool> g_stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");

std::atomic<int> g_stop_signal{0};  // the signal that requested the stop, 0 if none
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs a lock-free number");

extern "C" void HandleStopSignal(int signal_number) {
  // Only async-signal-safe work: lock-free stores, and on a second signal the default
  // action (signal() and raise() are on POSIX's async-signal-safe list).
  int none = 0;
  g_stop_signal.compare_exchange_strong(none, signal_number);
  if (g_stop_requested.exchange(true)) {
    ::signal(signal_number, SIG_DFL);
    ::raise(signal_number);
  }
}

// Whether rows are packed under weight set `phase` (0: task_weights, k: task_weight_phases[k - 1]).
bool PhasePacks(const TrainConfig& config, int phase) {
  if (phase == 0) return config.pack_episodes();
  const TaskWeightPhase& scheduled = config.task_weight_phases(phase - 1);
  return scheduled.has_pack_episodes() ? scheduled.pack_episodes() : config.pack_episodes();
}

// Each task_weight_phases entry's from_step, in order.
std::vector<int64_t> ConfiguredPhaseStarts(const TrainConfig& config) {
  std::vector<int64_t> starts;
  for (const TaskWeightPhase& phase : config.task_weight_phases()) starts.push_back(phase.from_step());
  return starts;
}

// Notes on `out` (if any) each phase that starts at or past the run's last update.
void NoteUnreachedPhases(const std::vector<int64_t>& starts, int64_t max_steps, std::ostream* out) {
  for (size_t k = 0; k < starts.size() && out; ++k) {
    if (starts[k] >= max_steps) {
      *out << "note: task_weight_phases[" << k << "] (from update " << starts[k]
           << ") is at or past the fitted run's last update (" << max_steps << "): it never comes\n";
    }
  }
}

// Whether `starts` are the phases' configured from_steps (none moved by a fit).
bool PhasesAsConfigured(const TrainConfig& config, const std::vector<int64_t>& starts) {
  return starts == ConfiguredPhaseStarts(config);
}

// One list of task weights: each task named once, weights in [0, 1e6], not all 0.
absl::Status CheckTaskWeights(const google::protobuf::RepeatedPtrField<TaskWeight>& weights, const std::string& field) {
  std::set<std::string> named;
  for (const TaskWeight& weight : weights) {
    if (weight.task().empty()) return Bad(field, "has an entry without a task");
    if (!named.insert(weight.task()).second) {
      return Bad(field, absl::StrCat("names task '", weight.task(), "' twice"));
    }
    // Weights are relative; the bound keeps their sum finite.
    if (!(weight.weight() >= 0 && weight.weight() <= 1e6)) {
      return Bad(field, absl::StrCat("weight of task '", weight.task(), "' is ", weight.weight(),
                                     "; expected a number in [0, 1e6] (weights are relative)"));
    }
  }
  if (!weights.empty() && std::none_of(weights.begin(), weights.end(), [](const TaskWeight& w) { return w.weight() > 0; })) {
    return Bad(field, "are all 0: no task would be sampled");
  }
  return absl::OkStatus();
}

}  // namespace

void ApplyTrainConfigDefaults(TrainConfig* config) {
  if (config->batch_size() == 0) config->set_batch_size(8);
  if (config->sequence_length() == 0) {
    absl::StatusOr<ModelConfig> model = ResolveModel(*config);
    if (model.ok()) config->set_sequence_length(model->context_length());
  }
  if (!config->has_learning_rate()) config->set_learning_rate(3e-4);
  if (config->decay_steps() == 0) config->set_decay_steps(config->max_steps() > 0 ? config->max_steps() : 10000);
  if (!config->has_warmup_steps()) config->set_warmup_steps(std::min<int64_t>(100, config->decay_steps() / 10));
  if (!config->has_weight_decay()) config->set_weight_decay(0.1);
  if (!config->has_max_grad_norm()) config->set_max_grad_norm(1.0);
  if (config->log_every_steps() == 0) config->set_log_every_steps(10);
  if (config->threads() == 0) config->set_threads(2);
  if (!config->has_prompt_probability()) config->set_prompt_probability(0.25);
  if (!config->has_keep_checkpoints()) config->set_keep_checkpoints(3);
  if (!config->has_structured_value_embeddings()) config->set_structured_value_embeddings(true);
}

absl::Status CheckTrainConfig(const TrainConfig& config) {
  if (config.datasets().empty()) return Bad("datasets", "is missing: name at least one dataset directory");
  for (const std::string& dataset : config.datasets()) {
    if (dataset.empty()) return Bad("datasets", "holds an empty path");
  }
  if (config.output_dir().empty()) return Bad("output_dir", "is missing");
  ASSIGN_OR_RETURN(ModelConfig model, ResolveModel(config));
  if (config.batch_size() < 1) return Bad("batch_size", absl::StrCat("is ", config.batch_size(), "; expected >= 1"));
  if (config.sequence_length() < 2 || config.sequence_length() > model.context_length()) {
    return Bad("sequence_length", absl::StrCat("is ", config.sequence_length(), "; expected in [2, ",
                                               model.context_length(), "] (the model's context_length)"));
  }
  if (config.max_steps() < 0) return Bad("max_steps", absl::StrCat("is ", config.max_steps(), "; expected >= 0"));
  if (!(config.max_seconds() >= 0) || !std::isfinite(config.max_seconds())) {
    return Bad("max_seconds", absl::StrCat("is ", config.max_seconds(), "; expected a finite number >= 0"));
  }
  if (config.max_steps() == 0 && config.max_seconds() == 0) {
    return Bad("budget", "is missing: set max_steps, max_seconds or both");
  }
  if (config.warmup_steps() < 0) {
    return Bad("warmup_steps", absl::StrCat("is ", config.warmup_steps(), "; expected >= 0"));
  }
  if (config.decay_steps() < config.warmup_steps()) {
    return Bad("decay_steps", absl::StrCat("is ", config.decay_steps(), "; expected at least warmup_steps (",
                                           config.warmup_steps(), ")"));
  }
  if (config.fit_steps_to_seconds()) {
    if (config.max_steps() == 0 || config.max_seconds() == 0) {
      return Bad("fit_steps_to_seconds", "needs both max_steps and max_seconds (it fits the one to the other)");
    }
    if (config.warmup_steps() < 2) {
      return Bad("fit_steps_to_seconds",
                 absl::StrCat("needs warmup_steps >= 2 (it is ", config.warmup_steps(),
                              "): the pace is measured during the warm-up, before the schedule depends on it"));
    }
  }
  if (config.fitted_max_steps() != 0) {
    if (!config.fit_steps_to_seconds()) {
      return Bad("fitted_max_steps", "is set without fit_steps_to_seconds (calico train writes it when it fits)");
    }
    if (config.fitted_max_steps() < 1 || config.fitted_max_steps() > config.max_steps()) {
      return Bad("fitted_max_steps", absl::StrCat("is ", config.fitted_max_steps(), "; expected in [1, max_steps (",
                                                  config.max_steps(), ")]"));
    }
  }
  absl::Status adamw = AdamWFromConfig(config).Validate();
  if (!adamw.ok()) return absl::InvalidArgumentError(absl::StrCat("train config: ", adamw.message()));
  if (config.checkpoint_every_steps() < 0) {
    return Bad("checkpoint_every_steps", absl::StrCat("is ", config.checkpoint_every_steps(), "; expected >= 0"));
  }
  if (config.log_every_steps() < 1) {
    return Bad("log_every_steps",
               absl::StrCat("is ", config.log_every_steps(), "; expected >= 1 (0 or unset means every 10 updates)"));
  }
  if (config.threads() < 1 || config.threads() > 256) {
    return Bad("threads", absl::StrCat("is ", config.threads(), "; expected in [1, 256]"));
  }
  if (!(config.prompt_probability() >= 0 && config.prompt_probability() <= 1)) {
    return Bad("prompt_probability", absl::StrCat("is ", config.prompt_probability(), "; expected in [0, 1]"));
  }
  if (config.keep_checkpoints() < 0) {
    return Bad("keep_checkpoints", absl::StrCat("is ", config.keep_checkpoints(), "; expected >= 0 (0: keep all)"));
  }
  RETURN_IF_ERROR(CheckTaskWeights(config.task_weights(), "task_weights"));
  for (int k = 0; k < config.task_weight_phases_size(); ++k) {
    const TaskWeightPhase& phase = config.task_weight_phases(k);
    const std::string field = absl::StrCat("task_weight_phases[", k, "]");
    if (phase.from_step() < 1) {
      return Bad(field, absl::StrCat("from_step is ", phase.from_step(), "; expected >= 1 (task_weights hold from update 0)"));
    }
    if (k > 0 && phase.from_step() <= config.task_weight_phases(k - 1).from_step()) {
      return Bad(field, absl::StrCat("from_step is ", phase.from_step(), ", not after the phase before it (",
                                     config.task_weight_phases(k - 1).from_step(), "); phases go in increasing order"));
    }
    if (config.max_steps() > 0 && phase.from_step() >= config.max_steps()) {
      return Bad(field, absl::StrCat("from_step is ", phase.from_step(), ", at or past max_steps (", config.max_steps(),
                                     "): the phase would never come"));
    }
    // An empty list would read as "every task equally", which a phase is unlikely to mean.
    if (phase.task_weights().empty()) return Bad(field, "has no task_weights");
    RETURN_IF_ERROR(CheckTaskWeights(phase.task_weights(), absl::StrCat(field, ".task_weights")));
  }
  return absl::OkStatus();
}

int64_t EffectiveMaxSteps(const TrainConfig& config) {
  return config.fitted_max_steps() > 0 ? config.fitted_max_steps() : config.max_steps();
}

int64_t EffectiveDecaySteps(const TrainConfig& config) {
  if (config.fitted_max_steps() <= 0 || config.max_steps() <= 0) return config.decay_steps();
  const double scaled = std::round(static_cast<double>(config.decay_steps()) * config.fitted_max_steps() /
                                   config.max_steps());
  return std::max<int64_t>(config.warmup_steps(), static_cast<int64_t>(scaled));
}

std::vector<int64_t> EffectivePhaseStarts(const TrainConfig& config) {
  const bool fitted = config.fitted_max_steps() > 0 && config.max_steps() > 0;
  const int64_t fit_at = std::min<int64_t>(kFitWindowSteps, config.warmup_steps());
  std::vector<int64_t> starts;
  for (const TaskWeightPhase& phase : config.task_weight_phases()) {
    int64_t start = phase.from_step();
    if (fitted && start > fit_at) {
      const double scaled =
          std::round(static_cast<double>(start) * config.fitted_max_steps() / config.max_steps());
      // A phase before max_steps stays before the fitted end (39 of 40 fitted to 20 is
      // 19.5, which would round onto the end and never come).
      start = std::max<int64_t>(fit_at + 1, std::min<int64_t>(static_cast<int64_t>(scaled),
                                                               config.fitted_max_steps() - 1));
    }
    // Two phases that round to one update stay in order, one update apart.
    if (!starts.empty()) start = std::max(start, starts.back() + 1);
    starts.push_back(start);
  }
  return starts;
}

int64_t StepsThatFit(int64_t done, double seconds_left, double seconds_per_step, int64_t max_steps) {
  if (!(seconds_per_step > 0) || !std::isfinite(seconds_per_step) || std::isnan(seconds_left)) return max_steps;
  const double more = std::floor(std::max(0.0, seconds_left) / seconds_per_step);
  if (more >= static_cast<double>(max_steps - done)) return max_steps;
  return std::max(done, done + static_cast<int64_t>(more));
}

absl::StatusOr<TrainConfig> ParseTrainConfigText(absl::string_view text, absl::string_view source) {
  TrainConfig config;
  absl::Status parsed = ParseTextProto(text, &config);
  if (!parsed.ok()) return absl::Status(parsed.code(), absl::StrCat(source, ": ", parsed.message()));
  return config;
}

void ForgetRecordedValues(TrainConfig* config) {
  if (config->defaulted_fields_size() == 0 && config->loaded_data_size() == 0) return;
  const google::protobuf::Descriptor* descriptor = TrainConfig::descriptor();
  const google::protobuf::Reflection* reflection = TrainConfig::GetReflection();
  for (const std::string& name : config->defaulted_fields()) {
    const google::protobuf::FieldDescriptor* field = descriptor->FindFieldByName(name);
    if (field != nullptr && !field->is_repeated()) reflection->ClearField(config, field);
  }
  config->clear_defaulted_fields();
  config->clear_fitted_max_steps();
  config->clear_loaded_data();
}

absl::Status FinishTrainConfig(absl::string_view source, TrainConfig* config) {
  // A default the user never wrote is named as one, with what it came from.
  const bool decay_defaulted = config->decay_steps() == 0;
  // Which fields the defaults fill, for the run's record (defaulted_fields).
  const TrainConfig given = *config;
  ApplyTrainConfigDefaults(config);
  {
    const google::protobuf::Descriptor* descriptor = TrainConfig::descriptor();
    const google::protobuf::Reflection* reflection = TrainConfig::GetReflection();
    config->clear_defaulted_fields();
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const google::protobuf::FieldDescriptor* field = descriptor->field(i);
      if (field->is_repeated()) continue;
      if (!reflection->HasField(given, field) && reflection->HasField(*config, field)) {
        config->add_defaulted_fields(field->name());
      }
    }
  }
  absl::Status checked = CheckTrainConfig(*config);
  if (!checked.ok()) {
    std::string message = absl::StrCat(source, ": ", checked.message());
    if (decay_defaulted && absl::StrContains(checked.message(), "decay_steps is")) {
      absl::StrAppend(&message, " (decay_steps was not set and defaults to max_steps, ", config->max_steps(),
                      "; lower warmup_steps or set decay_steps)");
    }
    return absl::Status(checked.code(), message);
  }
  return absl::OkStatus();
}

absl::StatusOr<TrainConfig> ParseTrainConfig(absl::string_view text, absl::string_view source) {
  ASSIGN_OR_RETURN(TrainConfig config, ParseTrainConfigText(text, source));
  RETURN_IF_ERROR(FinishTrainConfig(source, &config));
  return config;
}

std::string CheckpointName(int64_t step) { return absl::StrFormat("ckpt-%06d", step); }

absl::StatusOr<std::string> LatestCheckpoint(const std::string& output_dir) {
  const std::string pointer = absl::StrCat(output_dir, "/", kLatestCheckpointFile);
  if (!PathExists(pointer)) return absl::NotFoundError(absl::StrCat("no checkpoint in ", output_dir, " (no ", pointer, ")"));
  ASSIGN_OR_RETURN(std::string name, ReadFile(pointer, 4096));  // one file name
  name = std::string(absl::StripAsciiWhitespace(name));
  const bool printable = std::all_of(name.begin(), name.end(), [](char c) { return c > ' ' && c < 127; });
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == ".." || !printable) {
    return absl::DataLossError(
        absl::StrCat(pointer, " does not name a checkpoint file: '", absl::CHexEscape(name), "'"));
  }
  return absl::StrCat(output_dir, "/", name);
}

absl::StatusOr<std::string> ResolveCheckpoint(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) return path;
  absl::StatusOr<std::string> latest = LatestCheckpoint(path);
  if (absl::IsNotFound(latest.status())) {
    // A run stopped before its first LATEST, or one whose LATEST was lost: name what is there.
    if (const auto found = CheckpointsIn(path); !found.empty()) {
      return absl::NotFoundError(absl::StrCat(latest.status().message(), "; its newest checkpoint (of ",
                                              found.size(), ") is ", path, "/", found.back().second,
                                              ": pass that file"));
    }
  }
  return latest;
}

int StopSignalNumber() { return g_stop_signal.load(); }

const std::atomic<bool>* InstallStopSignalHandlers() {
  struct sigaction action = {};
  action.sa_handler = HandleStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // a signal must not fail the run's file writes with EINTR
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  return &g_stop_requested;
}

absl::StatusOr<TrainReport> RunTraining(const TrainConfig& raw_config, const TrainOptions& options) {
  TrainConfig config = raw_config;
  ApplyTrainConfigDefaults(&config);
  RETURN_IF_ERROR(CheckTrainConfig(config));
  if (options.stop_at_step < 0) {
    return absl::InvalidArgumentError(absl::StrCat("stop_at_step is ", options.stop_at_step, "; expected >= 0"));
  }
  if (!(options.stop_at_fraction >= 0 && options.stop_at_fraction < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("stop_at_fraction is ", options.stop_at_fraction, "; expected a fraction in (0, 1)"));
  }
  if (options.stop_at_step > 0 && options.stop_at_fraction > 0) {
    return absl::InvalidArgumentError("a pause at an update and at a fraction of the run together: give one");
  }
  if (options.stop_at_fraction > 0 && config.max_steps() == 0) {
    return absl::InvalidArgumentError(
        "a pause at a fraction of the run needs a step budget (max_steps); this run has only max_seconds");
  }
  ASSIGN_OR_RETURN(ModelConfig model_config, ResolveModel(config));
  // The model never sees a sequence longer than sequence_length, so that is its context:
  // a policy acting with the checkpoint then keeps at most that many positions in its
  // cache, and never meets query-key distances it was not trained on.
  if (config.sequence_length() < model_config.context_length()) {
    model_config.set_context_length(static_cast<int32_t>(config.sequence_length()));
  }
  // A batch the machine cannot hold fails here, not with bad_alloc minutes later.
  const int64_t bound = Transformer::TrainingBytesBound(model_config, config.batch_size(), config.sequence_length());
  if (const MemoryLimit memory = ProcessMemoryLimit(); memory.bytes > 0 && bound > memory.bytes) {
    return absl::ResourceExhaustedError(absl::StrFormat(
        "train config: batch_size x sequence_length = %d x %d with model %s needs up to %.1f GiB for the model "
        "(parameters, optimiser state and activations), more than the %.1f GiB of %s; lower "
        "batch_size or sequence_length",
        config.batch_size(), config.sequence_length(), model_config.name(), bound / 1073741824.0,
        memory.bytes / 1073741824.0, memory.source));
  }
  // Checkpoints record the text model that gives the text ids their meaning (a missing
  // path is reported with the data below).
  if (!options.text_model_path.empty()) {
    ASSIGN_OR_RETURN(std::unique_ptr<TextTokenizer> text, TextTokenizer::Load(options.text_model_path));
    model_config.set_text_model_fingerprint(text->fingerprint());
  }
  std::ostream* out = options.progress;

  // The output directory: a fresh run never overwrites another run's checkpoints.
  const std::string& dir = config.output_dir();
  if (PathExists(dir) && !IsDirectory(dir)) {
    return absl::FailedPreconditionError(absl::StrCat("output_dir ", dir, " exists and is not a directory"));
  }
  // What a fresh run or a resume finds in the directory; checked again under the run's
  // lock below, since another calico train may have written there meanwhile.
  auto check_directory = [&dir, &options]() -> absl::StatusOr<std::string> {
    // A dataset (perhaps this run's own input) must not fill up with checkpoints.
    if (PathExists(absl::StrCat(dir, "/", kManifestFile))) {
      return absl::FailedPreconditionError(absl::StrCat("output_dir ", dir, " holds a dataset (", kManifestFile,
                                                        "); write the run to a directory of its own"));
    }
    if (options.resume) {
      absl::StatusOr<std::string> latest = LatestCheckpoint(dir);
      if (!latest.ok() && absl::IsNotFound(latest.status())) {
        const auto found = CheckpointsIn(dir);
        if (!found.empty()) {
          return absl::NotFoundError(absl::StrCat(latest.status().message(), "; the directory holds ",
                                                  found.back().second, ": to resume from it, write its name into ",
                                                  dir, "/", kLatestCheckpointFile));
        }
      }
      return latest;
    }
    if (PathExists(absl::StrCat(dir, "/", kLatestCheckpointFile))) {
      return absl::FailedPreconditionError(
          absl::StrCat("output_dir ", dir, " already holds a run (", kLatestCheckpointFile,
                       "); resume it or choose another directory"));
    }
    if (const auto stray = CheckpointsIn(dir); !stray.empty()) {
      // Checkpoints without LATEST: another run's, which this one must neither overwrite
      // nor prune.
      return absl::FailedPreconditionError(
          absl::StrCat("output_dir ", dir, " holds checkpoints (", stray.back().second, ") but no ",
                       kLatestCheckpointFile, "; move them away or choose another directory"));
    }
    return std::string();
  };
  ASSIGN_OR_RETURN(const std::string resume_from, check_directory());
  std::vector<std::string> resumed_trained_tasks;  // what the checkpoint resumed from records
  if (!resume_from.empty()) {
    absl::StatusOr<ModelConfig> readable = ReadCheckpointConfig(resume_from);
    if (!readable.ok()) {
      // A damaged latest checkpoint: the older ones may still serve.
      std::vector<std::string> older;
      for (const auto& [step, name] : CheckpointsIn(dir)) {
        if (absl::StrCat(dir, "/", name) != resume_from) older.push_back(name);
      }
      if (older.empty()) return readable.status();
      return absl::Status(readable.status().code(),
                          absl::StrCat(readable.status().message(), "; the run also holds ", absl::StrJoin(older, ", "),
                                       ": to resume from one of them, write its name into ", dir, "/",
                                       kLatestCheckpointFile));
    }
    const ModelConfig& stored = *readable;
    resumed_trained_tasks.assign(stored.trained_tasks().begin(), stored.trained_tasks().end());
    // A run begun before checkpoints recorded their text model goes on without one.
    if (stored.text_model_fingerprint().empty()) model_config.clear_text_model_fingerprint();
    if (stored.text_model_fingerprint() != model_config.text_model_fingerprint()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "checkpoint ", resume_from, " was trained with the text model whose fingerprint is ",
          stored.text_model_fingerprint(), ", but the text model given (", options.text_model_path,
          ") has fingerprint ", model_config.text_model_fingerprint(),
          "; resume with the text model the run began with (--text_model or CALICO_TEXT_MODEL)"));
    }
    std::vector<std::string> differences = ModelConfigDifferences(stored, model_config);
    if (!differences.empty()) {
      const bool context = stored.context_length() != model_config.context_length();
      return absl::FailedPreconditionError(absl::StrCat(
          "checkpoint ", resume_from, " has another model than the config: ", absl::StrJoin(differences, ", "),
          context ? absl::StrCat(" (a run's context_length is its sequence_length where that is shorter than the "
                                 "preset's: resume with the sequence_length the run began with, ",
                                 stored.context_length(), ")")
                  : std::string()));
    }
  }

  // Data (the slow part of the checks): vocabulary, every dataset, weights.
  TrainingDataOptions data_options;
  data_options.datasets.assign(config.datasets().begin(), config.datasets().end());
  for (const TaskWeight& weight : config.task_weights()) data_options.task_weights[weight.task()] = weight.weight();
  for (const TaskWeightPhase& phase : config.task_weight_phases()) {
    ScheduledTaskWeights scheduled;
    scheduled.from_step = phase.from_step();
    for (const TaskWeight& weight : phase.task_weights()) scheduled.task_weights[weight.task()] = weight.weight();
    if (phase.has_pack_episodes()) scheduled.pack_episodes = phase.pack_episodes();
    data_options.task_weight_phases.push_back(std::move(scheduled));
  }
  data_options.batch_size = config.batch_size();
  data_options.sequence_length = config.sequence_length();
  data_options.prompt_probability = config.prompt_probability();
  data_options.pack_episodes = config.pack_episodes();
  data_options.text_model_path = options.text_model_path;
  data_options.model_vocab_size = model_config.vocab_size();
  ASSIGN_OR_RETURN(std::unique_ptr<TrainingData> data, TrainingData::Load(data_options));
  TrainReport report;
  report.episodes_per_task = data->episodes_per_task();
  // The record of what this invocation trains on: the sampled tasks' data.
  config.clear_loaded_data();
  for (const std::string& task : data->tasks()) {
    const TrainingData::TaskSummary& summary = data->task_summaries().at(task);
    LoadedTaskData* loaded = config.add_loaded_data();
    loaded->set_task(task);
    loaded->set_episodes(summary.episodes);
    loaded->set_steps(summary.steps);
    loaded->set_fingerprint(summary.fingerprint);
  }
  // Checkpoints say what they were trained on: this invocation's tasks, and on a resume
  // those of the invocations before it. A checkpoint from before the record has an
  // unknown history, and so does the run from it on: nothing is recorded.
  model_config.clear_trained_tasks();
  if (resume_from.empty() || !resumed_trained_tasks.empty()) {
    std::set<std::string> trained(data->tasks().begin(), data->tasks().end());
    trained.insert(resumed_trained_tasks.begin(), resumed_trained_tasks.end());
    for (const std::string& task : trained) model_config.add_trained_tasks(task);
  }
  if (out) {
    for (const std::string& warning : data->warnings()) *out << "warning: " << warning << "\n";
  }

  // One calico train per directory at a time: two would interleave their checkpoints,
  // LATEST and metrics, and both would report success. The kernel drops the lock with
  // the process, however it ends.
  RETURN_IF_ERROR(MakeDirectories(dir));
  absl::StatusOr<FileLock> lock = FileLock::Acquire(absl::StrCat(dir, "/", kRunLockFile));
  if (!lock.ok()) {
    return absl::Status(lock.status().code(),
                        absl::IsUnavailable(lock.status())
                            ? absl::StrCat("output_dir ", dir, " is in use by another calico train (",
                                           lock.status().message(), ")")
                            : std::string(lock.status().message()));
  }
  ASSIGN_OR_RETURN(const std::string locked_resume_from, check_directory());
  if (locked_resume_from != resume_from) {
    return absl::FailedPreconditionError(absl::StrCat("output_dir ", dir, " changed while the data loaded: ",
                                                      kLatestCheckpointFile, " now names ",
                                                      locked_resume_from.empty() ? "nothing" : locked_resume_from,
                                                      " instead of ", resume_from, "; run the command again"));
  }
  RemoveStaleTemporaries(dir);

  // The run's own record of its config, from the invocation before this one.
  const std::string config_path = absl::StrCat(dir, "/", kRunConfigFile);
  std::optional<TrainConfig> before;
  if (!resume_from.empty()) {
    // A missing record is reported as an unreadable one is: either way nothing says what
    // the earlier invocation changed.
    absl::StatusOr<std::string> before_text =
        PathExists(config_path) ? ReadFile(config_path)
                                : absl::StatusOr<std::string>(absl::NotFoundError(absl::StrCat(config_path, " is missing")));
    absl::StatusOr<TrainConfig> parsed =
        before_text.ok() ? ParseTrainConfigText(*before_text, config_path) : before_text.status();
    if (parsed.ok()) {
      before = *std::move(parsed);
    } else if (out) {
      // The record is replaced below; what it said is lost with it.
      *out << "warning: the run's config record cannot be read (" << parsed.status().message()
           << "); this invocation's replaces it, and changes from the earlier invocation's config are not listed";
      if (config.fit_steps_to_seconds() && config.fitted_max_steps() == 0) {
        *out << "; a schedule fitted to max_seconds before is not known either: set fitted_max_steps in the "
             << "config to keep it";
      }
      *out << "\n";
    }
  }
  // A fitted schedule stays fitted: the resumed run ends where the first invocation
  // decided, unless the budget of updates itself changed.
  if (before && config.fit_steps_to_seconds() && config.fitted_max_steps() == 0 && before->fitted_max_steps() > 0 &&
      before->fit_steps_to_seconds() && before->max_steps() == config.max_steps()) {
    config.set_fitted_max_steps(before->fitted_max_steps());
  }
  // A fitted schedule's phases move with it (EffectivePhaseStarts).
  if (config.fitted_max_steps() > 0) RETURN_IF_ERROR(data->MovePhaseStarts(EffectivePhaseStarts(config)));

  SetModelThreads(config.threads());
  ASSIGN_OR_RETURN(Trainer trainer, Trainer::Create(model_config, AdamWFromConfig(config), config.seed()));
  const std::string metrics_path = absl::StrCat(dir, "/", kMetricsFile);
  if (!resume_from.empty()) {
    RETURN_IF_ERROR(RestoreCheckpoint(resume_from, &trainer));
    report.last_checkpoint = resume_from;
  }
  report.first_step = trainer.step();
  report.steps = trainer.step();
  int64_t max_steps = EffectiveMaxSteps(config) > 0 ? EffectiveMaxSteps(config) : INT64_MAX;
  // Where this invocation pauses (stop_at_*); max_steps may still be fitted below.
  auto pause_step = [&options, &max_steps]() -> int64_t {
    if (options.stop_at_step > 0) return options.stop_at_step;
    if (options.stop_at_fraction > 0) {
      // At least one update: a pause at update 0 would be a run that never starts.
      return std::max<int64_t>(
          1, static_cast<int64_t>(std::ceil(options.stop_at_fraction * static_cast<double>(max_steps) - 1e-9)));
    }
    return INT64_MAX;
  };

  if (out) {
    *out << "training " << model_config.name() << " (" << trainer.model().parameters().size() << " parameters) on";
    for (const std::string& task : data->tasks()) {
      *out << " " << task << " (" << report.episodes_per_task.at(task) << " episodes)";
    }
    std::vector<std::string> unweighted;
    for (const auto& [task, count] : report.episodes_per_task) {
      if (std::find(data->tasks().begin(), data->tasks().end(), task) == data->tasks().end()) unweighted.push_back(task);
    }
    if (!unweighted.empty()) *out << " (loaded with weight 0, not sampled: " << absl::StrJoin(unweighted, ", ") << ")";
    *out << "; batch " << config.batch_size() << " x " << config.sequence_length() << ", " << config.threads()
         << " threads" << (resume_from.empty() ? "" : absl::StrCat(", resuming from ", resume_from)) << "\n";
    if (config.task_weight_phases_size() > 0) {
      *out << "task weights change at update " << absl::StrJoin(data->phase_starts(), ", ") << " (task_weight_phases";
      if (!PhasesAsConfigured(config, data->phase_starts())) {
        *out << ", moved with the fitted schedule from " << absl::StrJoin(ConfiguredPhaseStarts(config), ", ");
      }
      *out << ")";
      const int current = data->WeightPhaseAt(trainer.step());
      if (trainer.step() > 0 && current > 0) {
        *out << "; at update " << trainer.step() << " the weights of task_weight_phases[" << current - 1
             << "] are in force";
      }
      *out << "\n";
      // A fit the record held but this invocation does not keep (max_steps changed):
      // the phases go back to where they are configured, which may undo a change the
      // run has already made.
      if (before && config.fitted_max_steps() == 0 && before->fitted_max_steps() > 0 &&
          before->task_weight_phases_size() == config.task_weight_phases_size()) {
        const std::vector<int64_t> moved = EffectivePhaseStarts(*before);
        if (moved != data->phase_starts()) {
          *out << "note: the task weight phases go back to their configured starts (the fitted run had them at update "
               << absl::StrJoin(moved, ", ") << ")";
          const int before_phase = static_cast<int>(
              std::upper_bound(moved.begin(), moved.end(), trainer.step() - 1) - moved.begin());
          // Moved starts are never later than configured ones, so this goes backwards.
          if (trainer.step() > 0 && before_phase != current) {
            auto name = [](int phase) {
              return phase == 0 ? std::string("task_weights") : absl::StrCat("task_weight_phases[", phase - 1, "]");
            };
            *out << "; from update " << trainer.step() << " the run draws with " << name(current)
                 << " again, after drawing with " << name(before_phase);
          }
          *out << "\n";
        }
      }
      NoteUnreachedPhases(data->phase_starts(), max_steps, out);
    }
  }
  // Nothing below this has written to the directory yet (the lock file aside): a resume
  // with nothing to do, or a stop requested while the data loaded, leaves the run as it
  // was, its config record included.
  if (trainer.step() >= max_steps) {
    if (out) {
      *out << "nothing to do: " << trainer.step() << " updates done, max_steps is " << config.max_steps()
           << (config.fitted_max_steps() > 0 ? absl::StrCat(" (fitted to the time budget: ", max_steps, ")") : "")
           << "\n";
    }
    return report;
  }
  // What follows a pause: the rest of the step budget, or (a time-only run, whose
  // max_seconds counts per invocation) another max_seconds.
  auto after_pause = [&config, &max_steps]() -> std::string {
    return config.max_steps() > 0
               ? absl::StrCat("the schedule goes on to update ", max_steps,
                              "; --resume continues it as if uninterrupted")
               : absl::StrCat("a --resume trains for another max_seconds (", config.max_seconds(),
                              " s: a time budget counts per invocation)");
  };
  if (pause_step() < max_steps && trainer.step() >= pause_step()) {
    if (out) {
      *out << "nothing to do: " << trainer.step() << " updates done, at or past the pause at update " << pause_step()
           << " (resume without it to go on)\n";
    }
    report.paused = true;
    return report;
  }
  // A pause inside the window where a pending fit measures the pace would leave the fit
  // to the resumed invocation, with its own clock and budget: not the same run.
  if (config.fit_steps_to_seconds() && config.fitted_max_steps() == 0) {
    const int64_t fit_window = std::min<int64_t>(kFitWindowSteps, config.warmup_steps());
    if (trainer.step() < fit_window && pause_step() < fit_window) {
      return absl::InvalidArgumentError(absl::StrCat(
          "a pause at update ", pause_step(), " comes before update ", fit_window,
          ", where the schedule is fitted to max_seconds (fit_steps_to_seconds); pause at update ", fit_window,
          " or later"));
    }
  }
  if ((options.stop_at_step > 0 || options.stop_at_fraction > 0) && pause_step() >= max_steps && out) {
    *out << "note: the pause at update " << pause_step() << " is at or past the run's last update (" << max_steps
         << "): the run goes to its end\n";
  }
  if (options.stop != nullptr && options.stop->load()) {
    report.stopped = true;
    if (out) *out << "stopped on request before the first update; nothing was written\n";
    return report;
  }
  if (resume_from.empty() && config.structured_value_embeddings()) {
    ASSIGN_OR_RETURN(Vocabulary vocab, Vocabulary::Create(data->text_vocabulary_size()));
    RETURN_IF_ERROR(InitializeValueEmbeddings(vocab, config.seed(), &trainer.model()));
  }
  // The resolved config (defaults filled in) beside the checkpoints, for the record;
  // each invocation writes its own. A resume that changes fields says which: the result
  // then differs from an uninterrupted run's (a new max_steps moves the schedule).
  if (before && out != nullptr) {
    const ConfigDifferences changes = ConfigChanges(*before, config);
    if (!changes.computation.empty()) {
      *out << "note: resuming with changes (the run will differ from an uninterrupted one): "
           << absl::StrJoin(changes.computation, "; ") << "\n";
    }
    if (!changes.bookkeeping.empty()) {
      *out << "note: resuming with changed config fields that do not change the run's numbers: "
           << absl::StrJoin(changes.bookkeeping, "; ") << "\n";
    }
  }
  RETURN_IF_ERROR(WriteFileAtomically(config_path, RunRecord(config)));
  // Records of updates the checkpoint does not include are redone below.
  RETURN_IF_ERROR(TrimMetrics(metrics_path, trainer.step()));
  std::ofstream metrics(metrics_path, std::ios::app);
  if (!metrics) return absl::PermissionDeniedError(absl::StrCat("cannot open ", metrics_path, " for appending"));

  auto save = [&]() -> absl::Status {
    const std::string name = CheckpointName(trainer.step());
    const std::string path = absl::StrCat(dir, "/", name);
    RETURN_IF_ERROR(SaveCheckpoint(trainer, path));
    // The pointer moves only once the checkpoint is durable, so LATEST never names a
    // torn file and a crash in between leaves the previous run state usable.
    RETURN_IF_ERROR(WriteFileAtomically(absl::StrCat(dir, "/", kLatestCheckpointFile), name + "\n"));
    report.last_checkpoint = path;
    PruneCheckpoints(dir, trainer.step(), name, config.keep_checkpoints());
    return absl::OkStatus();
  };

  // The schedule's fit to max_seconds (fit_steps_to_seconds): decided after update
  // `fit_at`, inside the warm-up, where the learning rate does not depend on decay_steps
  // yet, so a fitted run equals one configured with the fitted numbers from the start.
  int64_t fit_at = 0;
  if (config.fit_steps_to_seconds() && config.fitted_max_steps() == 0) {
    fit_at = std::min<int64_t>(kFitWindowSteps, config.warmup_steps());
    if (trainer.step() >= fit_at) {
      fit_at = 0;
      if (out) {
        const bool refit = before && before->fitted_max_steps() > 0;  // recorded, but max_steps changed
        *out << "note: not fitting the schedule to max_seconds: the run resumes after update " << trainer.step()
             << ", past the warm-up's first " << std::min<int64_t>(kFitWindowSteps, config.warmup_steps())
             << " updates where the pace is measured, and "
             << (refit ? absl::StrCat("the fit it recorded (", before->fitted_max_steps(), " updates) was for max_steps ",
                                      before->max_steps(), "; the schedule follows max_steps ", config.max_steps())
                       : std::string("no fit was recorded"))
             << "\n";
      }
    }
  }

  const int64_t positions_per_step = config.batch_size() * config.sequence_length();
  const std::vector<std::string>& task_names = data->tasks();
  auto draw = [&data, &config](int64_t step) { return data->Next(BatchSeed(config.seed(), step), step); };
  // The next batch is drawn on another thread while this one trains; only one draw is
  // in flight at a time, so the (not thread-safe) sampler is never used concurrently.
  std::future<absl::StatusOr<TrainingBatch>> next = std::async(std::launch::async, draw, trainer.step());
  const std::function<double()> now = options.clock ? options.clock : [] {
    return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
  };
  const double start = now();
  double first_update_end = 0;  // elapsed seconds at the end of this invocation's first update
  std::string unrecorded;       // the metrics record of the last update, if not yet written
  bool first = true;
  while (true) {
    absl::StatusOr<TrainingBatch> drawn = next.get();
    if (!drawn.ok()) return drawn.status();
    const int64_t step = trainer.step();
    const Batch& batch = drawn->batch;
    const std::vector<int32_t>& row_task = drawn->row_task;
    if (step + 1 < max_steps) next = std::async(std::launch::async, draw, step + 1);
    if (out && step > 0 && data->WeightPhaseAt(step) != data->WeightPhaseAt(step - 1)) {
      const int phase = data->WeightPhaseAt(step);
      const bool packs = PhasePacks(config, phase), packed = PhasePacks(config, data->WeightPhaseAt(step - 1));
      *out << "update " << step << ": the task weights of task_weight_phases[" << phase - 1 << "] from here on"
           << (packs == packed ? "" : packs ? ", rows packed" : ", rows no longer packed") << "\n";
    }
    // Logged steps are those on the log_every_steps grid; the run's last update gets a
    // record too, marked as off the grid when it is, so that a resume (which may go
    // further than this invocation's max_steps) drops it and its metrics match an
    // uninterrupted run's.
    const bool on_grid = (step + 1) % config.log_every_steps() == 0;
    const bool log = on_grid || step + 1 == max_steps;

    // The loss split by task and modality at logged steps, with the parameters the
    // update starts from (one extra forward pass, so every log_every_steps-th step
    // costs about a third more).
    LossBreakdown breakdown;
    if (log) {
      ASSIGN_OR_RETURN(breakdown, BreakDownLoss(trainer.model(), batch, row_task, task_names,
                                                data->text_vocabulary_size()));
    }

    absl::StatusOr<StepResult> result = trainer.Step(batch);
    if (!result.ok()) {
      if (next.valid()) next.wait();
      // The last good update's record, if it had none, so the metrics end where the
      // parameters did.
      if (!unrecorded.empty()) metrics << unrecorded;
      metrics.flush();
      return absl::Status(result.status().code(),
                          absl::StrCat(result.status().message(), "; training stopped with ", trainer.step(),
                                       " updates done; last checkpoint: ",
                                       report.last_checkpoint.empty() ? "none" : report.last_checkpoint));
    }
    report.steps = trainer.step();
    if (first) report.first_loss = result->loss;
    first = false;
    report.last_loss = result->loss;
    const double elapsed = now() - start;
    const int64_t done = trainer.step() - report.first_step;
    if (done == 1) first_update_end = elapsed;
    if (fit_at > 0 && trainer.step() == fit_at) {
      // The first update of an invocation also pays for warming caches and allocations,
      // so the pace is taken from the updates after it where there are any.
      const double pace = done > 1 ? (elapsed - first_update_end) / (done - 1) : elapsed;
      const int64_t fitted = StepsThatFit(trainer.step(), config.max_seconds() - elapsed, pace, config.max_steps());
      config.set_fitted_max_steps(fitted);
      RETURN_IF_ERROR(trainer.optimizer().SetTotalSteps(EffectiveDecaySteps(config)));
      RETURN_IF_ERROR(WriteFileAtomically(config_path, RunRecord(config)));
      max_steps = fitted;
      fit_at = 0;
      if (options.stop_at_step > 0 && options.stop_at_step >= max_steps && out) {
        *out << "note: the pause at update " << options.stop_at_step << " is at or past the fitted run's last update ("
             << max_steps << "): the run goes to its end\n";
      }
      // A percentage of the fitted run can fall before this update: the run pauses here,
      // the earliest update a fitted run can pause at.
      if (options.stop_at_fraction > 0 && pause_step() < trainer.step() && out) {
        *out << "note: the pause at " << options.stop_at_fraction * 100 << "% of the fitted run's " << max_steps
             << " updates (update " << pause_step() << ") falls before the fit at update " << trainer.step()
             << ": the run pauses here instead\n";
      }
      // The phases move with the schedule. The batch in flight is that of update fit_at,
      // which no moved phase reaches; the sampler is not thread-safe, so it is waited for.
      if (config.task_weight_phases_size() > 0) {
        if (next.valid()) next.wait();
        const std::vector<int64_t> starts = EffectivePhaseStarts(config);
        RETURN_IF_ERROR(data->MovePhaseStarts(starts));
        if (out && !PhasesAsConfigured(config, starts)) {
          *out << "the task weight phases move with the fitted schedule: they start at update "
               << absl::StrJoin(starts, ", ") << " (configured: " << absl::StrJoin(ConfiguredPhaseStarts(config), ", ")
               << ")\n";
        }
      }
      NoteUnreachedPhases(data->phase_starts(), max_steps, out);
      if (out) {
        *out << absl::StrFormat(
            "fit to max_seconds %g: %.3g s per update, so %s; %s\n", config.max_seconds(), pace,
            fitted < config.max_steps()
                ? absl::StrCat("the run ends after ", fitted, " of max_steps ", config.max_steps(), " updates")
                : absl::StrCat("all ", config.max_steps(), " updates fit"),
            fitted < config.warmup_steps()
                ? absl::StrCat("that is inside the warm-up (warmup_steps ", config.warmup_steps(),
                               "): the learning rate never reaches its peak and does not decay")
                : absl::StrCat("the cosine ends at update ", EffectiveDecaySteps(config)));
        out->flush();
      }
    }
    const double tokens_per_second = elapsed > 0 ? done * positions_per_step / elapsed : 0.0;
    const bool out_of_time = config.max_seconds() > 0 && elapsed >= config.max_seconds();
    const bool stop = options.stop != nullptr && options.stop->load();
    const bool pause = trainer.step() >= pause_step();
    const bool last = trainer.step() >= max_steps || out_of_time || stop || pause;

    // The run's last update always gets a record; without the loss breakdown if it was
    // not a logged step (ending by time or on request is only known after the update).
    // An update between records keeps its record at hand for a failure of the next one.
    {
      std::ostringstream record;
      record << "{\"step\": " << step << ", \"loss\": " << JsonNumber(result->loss)
              << ", \"grad_norm\": " << JsonNumber(result->grad_norm)
              << ", \"learning_rate\": " << JsonNumber(result->learning_rate)
              << ", \"tokens_per_second\": " << JsonNumber(tokens_per_second)
              << ", \"elapsed_seconds\": " << JsonNumber(elapsed)
              << ", \"text_loss\": " << JsonNumber(breakdown.text_loss)
              << ", \"action_loss\": " << JsonNumber(breakdown.action_loss) << ", \"task_loss\": {";
      bool comma = false;
      for (const auto& [task, loss] : breakdown.task_loss) {
        record << (comma ? ", " : "") << JsonQuote(task) << ": " << JsonNumber(loss);
        comma = true;
      }
      const std::string text = record.str();
      if (on_grid || last) {
        metrics << text << "}" << (on_grid ? "" : absl::StrCat(", ", kUnloggedFinalField)) << "}\n";
        metrics.flush();
        unrecorded.clear();
      } else {
        unrecorded = absl::StrCat(text, "}, ", kUnloggedFinalField, "}\n");
      }
    }
    if (out && (log || done == 1 || last)) {
      double eta = INFINITY;
      if (config.max_steps() > 0) eta = (max_steps - trainer.step()) * elapsed / done;
      if (config.max_seconds() > 0) eta = std::min(eta, std::max(0.0, config.max_seconds() - elapsed));
      *out << absl::StrFormat("step %d%s  loss %.4f  grad_norm %.3f  lr %.3g  %.0f tokens/s  elapsed %s  ETA %s\n",
                              trainer.step(),
                              config.max_steps() > 0 ? absl::StrCat("/", max_steps) : std::string(),
                              result->loss, result->grad_norm, result->learning_rate, tokens_per_second,
                              Duration(elapsed), Duration(eta));
      out->flush();
    }
    const bool scheduled =
        config.checkpoint_every_steps() > 0 && trainer.step() % config.checkpoint_every_steps() == 0;
    if (scheduled || last) RETURN_IF_ERROR(save());
    if (last) {
      // Reaching max_steps is "done" even if the time budget or a stop request arrived
      // during the same update.
      const bool finished = trainer.step() >= max_steps;
      report.stopped = stop && !finished;
      report.paused = pause && !finished;
      report.seconds = elapsed;
      report.tokens_per_second = tokens_per_second;
      if (out) {
        *out << absl::StrFormat(
            "\n%s after %d updates (%d in this run) in %s: loss %.4f -> %.4f, %.0f tokens/s; checkpoint %s\n",
            finished ? "done" : stop ? "stopped on request" : pause ? "paused as asked" : "time budget reached",
            trainer.step(), done, Duration(elapsed), report.first_loss, report.last_loss, tokens_per_second,
            report.last_checkpoint);
        if (report.paused) *out << after_pause() << "\n";
        // The budget ran out before the update where the pace is measured: nothing was
        // fitted, and the learning rate stopped in its warm-up.
        if (!finished && !stop && !pause && fit_at > 0 && trainer.step() < fit_at) {
          *out << absl::StrFormat(
              "note: max_seconds (%g) ran out before update %d, where fit_steps_to_seconds measures the pace, so "
              "nothing was fitted and the learning rate (%.3g) never reached its peak (%g); raise max_seconds\n",
              config.max_seconds(), fit_at, result->learning_rate, config.learning_rate());
        }
      }
      break;
    }
  }
  if (next.valid()) next.wait();
  return report;
}

}  // namespace calico
