// Datasets: a directory of record shards (one task per shard) plus MANIFEST.textproto.
// DatasetWriter adds episodes (creating or appending to a dataset); LoadDataset reads
// one back, checking every record against the manifest.
#ifndef CALICO_REPLAY_DATASET_H_
#define CALICO_REPLAY_DATASET_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "base/file_lock.h"
#include "envs/reference_returns.h"
#include "replay/dataset.pb.h"
#include "replay/episode.h"
#include "replay/record_file.h"

namespace calico {

inline constexpr char kManifestFile[] = "MANIFEST.textproto";
inline constexpr char kManifestMagic[] = "calico-dataset";
inline constexpr uint32_t kManifestVersion = 1;
// The file a DatasetWriter holds a lock on while it writes (base/file_lock.h), so two
// writers never add to one dataset at once: the second manifest would drop the first
// writer's shards.
inline constexpr char kDatasetLockFile[] = "writer.lock";

// Counts the token-stream positions of an episode (for the manifest's figures).
using TokenCounter = std::function<absl::StatusOr<int64_t>(const Episode&)>;

struct DatasetWriterOptions {
  std::string directory;
  // false: the directory must not hold a dataset yet. true: add to the one there (specs
  // of a task already present must match).
  bool append = false;
  // A shard is finished and a new one started once it holds this many bytes.
  int64_t max_shard_bytes = int64_t{256} << 20;
  // Gato's filter: when set, episodes of a task whose return is below
  // min_return_fraction * that task's expert reference are dropped (and counted).
  std::optional<double> min_return_fraction;
  ReferenceTable references;  // needed for the filter; also copied into the manifest
  TokenCounter count_tokens;  // optional; tokens are reported as 0 without it

  absl::Status Validate() const;
};

// Thread-safe: many collectors may add episodes at once. One writer per directory at a
// time, across processes (kDatasetLockFile).
class DatasetWriter {
 public:
  // Errors: invalid options, a path that is not a directory, a dataset already there
  // without `append` (or a bad one with it), shards left without a manifest, and
  // Unavailable when another writer (another process) is adding to the directory.
  static absl::StatusOr<std::unique_ptr<DatasetWriter>> Open(DatasetWriterOptions options);
  ~DatasetWriter();

  // Validates and stores `episode`; false if Gato's filter dropped it. A failed write
  // leaves the episodes added before it intact (the torn record is cut off), so Close
  // can still keep them.
  absl::StatusOr<bool> Add(const Episode& episode) ABSL_LOCKS_EXCLUDED(mu_);

  // Finishes every shard and writes the manifest atomically. Without Close the shards
  // stay ".partial" and the manifest unchanged, so a crash never corrupts a dataset. A
  // new dataset that received no episode gets no manifest (the directory stays free for
  // a plain rerun); a shard that received none is deleted.
  absl::Status Close() ABSL_LOCKS_EXCLUDED(mu_);

  // Episodes stored by this writer so far (not counting those the filter dropped).
  int64_t added() const ABSL_LOCKS_EXCLUDED(mu_);

  // Episodes the writer's filter (Gato's, above) dropped so far.
  int64_t filtered_out() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct OpenShard {
    std::unique_ptr<RecordWriter> writer;
    ShardInfo info;
  };
  DatasetWriter(DatasetWriterOptions options, FileLock lock)
      : options_(std::move(options)), lock_(std::move(lock)) {}
  absl::Status FinishShard(OpenShard& shard) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const DatasetWriterOptions options_;
  const FileLock lock_;  // held until the writer is destroyed
  mutable absl::Mutex mu_;
  DatasetManifest manifest_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, OpenShard> open_ ABSL_GUARDED_BY(mu_);       // by task
  std::map<std::string, std::vector<double>> returns_ ABSL_GUARDED_BY(mu_);  // new episodes' returns
  int next_shard_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t filtered_out_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t added_ ABSL_GUARDED_BY(mu_) = 0;
  bool had_manifest_ ABSL_GUARDED_BY(mu_) = false;  // appending to an existing dataset
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

// Reads MANIFEST.textproto of `directory` and checks its magic, version and internal
// consistency (every shard's task is summarised, counts add up).
absl::StatusOr<DatasetManifest> ReadManifest(const std::string& directory);

// The smallest and largest episode seed `task` has in `manifest`; nullopt when the task
// is absent or its seeds were not recorded (TaskSummary.has_seed_range).
std::optional<std::pair<uint64_t, uint64_t>> RecordedSeedRange(const DatasetManifest& manifest,
                                                              const std::string& task);

struct LoadOptions {
  RecordReaderOptions records;  // skip_corrupt etc.
};

// What LoadDataset found besides the episodes.
struct LoadReport {
  int64_t records = 0;
  int64_t bytes = 0;
  int64_t corrupt_records = 0;        // skipped (only with records.skip_corrupt)
  std::vector<std::string> warnings;  // torn tails, unfinished .partial shards
};

// A loaded dataset: episodes grouped by task, each group sorted by (policy, seed), so the
// order never depends on how the shards were written.
struct Dataset {
  DatasetManifest manifest;
  std::map<std::string, std::vector<Episode>> episodes;  // by task
  LoadReport report;
};

// Loads every episode of the dataset in `directory`. Errors: no or bad manifest, a shard
// listed but missing, a record that is corrupt (unless skipping) or is not a valid
// episode, an episode whose task or specs differ from its shard's manifest entry, or
// episode counts that differ from the manifest. An empty dataset is an error too.
absl::StatusOr<Dataset> LoadDataset(const std::string& directory, const LoadOptions& options = {});

}  // namespace calico

#endif  // CALICO_REPLAY_DATASET_H_
