#include "replay/dataset.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "base/file_io.h"
#include "base/status_macros.h"
#include "base/text_proto.h"
#include "envs/array_proto.h"
#include "google/protobuf/text_format.h"

namespace calico {
namespace {

std::string JoinPath(const std::string& dir, const std::string& file) { return absl::StrCat(dir, "/", file); }

bool IsDirectory(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

bool Exists(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0;
}

absl::StatusOr<SpecMap> Specs(const google::protobuf::RepeatedPtrField<ArraySpecProto>& protos, const char* role,
                              const std::string& where) {
  absl::StatusOr<SpecMap> specs = SpecMapFromProtos(protos, role);
  if (!specs.ok()) return absl::Status(specs.status().code(), absl::StrCat(where, ": ", specs.status().message()));
  return specs;
}

// What differs between the `role` specs a dataset task has and those of a new episode:
// the first key missing on either side, or the first key whose spec differs.
std::string SpecDifference(absl::string_view role, const SpecMap& dataset, const SpecMap& episode) {
  for (const auto& [key, spec] : dataset) {
    auto it = episode.find(key);
    if (it == episode.end()) return absl::StrCat(role, " '", key, "' is missing from the episode");
    if (it->second == spec) continue;
    if (it->second.dtype == spec.dtype && it->second.shape == spec.shape) {
      return absl::StrCat(role, " '", key, "' differs from the dataset's in its bounds or name");
    }
    return absl::StrCat(role, " '", key, "' is ", DescribeSpec(it->second), "; the dataset's is ", DescribeSpec(spec));
  }
  for (const auto& [key, spec] : episode) {
    if (dataset.count(key) == 0) return absl::StrCat(role, " '", key, "' is not in the dataset's specs");
  }
  return absl::StrCat(role, " specs differ");
}

// Running count, mean and sum of squared deviations (Chan et al.'s parallel merge).
struct Moments {
  double n = 0, mean = 0, m2 = 0, min = 0, max = 0;
  void Merge(const Moments& o) {
    if (o.n == 0) return;
    if (n == 0) {
      *this = o;
      return;
    }
    const double total = n + o.n, delta = o.mean - mean;
    m2 += o.m2 + delta * delta * n * o.n / total;
    mean += delta * o.n / total;
    min = std::min(min, o.min);
    max = std::max(max, o.max);
    n = total;
  }
};

Moments FromValues(const std::vector<double>& values) {
  Moments m;
  for (double v : values) {
    Moments one{1, v, 0, v, v};
    m.Merge(one);
  }
  return m;
}

// The moments of the `n` episodes a manifest summarised before this writer added more.
Moments FromSummary(const ReturnStats& r, int64_t n) {
  if (n <= 0) return Moments{};
  return Moments{static_cast<double>(n), r.mean(), r.stddev() * r.stddev() * static_cast<double>(n - 1), r.min(), r.max()};
}

}  // namespace

// ---------------------------------------------------------------------------- writer

absl::Status DatasetWriterOptions::Validate() const {
  if (directory.empty()) return absl::InvalidArgumentError("no dataset directory given");
  if (max_shard_bytes < 1) return absl::InvalidArgumentError("max_shard_bytes must be positive");
  if (min_return_fraction.has_value() && !(*min_return_fraction > 0.0 && *min_return_fraction <= 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_return_fraction is ", *min_return_fraction, "; expected a fraction in (0, 1]"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<DatasetWriter>> DatasetWriter::Open(DatasetWriterOptions options) {
  RETURN_IF_ERROR(options.Validate());
  if (Exists(options.directory) && !IsDirectory(options.directory)) {
    return absl::InvalidArgumentError(absl::StrCat("'", options.directory, "' exists and is not a directory"));
  }
  // A training run's directory (LATEST points at its checkpoint; agent/train.h) is not a
  // dataset: shards written there would mix with the checkpoints.
  if (Exists(JoinPath(options.directory, "LATEST"))) {
    return absl::FailedPreconditionError(absl::StrCat(
        "'", options.directory, "' holds a training run (LATEST); write the dataset to a directory of its own"));
  }
  RETURN_IF_ERROR(MakeDirectories(options.directory));
  // Locked before the manifest is read, so what this writer reads is what it replaces.
  absl::StatusOr<FileLock> lock = FileLock::Acquire(JoinPath(options.directory, kDatasetLockFile));
  if (!lock.ok()) {
    if (!absl::IsUnavailable(lock.status())) return lock.status();
    return absl::UnavailableError(absl::StrCat("dataset '", options.directory,
                                               "' is being written by another calico (collect or scenes; ",
                                               lock.status().message(), "); wait for it to finish"));
  }
  std::unique_ptr<DatasetWriter> writer(new DatasetWriter(options, *std::move(lock)));
  absl::MutexLock mutex_lock(&writer->mu_);
  if (Exists(JoinPath(options.directory, kManifestFile))) {
    if (!options.append) {
      return absl::AlreadyExistsError(absl::StrCat("'", options.directory,
                                                   "' already holds a dataset; append to it or choose another directory"));
    }
    ASSIGN_OR_RETURN(writer->manifest_, ReadManifest(options.directory));
    // Episodes appended to a damaged dataset could never be loaded with it: say so before
    // the collection, not when training refuses the result. (Sizes only: reading every
    // record is `calico inspect`'s job.)
    for (const ShardInfo& shard : writer->manifest_.shards()) {
      const std::string path = JoinPath(options.directory, shard.file());
      struct stat info;
      std::string problem;
      if (::stat(path.c_str(), &info) != 0) {
        problem = errno == ENOENT ? "is missing" : absl::StrCat("cannot be read (", std::strerror(errno), ")");
      } else if (!S_ISREG(info.st_mode)) {
        problem = "is not a file";
      } else if (shard.bytes() != 0 && info.st_size != shard.bytes()) {
        problem = absl::StrCat("is ", info.st_size, " bytes, the manifest says ", shard.bytes());
      }
      if (!problem.empty()) {
        return absl::DataLossError(absl::StrCat("dataset '", options.directory, "' is damaged: its shard ", shard.file(),
                                                " ", problem, "; appending would add to a dataset that cannot be "
                                                "loaded (`calico inspect ", options.directory, "` lists its problems; "
                                                "new episodes can go to a directory of their own)"));
      }
    }
    writer->next_shard_ = writer->manifest_.shards_size();
    writer->had_manifest_ = true;
  } else {
    // Shards without a manifest: a collect that was killed. Writing here would mix them
    // up with the new ones (and a name clash would stop the run later).
    if (DIR* dir = ::opendir(options.directory.c_str())) {
      std::string stray;
      while (struct dirent* entry = ::readdir(dir)) {
        const std::string name = entry->d_name;
        if (absl::StartsWith(name, "shard-") && stray.empty()) stray = name;
      }
      ::closedir(dir);
      if (!stray.empty()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "'", options.directory, "' holds shard files (", stray, ") but no ", kManifestFile,
            ": a collect or scenes run that did not finish? Move them away or choose another directory"));
      }
    }
    writer->manifest_.set_magic(kManifestMagic);
    writer->manifest_.set_version(kManifestVersion);
  }
  return writer;
}

DatasetWriter::~DatasetWriter() = default;

int64_t DatasetWriter::filtered_out() const {
  absl::MutexLock lock(&mu_);
  return filtered_out_;
}

int64_t DatasetWriter::added() const {
  absl::MutexLock lock(&mu_);
  return added_;
}

absl::Status DatasetWriter::FinishShard(OpenShard& shard) {
  // A shard whose only write failed holds nothing; listing it would name a task the
  // manifest may not summarise.
  if (shard.info.episodes() == 0) return shard.writer->Discard();
  RETURN_IF_ERROR(shard.writer->Finish());
  shard.info.set_bytes(shard.writer->bytes());
  *manifest_.add_shards() = shard.info;
  return absl::OkStatus();
}

absl::StatusOr<bool> DatasetWriter::Add(const Episode& episode) {
  if (options_.min_return_fraction.has_value()) {
    auto ref = options_.references.find(episode.task);
    if (ref == options_.references.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("task '", episode.task, "' has no expert reference return, which the return filter needs"));
    }
    if (episode.episode_return < *options_.min_return_fraction * ref->second.expert_mean) {
      absl::MutexLock lock(&mu_);
      ++filtered_out_;
      return false;
    }
  }
  ASSIGN_OR_RETURN(std::string bytes, SerializeEpisode(episode));
  int64_t tokens = 0;
  if (options_.count_tokens) {
    ASSIGN_OR_RETURN(tokens, options_.count_tokens(episode));
  }

  absl::MutexLock lock(&mu_);
  if (closed_) return absl::FailedPreconditionError("the dataset writer is closed");
  TaskSummary* summary = nullptr;
  for (TaskSummary& s : *manifest_.mutable_tasks()) {
    if (s.task() == episode.task) summary = &s;
  }
  // A new task's summary joins the manifest only once its first episode is written.
  TaskSummary fresh;
  if (summary == nullptr) {
    fresh.set_task(episode.task);
    fresh.set_has_seed_range(true);
    fresh.set_min_seed(episode.seed);
    fresh.set_max_seed(episode.seed);
    for (const auto& [key, spec] : episode.observation_spec) *fresh.add_observation_spec() = SpecToProto(spec);
    for (const auto& [key, spec] : episode.action_spec) *fresh.add_action_spec() = SpecToProto(spec);
  } else {
    const std::string where = absl::StrCat("dataset task '", episode.task, "'");
    ASSIGN_OR_RETURN(SpecMap obs, Specs(summary->observation_spec(), "observation", where));
    ASSIGN_OR_RETURN(SpecMap act, Specs(summary->action_spec(), "action", where));
    if (obs != episode.observation_spec || act != episode.action_spec) {
      return absl::InvalidArgumentError(absl::StrCat(
          "episode of '", episode.task, "' does not fit the dataset's specs for that task: ",
          obs != episode.observation_spec ? SpecDifference("observation", obs, episode.observation_spec)
                                          : SpecDifference("action", act, episode.action_spec)));
    }
  }
  auto it = open_.find(episode.task);
  if (it == open_.end()) {
    // Past any file a killed append left behind (unlisted, so never loaded).
    std::string file;
    do {
      file = absl::StrFormat("shard-%05d-%s.tfrecord", next_shard_++, absl::StrReplaceAll(episode.task, {{"/", "_"}}));
    } while (Exists(JoinPath(options_.directory, file)) || Exists(JoinPath(options_.directory, file + kPartialSuffix)));
    ASSIGN_OR_RETURN(std::unique_ptr<RecordWriter> record_writer,
                     RecordWriter::Create(JoinPath(options_.directory, file)));
    OpenShard shard;
    shard.writer = std::move(record_writer);
    shard.info.set_file(file);
    shard.info.set_task(episode.task);
    it = open_.emplace(episode.task, std::move(shard)).first;
  }
  RETURN_IF_ERROR(it->second.writer->Write(bytes));
  if (summary == nullptr) {
    summary = manifest_.add_tasks();
    *summary = std::move(fresh);
  }
  it->second.info.set_episodes(it->second.info.episodes() + 1);
  // A task summarised before seeds were recorded keeps none: its old seeds are unknown.
  if (summary->has_seed_range()) {
    summary->set_min_seed(std::min<uint64_t>(summary->min_seed(), episode.seed));
    summary->set_max_seed(std::max<uint64_t>(summary->max_seed(), episode.seed));
  }
  summary->set_episodes(summary->episodes() + 1);
  summary->set_steps(summary->steps() + episode.length());
  summary->set_tokens(summary->tokens() + tokens);
  returns_[episode.task].push_back(episode.episode_return);
  ++added_;
  if (it->second.writer->bytes() >= options_.max_shard_bytes) {
    RETURN_IF_ERROR(FinishShard(it->second));
    open_.erase(it);
  }
  return true;
}

absl::Status DatasetWriter::Close() {
  absl::MutexLock lock(&mu_);
  if (closed_) return absl::FailedPreconditionError("the dataset writer is already closed");
  closed_ = true;
  for (auto& [task, shard] : open_) RETURN_IF_ERROR(FinishShard(shard));
  open_.clear();
  if (!had_manifest_ && manifest_.tasks_size() == 0) return absl::OkStatus();  // nothing to describe
  for (TaskSummary& summary : *manifest_.mutable_tasks()) {
    const std::vector<double>& added = returns_[summary.task()];
    // episodes() already counts the added episodes; returns() describes only the old ones.
    Moments old = FromSummary(summary.returns(), summary.episodes() - static_cast<int64_t>(added.size()));
    old.Merge(FromValues(added));
    ReturnStats* stats = summary.mutable_returns();
    stats->set_mean(old.mean);
    stats->set_stddev(old.n > 1 ? std::sqrt(old.m2 / (old.n - 1)) : 0.0);
    stats->set_min(old.min);
    stats->set_max(old.max);
    auto ref = options_.references.find(summary.task());
    if (ref != options_.references.end()) {
      summary.set_has_reference(true);
      summary.set_random_reference(ref->second.random_mean);
      summary.set_expert_reference(ref->second.expert_mean);
    }
  }
  std::string text;
  if (!google::protobuf::TextFormat::PrintToString(manifest_, &text)) return absl::InternalError("cannot print the manifest");
  return WriteFileAtomically(JoinPath(options_.directory, kManifestFile),
                             absl::StrCat("# calico dataset manifest (written by calico; do not edit)\n", text));
}

// ---------------------------------------------------------------------------- reading

absl::StatusOr<DatasetManifest> ReadManifest(const std::string& directory) {
  // A file named where a dataset directory belongs (its manifest, say) would otherwise
  // be reported as ".../MANIFEST.textproto/MANIFEST.textproto: Not a directory".
  if (struct stat info; ::stat(directory.c_str(), &info) == 0 && !S_ISDIR(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat("'", directory, "' is a file, not a dataset directory (a calico "
                                                   "dataset is a directory holding ", kManifestFile, ")"));
  }
  const std::string path = JoinPath(directory, kManifestFile);
  // A manifest lists shards and tasks, kilobytes; the cap keeps a wrong file from
  // filling memory before it fails to parse.
  absl::StatusOr<std::string> text = ReadFile(path, int64_t{64} << 20);
  if (!text.ok()) {
    if (absl::IsNotFound(text.status())) {
      return absl::NotFoundError(absl::StrCat("'", directory, "' is not a calico dataset: no ", kManifestFile));
    }
    return text.status();
  }
  DatasetManifest manifest;
  absl::Status parsed = ParseTextProto(*text, &manifest);
  if (!parsed.ok()) return absl::DataLossError(absl::StrCat(path, ": not a valid manifest: ", parsed.message()));
  if (manifest.magic() != kManifestMagic) {
    return absl::DataLossError(absl::StrCat(path, ": magic is '", manifest.magic(), "'; expected '", kManifestMagic, "'"));
  }
  if (manifest.version() != kManifestVersion) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": manifest version ", manifest.version(),
                                                   "; this calico reads version ", kManifestVersion));
  }
  std::map<std::string, int64_t> shard_episodes;
  std::set<std::string> files;
  for (const ShardInfo& shard : manifest.shards()) {
    if (shard.file().empty() || shard.file().find('/') != std::string::npos || !files.insert(shard.file()).second) {
      return absl::DataLossError(absl::StrCat(path, ": shard file name '", shard.file(), "' is empty, has a '/' or repeats"));
    }
    if (shard.episodes() < 0 || shard.bytes() < 0) {
      return absl::DataLossError(absl::StrCat(path, ": shard '", shard.file(), "' lists ", shard.episodes(),
                                              " episodes and ", shard.bytes(), " bytes; counts cannot be negative"));
    }
    shard_episodes[shard.task()] += shard.episodes();
  }
  std::set<std::string> tasks;
  for (const TaskSummary& summary : manifest.tasks()) {
    if (!tasks.insert(summary.task()).second) {
      return absl::DataLossError(absl::StrCat(path, ": task '", summary.task(), "' is summarised twice"));
    }
    if (summary.has_seed_range() && summary.min_seed() > summary.max_seed()) {
      return absl::DataLossError(absl::StrCat(path, ": task '", summary.task(), "' has min_seed ", summary.min_seed(),
                                              " above max_seed ", summary.max_seed()));
    }
    if (shard_episodes[summary.task()] != summary.episodes()) {
      return absl::DataLossError(absl::StrCat(path, ": task '", summary.task(), "' lists ", summary.episodes(),
                                              " episodes but its shards hold ", shard_episodes[summary.task()]));
    }
  }
  for (const auto& [task, count] : shard_episodes) {
    if (tasks.count(task) == 0) {
      return absl::DataLossError(absl::StrCat(path, ": a shard holds task '", task, "', which has no summary"));
    }
  }
  return manifest;
}

std::optional<std::pair<uint64_t, uint64_t>> RecordedSeedRange(const DatasetManifest& manifest,
                                                              const std::string& task) {
  for (const TaskSummary& summary : manifest.tasks()) {
    if (summary.task() == task && summary.has_seed_range() && summary.episodes() > 0) {
      return std::make_pair(summary.min_seed(), summary.max_seed());
    }
  }
  return std::nullopt;
}

absl::StatusOr<Dataset> LoadDataset(const std::string& directory, const LoadOptions& options) {
  Dataset dataset;
  ASSIGN_OR_RETURN(dataset.manifest, ReadManifest(directory));
  std::map<std::string, std::pair<SpecMap, SpecMap>> specs;
  for (const TaskSummary& summary : dataset.manifest.tasks()) {
    const std::string where = absl::StrCat(directory, ": task '", summary.task(), "'");
    ASSIGN_OR_RETURN(SpecMap obs, Specs(summary.observation_spec(), "observation", where));
    ASSIGN_OR_RETURN(SpecMap act, Specs(summary.action_spec(), "action", where));
    specs[summary.task()] = {std::move(obs), std::move(act)};
  }
  for (const ShardInfo& shard : dataset.manifest.shards()) {
    const std::string path = JoinPath(directory, shard.file());
    ASSIGN_OR_RETURN(std::unique_ptr<RecordReader> reader, RecordReader::Open(path, options.records));
    std::string record;
    int64_t index = 0;
    while (true) {
      const int64_t offset = reader->offset();
      ASSIGN_OR_RETURN(bool more, reader->Next(&record));
      if (!more) break;
      ASSIGN_OR_RETURN(Episode episode,
                       ParseEpisode(record, absl::StrCat(path, " record ", index, " (offset ", offset, ")")));
      if (episode.task != shard.task()) {
        return absl::DataLossError(absl::StrCat(path, " record ", index, ": episode of '", episode.task,
                                                "' in a shard of '", shard.task(), "'"));
      }
      const auto& [obs, act] = specs[shard.task()];
      if (episode.observation_spec != obs || episode.action_spec != act) {
        return absl::DataLossError(absl::StrCat(path, " record ", index, ": specs differ from the manifest's for '",
                                                shard.task(), "'"));
      }
      dataset.episodes[shard.task()].push_back(std::move(episode));
      ++index;
    }
    const RecordReaderStats& stats = reader->stats();
    dataset.report.records += stats.records;
    dataset.report.bytes += reader->offset();
    dataset.report.corrupt_records += stats.corrupt_records;
    if (stats.torn_tail) dataset.report.warnings.push_back(reader->TornTailMessage());
    if (stats.corrupt_records > 0) {
      dataset.report.warnings.push_back(absl::StrCat(path, ": skipped ", stats.corrupt_records, " corrupt records (",
                                                     stats.corrupt_bytes, " bytes)"));
    }
    if (index != shard.episodes() && stats.corrupt_records == 0) {
      return absl::DataLossError(absl::StrCat(path, ": holds ", index, " episodes; the manifest says ", shard.episodes(),
                                              stats.torn_tail ? " (the file is truncated)" : ""));
    }
  }
  if (DIR* dir = ::opendir(directory.c_str())) {
    while (struct dirent* entry = ::readdir(dir)) {
      const std::string name = entry->d_name;
      if (name.size() > std::strlen(kPartialSuffix) &&
          name.compare(name.size() - std::strlen(kPartialSuffix), std::string::npos, kPartialSuffix) == 0) {
        dataset.report.warnings.push_back(
            absl::StrCat(JoinPath(directory, name), ": unfinished shard (its writer did not finish); not loaded"));
      }
    }
    ::closedir(dir);
  }
  int64_t total = 0;
  for (auto& [task, episodes] : dataset.episodes) {
    std::sort(episodes.begin(), episodes.end(), [](const Episode& a, const Episode& b) {
      return std::tie(a.policy, a.seed) < std::tie(b.policy, b.seed);
    });
    total += static_cast<int64_t>(episodes.size());
  }
  if (total == 0) return absl::FailedPreconditionError(absl::StrCat("dataset '", directory, "' holds no episodes"));
  return dataset;
}

}  // namespace calico
