// TrainingData: the episodes of a training run (several datasets merged by task) and the
// mixed-task sampler over them, handing out model/ Batches.
//
// Its interface has model/ and std types only, so the training loop (agent/train.cc)
// depends on the data side without seeing replay or tokenizer types.
#ifndef CALICO_AGENT_TRAIN_DATA_H_
#define CALICO_AGENT_TRAIN_DATA_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "model/batch.h"

namespace calico {

class Sampler;
class TextTokenizer;

// Task weights that take over from update `from_step` on (TrainConfig.task_weight_phases).
struct ScheduledTaskWeights {
  int64_t from_step = 0;
  std::map<std::string, double> task_weights;  // empty: every task equally
  // Packs rows in this phase as TrainingDataOptions::pack_episodes does; unset: as that
  // option says.
  std::optional<bool> pack_episodes;
};

struct TrainingDataOptions {
  std::vector<std::string> datasets;           // directories, at least one
  std::map<std::string, double> task_weights;  // empty: every task equally
  // Later weights, in increasing from_step: update i draws with the last phase whose
  // from_step <= i, or task_weights before the first.
  std::vector<ScheduledTaskWeights> task_weight_phases;
  int64_t batch_size = 8;
  int64_t sequence_length = 1024;
  double prompt_probability = 0.25;
  bool pack_episodes = false;  // SamplerOptions::pack_episodes, before the first phase and in phases that do not say
  std::string text_model_path;  // fixes the vocabulary
  // The model's vocab_size: checked against the vocabulary before any dataset loads.
  int32_t model_vocab_size = 0;
};

// One batch and, per row, the index into TrainingData::tasks() it was drawn from.
struct TrainingBatch {
  Batch batch;
  std::vector<int32_t> row_task;  // [B]
};

// Not thread-safe: one caller at a time (the trainer draws batch i + 1 on a helper
// thread while batch i trains, never two draws at once).
class TrainingData {
 public:
  // Loads the text model, checks the vocabulary size against options.model_vocab_size,
  // then loads every dataset and builds the sampler. Errors name the file, dataset or
  // task: an unreadable text model, a vocabulary mismatch, a missing, corrupt or empty
  // dataset, a weighted task no dataset holds, a timestep longer than a row allows, an
  // episode whose seeds reach the held-out evaluation range (>= kFirstEvalSeed: for a
  // scene episode, seed + steps - 1, one scene per step), which would leak the suites'
  // evaluation episodes into training.
  static absl::StatusOr<std::unique_ptr<TrainingData>> Load(const TrainingDataOptions& options);
  ~TrainingData();

  // The batch of update `step` drawn from `batch_seed`, with the task weights in force at
  // that update (a function of the data, options, seed and step only).
  absl::StatusOr<TrainingBatch> Next(uint64_t batch_seed, int64_t step);

  // The index of the weights in force at update `step`: 0 for task_weights, k for
  // task_weight_phases[k - 1].
  int WeightPhaseAt(int64_t step) const;

  // The update each phase starts at (TrainingDataOptions::task_weight_phases' from_step,
  // unless moved below), in order.
  const std::vector<int64_t>& phase_starts() const { return phase_starts_; }

  // Moves the phases to start at `starts` (one per phase, >= 1, increasing), as a
  // schedule fitted to a time budget does. Batches drawn after the call use them; no
  // draw may be in flight (see the class comment).
  absl::Status MovePhaseStarts(const std::vector<int64_t>& starts);

  // Ids below this are text tokens (the rest of the targets are action tokens).
  int32_t text_vocabulary_size() const { return text_vocabulary_size_; }
  // Sampled tasks in index order (TrainingBatch::row_task indexes this).
  const std::vector<std::string>& tasks() const;
  // Episodes loaded per task (over all datasets, weighted or not).
  const std::map<std::string, int64_t>& episodes_per_task() const { return episodes_per_task_; }
  // What each task's data holds (every loaded task, weighted or not), to tell a resume
  // on other data from one on the same.
  struct TaskSummary {
    int64_t episodes = 0;
    int64_t steps = 0;        // timesteps over all episodes
    std::string fingerprint;  // 16 hex digits: FNV-1a 64 of each episode's seed, length,
                              // return and policy, in load order (the sampler's order)
  };
  const std::map<std::string, TaskSummary>& task_summaries() const { return task_summaries_; }
  // What loading skipped (torn shard tails, corrupt records, unfinished shards), one
  // line each naming the file; the data loaded without them.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  TrainingData() = default;
  // Declared first so it outlives the sampler, whose sequence builders point at it.
  std::unique_ptr<TextTokenizer> text_;
  std::unique_ptr<Sampler> sampler_;
  std::vector<int64_t> phase_starts_;  // task_weight_phases' from_step, in order
  std::map<std::string, int64_t> episodes_per_task_;
  std::map<std::string, TaskSummary> task_summaries_;
  std::vector<std::string> warnings_;
  int32_t text_vocabulary_size_ = 0;
};

}  // namespace calico

#endif  // CALICO_AGENT_TRAIN_DATA_H_
