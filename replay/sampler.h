// The mixed-task sampler: training batches of fixed shape [B, L] cut from stored
// episodes, with Gato's prompt conditioning (DESIGN.md "The token stream").
//
// Each row: pick a task by weight, an episode of it uniformly, and with probability
// prompt_probability a prompt from ANOTHER episode of the same task (half the time its
// last timesteps, half the time a run starting at a uniform timestep) taking at most
// prompt_max_fraction of the row, carrying no loss. The rest of the row is a run of whole
// timesteps starting at a uniform timestep of the chosen episode. Rows shorter than L are
// padded with the pad id (no loss, no local position).
//
// Packing (pack_episodes, off by default): when a row's run reaches its episode's end and
// room is left, further episodes of the same task (uniform, with replacement) follow it
// from their first timestep, as many whole timesteps as fit, until the next one does not
// (Gato-style concatenation). There is no attention mask between the packed episodes:
// later ones can attend to earlier ones, as prompts do. Short episodes (vision-language,
// about 160 positions) then fill a 1024-position row instead of padding it. Draws come from
// the same seeded stream, so Next(batch_seed) stays a function of its seed.
#ifndef CALICO_REPLAY_SAMPLER_H_
#define CALICO_REPLAY_SAMPLER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/random.h"
#include "replay/episode.h"
#include "tokenizers/sequence_builder.h"
#include "tokenizers/text/text_tokenizer.h"
#include "tokenizers/vocabulary.h"

namespace calico {

struct SamplerOptions {
  int64_t batch_size = 16;         // B
  int64_t sequence_length = 1024;  // L
  // Relative sampling weight per task; empty = every task equally. Tasks not named get
  // weight 0. Naming a task the data does not hold is an error.
  std::map<std::string, double> task_weights;
  // Further weight sets, for a schedule of task weights (a curriculum): Next(seed, k)
  // draws with set k, where set 0 is task_weights and set k >= 1 is
  // later_task_weights[k - 1], each read as task_weights is (empty: every task equally).
  // Every task with a positive weight in any set is loaded, so tasks() holds their union.
  std::vector<std::map<std::string, double>> later_task_weights;
  // Packing per later set: empty (every set packs as pack_episodes says) or one entry
  // per later_task_weights entry, for set k >= 1 (set 0 follows pack_episodes).
  std::vector<bool> later_pack_episodes;
  // What error messages call each weight set: empty ("weight set k") or one name per
  // set, 1 + later_task_weights.size() of them (a trainer passes its config's field
  // names, so a message points at the line to fix).
  std::vector<std::string> weight_set_names;
  double prompt_probability = 0.25;
  double prompt_end_probability = 0.5;  // of prompted rows: prompt from the episode's end
  double prompt_max_fraction = 0.5;     // the prompt takes at most this share of L
  uint64_t seed = 0;
  bool pack_episodes = false;  // see the header comment; weight set 0's (see later_pack_episodes)

  absl::Status Validate() const;
  // How messages name weight set `set`: weight_set_names[set], or "weight set <set>".
  std::string WeightSetName(size_t set) const;
};

// One batch, ready for the model: the field names and layouts are those of model/'s
// Batch. Plain value type.
struct SampledBatch {
  int64_t batch_size = 0;  // B
  int64_t seq_len = 0;     // L
  // Per position, each [B, L] row-major:
  std::vector<int32_t> ids;             // token id; -1 at image positions; pad id at padding
  std::vector<int32_t> patch_index;     // row of `patches` at image positions; -1 elsewhere
  std::vector<int32_t> local_position;  // observation token index, -1 for none
  std::vector<uint8_t> loss_mask;       // 1: ids[b, t] is a text/action target predicted from t - 1
  // Per patch (shared by the whole batch):
  std::vector<float> patches;      // [num_patches, 768]
  std::vector<int32_t> patch_row;  // [num_patches] row position bucket, drawn in its interval
  std::vector<int32_t> patch_col;  // [num_patches] column position bucket
  // Per row, [B]: what was sampled (for per-task metrics and tests).
  std::vector<int32_t> task;              // index into Sampler::tasks()
  std::vector<int32_t> prompt_length;     // positions of prompt at the row's start (0: none)
  std::vector<uint8_t> prompt_from_end;   // 1 if the prompt was the episode's end
  std::vector<int32_t> length;            // positions before padding
  std::vector<int32_t> packed_episodes;   // episodes packed after the row's first (pack_episodes)

  int64_t num_patches() const { return static_cast<int64_t>(patch_row.size()); }
};

// Draws batches deterministically from the seed. Not thread-safe (use PrefetchingSampler
// to draw on a background thread).
class Sampler {
 public:
  // `episodes` by task (e.g. LoadDataset(...).episodes, merged over datasets). Every task
  // with positive weight needs at least one episode, and each of its timesteps must fit
  // in L. `text` may be null when no observation is text.
  static absl::StatusOr<std::unique_ptr<Sampler>> Create(std::map<std::string, std::vector<Episode>> episodes,
                                                        const Vocabulary& vocab, const TextTokenizer* text,
                                                        SamplerOptions options);

  // The next batch of B rows from the sampler's running random stream (weight set 0).
  // Errors only where a row cannot be built from the data (an observation the
  // tokenizers refuse).
  absl::StatusOr<SampledBatch> Next();

  // The batch Next() draws after the random stream is restarted from `batch_seed`: a
  // function of the data, the options and `batch_seed` only, not of earlier draws. A
  // trainer that seeds batch i from (run seed, i) can resume at any step without
  // replaying the batches before it.
  absl::StatusOr<SampledBatch> Next(uint64_t batch_seed);

  // As Next(batch_seed), with the tasks picked by weight set `weight_set` (0:
  // task_weights, k >= 1: later_task_weights[k - 1]) and rows packed as that set says
  // (later_pack_episodes). Only the task picks and the packing depend on the set: a batch
  // of set k is drawn as a sampler with only that set's weights and packing would draw
  // it. An out-of-range set is an error.
  absl::StatusOr<SampledBatch> Next(uint64_t batch_seed, int weight_set);

  // The number of weight sets: 1 + later_task_weights.size().
  int num_weight_sets() const { return static_cast<int>(cumulative_weights_.size()); }

  // Tasks in index order (SampledBatch::task indexes this).
  const std::vector<std::string>& tasks() const { return task_names_; }

 private:
  struct TaskData {
    std::string name;
    std::vector<Episode> episodes;
    std::vector<std::vector<int32_t>> step_tokens;  // [episode][timestep] positions each
    std::unique_ptr<SequenceBuilder> builder;
  };

  Sampler(const Vocabulary& vocab, SamplerOptions options) : vocab_(vocab), options_(std::move(options)), rng_(options_.seed) {}
  // Appends the whole timesteps [first, end) of `episode` to `stream`.
  absl::Status Tokenize(const TaskData& task, int64_t episode, int64_t first, int64_t end, TokenStream* stream);
  // The last timestep index (exclusive) of the run starting at `first` that fits `budget`.
  int64_t RunEnd(const TaskData& task, int64_t episode, int64_t first, int64_t budget) const;
  absl::Status SampleRow(int64_t row, SampledBatch* batch);

  Vocabulary vocab_;
  SamplerOptions options_;
  Rng rng_;
  std::vector<TaskData> tasks_;
  std::vector<std::string> task_names_;
  // For picking a task, per weight set: [set][task] the running sum of the set's weights.
  std::vector<std::vector<double>> cumulative_weights_;
  int weight_set_ = 0;  // the set Next() picks tasks with (and packs as)
};

// Runs a Sampler on a background thread, keeping up to `capacity` batches ready, so the
// trainer never waits on data while memory stays bounded. Thread-safe. The sequence of
// batches is the Sampler's own, so it is as deterministic as the Sampler.
class PrefetchingSampler {
 public:
  PrefetchingSampler(std::unique_ptr<Sampler> sampler, int capacity);
  ~PrefetchingSampler();

  // The next batch (blocks until one is ready); the sampler's error, if it failed.
  absl::StatusOr<SampledBatch> Next();

 private:
  void Run();

  std::unique_ptr<Sampler> sampler_;
  const int capacity_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<absl::StatusOr<SampledBatch>> ready_;  // guarded by mu_
  bool stop_ = false;                               // guarded by mu_
  std::thread thread_;
};

}  // namespace calico

#endif  // CALICO_REPLAY_SAMPLER_H_
