#include "agent/train_data.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/fnv1a.h"
#include "base/status_macros.h"
#include "envs/scenes/scene.h"
#include "envs/specs.h"
#include "replay/dataset.h"
#include "replay/sampler.h"
#include "tokenizers/text/text_tokenizer.h"
#include "tokenizers/vocabulary.h"

namespace calico {

namespace {

// How the `role` specs of one task differ between two datasets: the first key that one
// lacks or whose spec differs, with both specs.
std::string SpecsDiffer(const char* role, const SpecMap& first, const std::string& first_dir, const SpecMap& later,
                        const std::string& later_dir) {
  for (const auto& [key, spec] : first) {
    auto it = later.find(key);
    if (it == later.end()) return absl::StrCat(role, " '", key, "' is in ", first_dir, " and not in ", later_dir);
    if (it->second == spec) continue;
    return absl::StrCat(role, " '", key, "' is ", DescribeSpec(spec), " in ", first_dir, " and ",
                        DescribeSpec(it->second), " in ", later_dir);
  }
  for (const auto& [key, spec] : later) {
    if (first.count(key) == 0) return absl::StrCat(role, " '", key, "' is in ", later_dir, " and not in ", first_dir);
  }
  return "";
}

}  // namespace


TrainingData::~TrainingData() = default;

absl::StatusOr<std::unique_ptr<TrainingData>> TrainingData::Load(const TrainingDataOptions& options) {
  // The vocabulary comes from the text model; the model's embedding table must match it
  // row for row, or ids would mean different things to the sampler and the model.
  if (options.text_model_path.empty()) return absl::InvalidArgumentError("training needs a text model path");
  ASSIGN_OR_RETURN(std::unique_ptr<TextTokenizer> text, TextTokenizer::Load(options.text_model_path));
  ASSIGN_OR_RETURN(Vocabulary vocab, Vocabulary::Create(text->vocab_size()));
  if (vocab.size() != options.model_vocab_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the model's vocab_size is ", options.model_vocab_size, " but the text model ", options.text_model_path,
        " (", text->vocab_size(), " text ids) gives a vocabulary of ", vocab.size(), " ids; they must be equal"));
  }

  std::unique_ptr<TrainingData> data(new TrainingData());
  std::map<std::string, std::vector<Episode>> episodes;
  if (options.datasets.empty()) return absl::InvalidArgumentError("no dataset given");
  std::map<std::string, std::string> canonical;  // one directory named twice would count its episodes twice
  for (const std::string& directory : options.datasets) {
    std::error_code error;
    const std::string key = std::filesystem::weakly_canonical(directory, error).string();
    if (!error) {
      auto [it, fresh] = canonical.emplace(key, directory);
      if (!fresh) {
        return absl::InvalidArgumentError(absl::StrCat("datasets ", it->second, " and ", directory,
                                                       " are the same directory; name it once"));
      }
    }
  }
  std::map<std::string, std::string> episode_identities;  // per task, what the fingerprint hashes
  // Per task, the first dataset that held it and its episodes' specs (a dataset's own
  // episodes share one spec per task: its manifest and loading check that).
  struct FirstSpecs {
    std::string directory;
    SpecMap observation, action;
  };
  std::map<std::string, FirstSpecs> first_specs;
  for (const std::string& directory : options.datasets) {
    absl::StatusOr<Dataset> dataset = LoadDataset(directory);
    if (!dataset.ok()) {
      return absl::Status(dataset.status().code(),
                          absl::StrCat("dataset ", directory, ": ", dataset.status().message()));
    }
    for (const std::string& warning : dataset->report.warnings) {
      data->warnings_.push_back(absl::StrCat("dataset ", directory, ": ", warning));
    }
    if (dataset->episodes.empty()) return absl::InvalidArgumentError(absl::StrCat("dataset ", directory, " is empty"));
    for (auto& [task, list] : dataset->episodes) {
      for (size_t e = 0; e < list.size(); ++e) {
        // Control episodes use one seed; scene episodes one scene seed per step from it.
        const bool scenes = absl::StartsWith(task, "scenes/");
        const uint64_t last_seed = list[e].seed + (scenes && !list[e].steps.empty() ? list[e].steps.size() - 1 : 0);
        if (last_seed >= kFirstEvalSeed || last_seed < list[e].seed) {
          return absl::InvalidArgumentError(absl::StrCat(
              "dataset ", directory, ": ", task, " episode ", e, " has seed ", list[e].seed,
              scenes ? absl::StrCat(" (scenes up to ", last_seed, ")") : "", ", in the held-out evaluation range (>= ",
              kFirstEvalSeed, "); training on it would leak the evaluation suites' episodes"));
        }
      }
      // Two datasets of one task with other specs (scenes of two --size values, say):
      // named here, with both directories, rather than by the sampler's episode numbers.
      if (!list.empty()) {
        auto [first, fresh] =
            first_specs.emplace(task, FirstSpecs{directory, list[0].observation_spec, list[0].action_spec});
        if (!fresh) {
          std::string difference = SpecsDiffer("observation", first->second.observation, first->second.directory,
                                               list[0].observation_spec, directory);
          if (difference.empty()) {
            difference = SpecsDiffer("action", first->second.action, first->second.directory, list[0].action_spec,
                                     directory);
          }
          if (!difference.empty()) {
            return absl::InvalidArgumentError(absl::StrCat("datasets ", first->second.directory, " and ", directory,
                                                           " hold '", task, "' with different specs: ", difference,
                                                           "; one model trains on one spec per task"));
          }
        }
      }
      data->episodes_per_task_[task] += static_cast<int64_t>(list.size());
      std::vector<Episode>& all = episodes[task];
      std::string& identities = episode_identities[task];
      for (Episode& episode : list) {
        const double episode_return = episode.episode_return;
        const int64_t length = static_cast<int64_t>(episode.steps.size());
        identities.append(reinterpret_cast<const char*>(&episode.seed), sizeof(episode.seed));
        identities.append(reinterpret_cast<const char*>(&length), sizeof(length));
        identities.append(reinterpret_cast<const char*>(&episode_return), sizeof(episode_return));
        identities.append(episode.policy);
        identities.push_back('\0');
        data->task_summaries_[task].steps += length;
        all.push_back(std::move(episode));
      }
    }
  }
  for (const auto& [task, identities] : episode_identities) {
    TaskSummary& summary = data->task_summaries_[task];
    summary.episodes = data->episodes_per_task_[task];
    summary.fingerprint = absl::StrFormat("%016x", Fnv1a64(identities));
  }
  SamplerOptions sampler_options;
  sampler_options.batch_size = options.batch_size;
  sampler_options.sequence_length = options.sequence_length;
  sampler_options.task_weights = options.task_weights;
  sampler_options.weight_set_names.push_back("task_weights");
  for (size_t k = 0; k < options.task_weight_phases.size(); ++k) {
    const ScheduledTaskWeights& phase = options.task_weight_phases[k];
    if (phase.from_step < 1 || (k > 0 && phase.from_step <= options.task_weight_phases[k - 1].from_step)) {
      return absl::InvalidArgumentError(absl::StrCat("task_weight_phases[", k, "] starts at update ", phase.from_step,
                                                     "; phases start after update 0, in increasing order"));
    }
    sampler_options.later_task_weights.push_back(phase.task_weights);
    sampler_options.weight_set_names.push_back(absl::StrCat("task_weight_phases[", k, "]"));
    sampler_options.later_pack_episodes.push_back(phase.pack_episodes.value_or(options.pack_episodes));
    data->phase_starts_.push_back(phase.from_step);
  }
  sampler_options.prompt_probability = options.prompt_probability;
  sampler_options.pack_episodes = options.pack_episodes;
  // The sampler's sequence builders keep a pointer to the text tokenizer (text
  // observations): it lives as long as the sampler (see text_).
  absl::StatusOr<std::unique_ptr<Sampler>> sampler =
      Sampler::Create(std::move(episodes), vocab, text.get(), sampler_options);
  if (!sampler.ok()) {
    return absl::Status(sampler.status().code(), absl::StrCat("sampler: ", sampler.status().message()));
  }
  data->sampler_ = std::move(*sampler);
  data->text_vocabulary_size_ = vocab.text_size();
  data->text_ = std::move(text);
  return data;
}

absl::Status TrainingData::MovePhaseStarts(const std::vector<int64_t>& starts) {
  if (starts.size() != phase_starts_.size()) {
    return absl::InvalidArgumentError(absl::StrCat(starts.size(), " phase starts for ", phase_starts_.size(),
                                                   " task weight phases"));
  }
  for (size_t k = 0; k < starts.size(); ++k) {
    if (starts[k] < 1 || (k > 0 && starts[k] <= starts[k - 1])) {
      return absl::InvalidArgumentError(absl::StrCat("task_weight_phases[", k, "] would start at update ", starts[k],
                                                     "; phases start after update 0, in increasing order"));
    }
  }
  phase_starts_ = starts;
  return absl::OkStatus();
}

int TrainingData::WeightPhaseAt(int64_t step) const {
  return static_cast<int>(std::upper_bound(phase_starts_.begin(), phase_starts_.end(), step) - phase_starts_.begin());
}

absl::StatusOr<TrainingBatch> TrainingData::Next(uint64_t batch_seed, int64_t step) {
  ASSIGN_OR_RETURN(SampledBatch sampled, sampler_->Next(batch_seed, WeightPhaseAt(step)));
  TrainingBatch out;
  Batch& batch = out.batch;
  batch.batch_size = sampled.batch_size;
  batch.seq_len = sampled.seq_len;
  batch.ids = std::move(sampled.ids);
  batch.patch_index = std::move(sampled.patch_index);
  batch.local_position = std::move(sampled.local_position);
  batch.loss_mask = std::move(sampled.loss_mask);
  batch.patches = std::move(sampled.patches);
  batch.patch_row = std::move(sampled.patch_row);
  batch.patch_col = std::move(sampled.patch_col);
  out.row_task = std::move(sampled.task);
  return out;
}

const std::vector<std::string>& TrainingData::tasks() const { return sampler_->tasks(); }

}  // namespace calico
