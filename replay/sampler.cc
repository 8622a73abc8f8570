#include "replay/sampler.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace calico {

namespace {
// " (<set's name>)" after a message about weight set `set`; nothing for an unnamed set 0,
// which is just "the task weights".
std::string WeightSetSuffix(const SamplerOptions& options, size_t set) {
  if (set == 0 && options.weight_set_names.empty()) return "";
  return absl::StrCat(" (", options.WeightSetName(set), ")");
}
}  // namespace

absl::Status SamplerOptions::Validate() const {
  if (batch_size < 1) return absl::InvalidArgumentError(absl::StrCat("batch size is ", batch_size, "; expected >= 1"));
  if (sequence_length < 2) {
    return absl::InvalidArgumentError(absl::StrCat("sequence length is ", sequence_length, "; expected >= 2"));
  }
  auto probability = [](double p, const char* name) -> absl::Status {
    if (!(p >= 0.0 && p <= 1.0)) return absl::InvalidArgumentError(absl::StrCat(name, " is ", p, "; expected [0, 1]"));
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(probability(prompt_probability, "prompt_probability"));
  RETURN_IF_ERROR(probability(prompt_end_probability, "prompt_end_probability"));
  if (!(prompt_max_fraction > 0.0 && prompt_max_fraction < 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat("prompt_max_fraction is ", prompt_max_fraction, "; expected (0, 1)"));
  }
  if (!later_pack_episodes.empty() && later_pack_episodes.size() != later_task_weights.size()) {
    return absl::InvalidArgumentError(absl::StrCat("later_pack_episodes has ", later_pack_episodes.size(),
                                                   " entries for ", later_task_weights.size(),
                                                   " later weight sets; expected none or one per set"));
  }
  if (!weight_set_names.empty() && weight_set_names.size() != later_task_weights.size() + 1) {
    return absl::InvalidArgumentError(absl::StrCat("weight_set_names has ", weight_set_names.size(), " names for ",
                                                   later_task_weights.size() + 1,
                                                   " weight sets; expected none or one per set"));
  }
  for (size_t set = 0; set <= later_task_weights.size(); ++set) {
    for (const auto& [task, weight] : set == 0 ? task_weights : later_task_weights[set - 1]) {
      if (!(weight >= 0.0) || weight > 1e12) {
        return absl::InvalidArgumentError(absl::StrCat("weight of task '", task, "' is ", weight, "; expected >= 0",
                                                       WeightSetSuffix(*this, set)));
      }
    }
  }
  return absl::OkStatus();
}

std::string SamplerOptions::WeightSetName(size_t set) const {
  return set < weight_set_names.size() ? weight_set_names[set] : absl::StrCat("weight set ", set);
}

absl::StatusOr<std::unique_ptr<Sampler>> Sampler::Create(std::map<std::string, std::vector<Episode>> episodes,
                                                         const Vocabulary& vocab, const TextTokenizer* text,
                                                         SamplerOptions options) {
  RETURN_IF_ERROR(options.Validate());
  std::vector<const std::map<std::string, double>*> sets = {&options.task_weights};
  for (const auto& later : options.later_task_weights) sets.push_back(&later);
  for (size_t set = 0; set < sets.size(); ++set) {
    for (const auto& [task, weight] : *sets[set]) {
      if (episodes.count(task) == 0) {
        std::string known;
        for (const auto& [name, list] : episodes) absl::StrAppend(&known, known.empty() ? "" : ", ", name);
        return absl::InvalidArgumentError(absl::StrCat("a weight is given for task '", task, "'",
                                                       WeightSetSuffix(options, set),
                                                       ", which the data does not hold; it holds: ", known));
      }
    }
  }
  // A task's weight in one set (empty: every task equally; unnamed: 0).
  auto weight_in = [](const std::map<std::string, double>& set, const std::string& name) {
    if (set.empty()) return 1.0;
    auto it = set.find(name);
    return it == set.end() ? 0.0 : it->second;
  };
  std::unique_ptr<Sampler> sampler(new Sampler(vocab, options));
  // Every timestep must fit the row beside the largest prompt; without prompts, the row.
  const int64_t main_budget =
      options.prompt_probability > 0.0
          ? options.sequence_length - static_cast<int64_t>(options.sequence_length * options.prompt_max_fraction)
          : options.sequence_length;
  TokenStream scratch;
  for (auto& [name, list] : episodes) {
    // Loaded if any set can pick it.
    double weight = 0.0;
    for (const auto* set : sets) weight = std::max(weight, weight_in(*set, name));
    if (weight == 0.0) continue;
    if (list.empty()) return absl::InvalidArgumentError(absl::StrCat("task '", name, "' has no episodes"));
    TaskData task;
    task.name = name;
    SequenceBuilderOptions builder_options;
    builder_options.observation_spec = list[0].observation_spec;
    builder_options.action_spec = list[0].action_spec;
    ASSIGN_OR_RETURN(SequenceBuilder builder, SequenceBuilder::Create(builder_options, vocab, text));
    task.builder = std::make_unique<SequenceBuilder>(std::move(builder));
    for (size_t e = 0; e < list.size(); ++e) {
      const Episode& episode = list[e];
      if (episode.observation_spec != list[0].observation_spec || episode.action_spec != list[0].action_spec) {
        return absl::InvalidArgumentError(
            absl::StrCat("task '", name, "': episode ", e, " has specs that differ from episode 0's"));
      }
      std::vector<int32_t> counts;
      for (size_t t = 0; t < episode.steps.size(); ++t) {
        // A timestep's token count does not depend on the ones before it, so one scratch
        // stream, emptied each time, serves: memory stays at one timestep's patches
        // instead of the whole episode's (a 9,000-step 80x80 episode holds 690 MB of them).
        scratch.Clear();
        absl::Status status = task.builder->AppendTimestep(episode.steps[t], nullptr, &scratch);
        if (!status.ok()) {
          return absl::Status(status.code(), absl::StrCat("task '", name, "' episode ", e, " (seed ", episode.seed,
                                                          ") timestep ", t, ": ", status.message()));
        }
        const int64_t n = scratch.num_positions();
        if (n > main_budget) {
          return absl::InvalidArgumentError(absl::StrCat(
              "task '", name, "': a timestep has ", n, " tokens, more than the ", main_budget,
              " a row keeps for the episode (sequence length ", options.sequence_length,
              options.prompt_probability > 0.0 ? " minus the prompt's share)" : ")"));
        }
        counts.push_back(static_cast<int32_t>(n));
      }
      task.step_tokens.push_back(std::move(counts));
    }
    task.episodes = std::move(list);
    sampler->task_names_.push_back(name);
    sampler->tasks_.push_back(std::move(task));
  }
  if (sampler->tasks_.empty()) return absl::InvalidArgumentError("no task has episodes and a positive weight");
  // Zero-weight tasks of a set repeat the running sum before them, so the pick (strictly
  // below the total, first sum above it) never lands on them.
  for (size_t set = 0; set < sets.size(); ++set) {
    std::vector<double> cumulative;
    double total = 0.0;
    for (const std::string& name : sampler->task_names_) cumulative.push_back(total += weight_in(*sets[set], name));
    if (!(total > 0.0)) {
      return absl::InvalidArgumentError(
          absl::StrCat(options.WeightSetName(set), " gives no task with episodes a positive weight"));
    }
    sampler->cumulative_weights_.push_back(std::move(cumulative));
  }
  return sampler;
}

int64_t Sampler::RunEnd(const TaskData& task, int64_t episode, int64_t first, int64_t budget) const {
  const std::vector<int32_t>& counts = task.step_tokens[episode];
  int64_t end = first, used = 0;
  while (end < static_cast<int64_t>(counts.size()) && used + counts[end] <= budget) used += counts[end++];
  return end;
}

absl::Status Sampler::Tokenize(const TaskData& task, int64_t episode, int64_t first, int64_t end, TokenStream* stream) {
  for (int64_t t = first; t < end; ++t) {
    RETURN_IF_ERROR(task.builder->AppendTimestep(task.episodes[episode].steps[t], &rng_, stream));
  }
  return absl::OkStatus();
}

absl::Status Sampler::SampleRow(int64_t row, SampledBatch* batch) {
  const int64_t L = options_.sequence_length;
  const std::vector<double>& cumulative = cumulative_weights_[weight_set_];
  const double pick = rng_.Uniform() * cumulative.back();
  const int64_t task_index = std::upper_bound(cumulative.begin(), cumulative.end(), pick) - cumulative.begin();
  const TaskData& task = tasks_[std::min<int64_t>(task_index, tasks_.size() - 1)];
  const int64_t num_episodes = static_cast<int64_t>(task.episodes.size());
  const int64_t episode = rng_.UniformInt(0, num_episodes);

  TokenStream prompt;
  bool from_end = false;
  if (num_episodes > 1 && rng_.Uniform() < options_.prompt_probability) {
    // Another episode: draw among the other num_episodes - 1.
    int64_t other = rng_.UniformInt(0, num_episodes - 1);
    if (other >= episode) ++other;
    const int64_t budget = static_cast<int64_t>(L * options_.prompt_max_fraction);
    const std::vector<int32_t>& counts = task.step_tokens[other];
    const int64_t steps = static_cast<int64_t>(counts.size());
    from_end = rng_.Uniform() < options_.prompt_end_probability;
    int64_t first, end;
    if (from_end) {
      end = steps;
      first = steps;
      int64_t used = 0;
      while (first > 0 && used + counts[first - 1] <= budget) used += counts[--first];
    } else {
      first = rng_.UniformInt(0, steps);
      end = RunEnd(task, other, first, budget);
    }
    RETURN_IF_ERROR(Tokenize(task, other, first, end, &prompt));
    if (prompt.num_positions() == 0) from_end = false;
  }
  const int64_t steps = static_cast<int64_t>(task.step_tokens[episode].size());
  // A control episode's last timestep has no action, so a run starting there has no
  // target: a wasted row, and a batch of only such rows could not be trained on.
  const bool last_has_target = task.episodes[episode].action_spec.empty() || steps == 1;
  const int64_t first = rng_.UniformInt(0, last_has_target ? steps : steps - 1);
  const int64_t end = RunEnd(task, episode, first, L - prompt.num_positions());
  TokenStream window;
  RETURN_IF_ERROR(Tokenize(task, episode, first, end, &window));
  // Whole further episodes of the task, each from its first timestep, while they fit.
  std::vector<TokenStream> packed;
  const bool pack = weight_set_ == 0 || options_.later_pack_episodes.empty()
                        ? options_.pack_episodes
                        : options_.later_pack_episodes[weight_set_ - 1];
  if (pack && end == steps) {
    int64_t room = L - prompt.num_positions() - window.num_positions();
    while (room > 0) {
      const int64_t next = rng_.UniformInt(0, num_episodes);
      const int64_t next_end = RunEnd(task, next, 0, room);
      if (next_end == 0) break;
      TokenStream more;
      RETURN_IF_ERROR(Tokenize(task, next, 0, next_end, &more));
      room -= more.num_positions();
      packed.push_back(std::move(more));
      if (next_end < static_cast<int64_t>(task.step_tokens[next].size())) break;  // the row is full
    }
  }

  const int64_t base = row * L;
  int64_t p = 0;
  auto copy = [&](const TokenStream& s, bool is_prompt) {
    const int32_t patch_offset = static_cast<int32_t>(batch->patch_row.size());
    for (int64_t i = 0; i < s.num_positions(); ++i, ++p) {
      batch->ids[base + p] = s.ids[i];
      batch->patch_index[base + p] = s.patch_index[i] >= 0 ? s.patch_index[i] + patch_offset : -1;
      batch->local_position[base + p] = s.local_position[i];
      batch->loss_mask[base + p] = (is_prompt || p == 0) ? 0 : s.loss_mask[i];
    }
    batch->patches.insert(batch->patches.end(), s.patches.begin(), s.patches.end());
    for (const PatchPosition& pos : s.patch_positions) {
      batch->patch_row.push_back(pos.row_index);
      batch->patch_col.push_back(pos.col_index);
    }
  };
  copy(prompt, true);
  copy(window, false);
  for (const TokenStream& more : packed) copy(more, false);
  batch->packed_episodes[row] = static_cast<int32_t>(packed.size());
  batch->task[row] = static_cast<int32_t>(&task - tasks_.data());
  batch->prompt_length[row] = static_cast<int32_t>(prompt.num_positions());
  batch->prompt_from_end[row] = from_end ? 1 : 0;
  batch->length[row] = static_cast<int32_t>(p);
  return absl::OkStatus();
}

absl::StatusOr<SampledBatch> Sampler::Next(uint64_t batch_seed) { return Next(batch_seed, 0); }

absl::StatusOr<SampledBatch> Sampler::Next(uint64_t batch_seed, int weight_set) {
  if (weight_set < 0 || weight_set >= num_weight_sets()) {
    return absl::InvalidArgumentError(
        absl::StrCat("weight set ", weight_set, " does not exist; the sampler has ", num_weight_sets()));
  }
  rng_ = Rng(batch_seed);
  weight_set_ = weight_set;
  absl::StatusOr<SampledBatch> batch = Next();
  weight_set_ = 0;
  return batch;
}

absl::StatusOr<SampledBatch> Sampler::Next() {
  const int64_t B = options_.batch_size, L = options_.sequence_length;
  SampledBatch batch;
  batch.batch_size = B;
  batch.seq_len = L;
  batch.ids.assign(B * L, vocab_.pad_id());
  batch.patch_index.assign(B * L, -1);
  batch.local_position.assign(B * L, -1);
  batch.loss_mask.assign(B * L, 0);
  batch.task.assign(B, -1);
  batch.prompt_length.assign(B, 0);
  batch.prompt_from_end.assign(B, 0);
  batch.length.assign(B, 0);
  batch.packed_episodes.assign(B, 0);
  for (int64_t row = 0; row < B; ++row) RETURN_IF_ERROR(SampleRow(row, &batch));
  return batch;
}

PrefetchingSampler::PrefetchingSampler(std::unique_ptr<Sampler> sampler, int capacity)
    : sampler_(std::move(sampler)), capacity_(std::max(1, capacity)), thread_([this] { Run(); }) {}

PrefetchingSampler::~PrefetchingSampler() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void PrefetchingSampler::Run() {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [this] { return stop_ || static_cast<int>(ready_.size()) < capacity_; });
      if (stop_) return;
    }
    absl::StatusOr<SampledBatch> batch = sampler_->Next();  // outside the lock: the slow part
    const bool failed = !batch.ok();
    {
      std::lock_guard<std::mutex> lock(mu_);
      ready_.push_back(std::move(batch));
    }
    changed_.notify_all();
    if (failed) return;  // the error is delivered; nothing after it would be valid
  }
}

absl::StatusOr<SampledBatch> PrefetchingSampler::Next() {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [this] { return !ready_.empty(); });
  // An error stays at the front, so every later call reports it too.
  if (!ready_.front().ok()) return ready_.front().status();
  absl::StatusOr<SampledBatch> batch = std::move(ready_.front());
  ready_.pop_front();
  lock.unlock();
  changed_.notify_all();
  return batch;
}

}  // namespace calico
