#include "replay/inspect.h"

#include <dirent.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_io.h"
#include "base/status_macros.h"
#include "envs/array_proto.h"
#include "replay/dataset.h"
#include "replay/episode.h"
#include "replay/record_file.h"

namespace calico {

namespace {

// Equal up to the rounding of a mean merged batch by batch (DatasetWriter) against one
// summed here, and of the manifest's text form.
bool NearlyEqual(double listed, double recomputed) {
  return std::abs(listed - recomputed) <= 1e-6 * std::max(1.0, std::abs(recomputed));
}

}  // namespace

absl::StatusOr<InspectResult> InspectDataset(const std::string& directory, const TokenCounter& count_tokens) {
  if (!PathExists(directory)) return absl::NotFoundError(absl::StrCat("'", directory, "' does not exist"));
  ASSIGN_OR_RETURN(DatasetManifest manifest, ReadManifest(directory));
  InspectResult result;
  std::string& out = result.report;
  absl::StrAppend(&out, absl::StrFormat("dataset %s: %d tasks, %d shards\n\n", directory, manifest.tasks_size(),
                                        manifest.shards_size()));
  absl::StrAppend(&out, absl::StrFormat("%-34s %8s %10s %11s %10s %9s %9s %9s %17s  %s\n", "task", "episodes", "actions",
                                        "tokens", "mean", "std", "min", "max", "random / expert", "seeds"));
  for (const TaskSummary& t : manifest.tasks()) {
    const std::string refs = t.has_reference() ? absl::StrFormat("%.1f / %.1f", t.random_reference(), t.expert_reference())
                                               : std::string("-");
    const std::string seeds =
        t.has_seed_range() ? absl::StrCat(t.min_seed(), "..", t.max_seed()) : std::string("-");
    absl::StrAppend(&out, absl::StrFormat("%-34s %8d %10d %11d %10.2f %9.2f %9.2f %9.2f %17s  %s\n", t.task(),
                                          t.episodes(), t.steps(), t.tokens(), t.returns().mean(),
                                          t.returns().stddev(), t.returns().min(), t.returns().max(), refs, seeds));
  }
  absl::StrAppend(&out, "\nchecking every record:\n");
  std::vector<std::string> problems;
  std::vector<std::string> notes;  // worth knowing, not damage
  struct Totals {
    int64_t episodes = 0, actions = 0, tokens = 0;
    uint64_t min_seed = UINT64_MAX, max_seed = 0;
    double return_sum = 0, min_return = 0, max_return = 0;
  };
  std::map<std::string, Totals> found;  // per task, over its valid episodes
  bool tokens_counted = static_cast<bool>(count_tokens);
  // The manifest's specs, as training reads them; episodes must match them.
  std::map<std::string, std::pair<SpecMap, SpecMap>> specs;
  for (const TaskSummary& t : manifest.tasks()) {
    absl::StatusOr<SpecMap> obs = SpecMapFromProtos(t.observation_spec(), "observation");
    absl::StatusOr<SpecMap> act = SpecMapFromProtos(t.action_spec(), "action");
    for (const absl::Status& status : {obs.status(), act.status()}) {
      if (!status.ok()) problems.push_back(absl::StrCat("manifest, task '", t.task(), "': ", status.message()));
    }
    if (obs.ok() && act.ok()) specs[t.task()] = {*std::move(obs), *std::move(act)};
    // Figures only shown (scores use calico's own references), so not refused on loading.
    if (t.has_reference() && (!std::isfinite(t.random_reference()) || !std::isfinite(t.expert_reference()))) {
      problems.push_back(absl::StrCat("manifest, task '", t.task(), "': reference returns ", t.random_reference(),
                                      " / ", t.expert_reference(), " listed; expected finite numbers"));
    }
    if (t.tokens() < 0) {
      problems.push_back(absl::StrCat("manifest, task '", t.task(), "': ", t.tokens(), " tokens listed"));
    }
  }
  int64_t records = 0, bytes = 0;
  RecordReaderOptions options;
  options.skip_corrupt = true;
  for (const ShardInfo& shard : manifest.shards()) {
    const std::string path = absl::StrCat(directory, "/", shard.file());
    absl::StatusOr<std::unique_ptr<RecordReader>> reader = RecordReader::Open(path, options);
    if (!reader.ok()) {
      problems.push_back(std::string(reader.status().message()));
      continue;
    }
    std::string record;
    int64_t good = 0, index = 0;
    while (true) {
      const int64_t offset = (*reader)->offset();
      absl::StatusOr<bool> more = (*reader)->Next(&record);
      if (!more.ok()) {
        problems.push_back(std::string(more.status().message()));
        break;
      }
      if (!*more) break;
      absl::StatusOr<Episode> episode = ParseEpisode(record, absl::StrCat(path, " record ", index, " (offset ", offset, ")"));
      if (!episode.ok()) {
        problems.push_back(std::string(episode.status().message()));
      } else if (episode->task != shard.task()) {
        problems.push_back(absl::StrCat(path, " record ", index, ": episode of '", episode->task, "' in a shard of '",
                                        shard.task(), "'"));
      } else if (auto it = specs.find(shard.task());
                 it != specs.end() && (episode->observation_spec != it->second.first ||
                                       episode->action_spec != it->second.second)) {
        problems.push_back(absl::StrCat(path, " record ", index, ": specs differ from the manifest's for '",
                                        shard.task(), "'"));
      } else {
        ++good;
        Totals& totals = found[shard.task()];
        totals.episodes += 1;
        totals.actions += episode->length();
        totals.min_seed = std::min(totals.min_seed, episode->seed);
        totals.max_seed = std::max(totals.max_seed, episode->seed);
        totals.min_return = totals.episodes == 1 ? episode->episode_return
                                                 : std::min(totals.min_return, episode->episode_return);
        totals.max_return = totals.episodes == 1 ? episode->episode_return
                                                 : std::max(totals.max_return, episode->episode_return);
        totals.return_sum += episode->episode_return;
        if (tokens_counted) {
          absl::StatusOr<int64_t> tokens = count_tokens(*episode);
          if (tokens.ok()) {
            totals.tokens += *tokens;
          } else {
            // Without the tokenizer's view of every episode, token totals are not compared.
            problems.push_back(absl::StrCat(path, " record ", index, ": cannot count its tokens: ",
                                            tokens.status().message()));
            tokens_counted = false;
          }
        }
      }
      ++index;
    }
    const RecordReaderStats& stats = (*reader)->stats();
    records += stats.records;
    bytes += (*reader)->offset();
    if (stats.corrupt_records > 0) {
      problems.push_back(absl::StrCat(path, ": ", stats.corrupt_records, " records fail their CRC (", stats.corrupt_bytes,
                                      " bytes)"));
    }
    if (stats.torn_tail) problems.push_back((*reader)->TornTailMessage());
    if (good != shard.episodes()) {
      problems.push_back(absl::StrCat(path, ": ", good, " valid episodes; the manifest says ", shard.episodes()));
    }
    if (shard.bytes() != 0 && (*reader)->offset() != shard.bytes()) {
      problems.push_back(absl::StrCat(path, ": ", (*reader)->offset(), " bytes; the manifest says ", shard.bytes()));
    }
    absl::StrAppend(&out, absl::StrFormat("  %-48s %6d episodes %12d bytes\n", shard.file(), good, (*reader)->offset()));
  }
  // The per-task totals the sampler and the report read.
  for (const TaskSummary& t : manifest.tasks()) {
    const Totals& totals = found[t.task()];
    if (totals.episodes != t.episodes() || totals.actions != t.steps()) {
      problems.push_back(absl::StrCat("manifest, task '", t.task(), "': ", t.episodes(), " episodes and ", t.steps(),
                                      " actions listed; the shards hold ", totals.episodes, " and ", totals.actions,
                                      " valid ones"));
    } else if (t.has_seed_range() && t.episodes() > 0 &&
               (totals.min_seed != t.min_seed() || totals.max_seed != t.max_seed())) {
      problems.push_back(absl::StrCat("manifest, task '", t.task(), "': episode seeds ", t.min_seed(), "..",
                                      t.max_seed(), " listed; the shards hold seeds ", totals.min_seed, "..",
                                      totals.max_seed));
    } else if (const double mean = totals.episodes > 0 ? totals.return_sum / totals.episodes : 0.0;
               t.has_returns() && t.episodes() > 0 &&
               (!NearlyEqual(t.returns().mean(), mean) || !NearlyEqual(t.returns().min(), totals.min_return) ||
                !NearlyEqual(t.returns().max(), totals.max_return))) {
      // The figures `inspect`, the filter's messages and a later append's statistics read.
      problems.push_back(absl::StrFormat(
          "manifest, task '%s': returns mean %.6g, min %.6g, max %.6g listed; its episodes' are %.6g, %.6g, %.6g",
          t.task(), t.returns().mean(), t.returns().min(), t.returns().max(), mean, totals.min_return,
          totals.max_return));
    } else if (tokens_counted && t.tokens() != 0 && totals.tokens != t.tokens()) {
      // Not damage: the totals were counted with the text model collect or scenes had, and
      // another model splits text into other pieces.
      notes.push_back(absl::StrCat("task '", t.task(), "': the manifest lists ", t.tokens(),
                                   " tokens; with this text model its episodes tokenize to ", totals.tokens,
                                   " (the manifest counted with the model its writer was given; an edited "
                                   "manifest also shows here)"));
    }
  }
  std::set<std::string> listed;
  for (const ShardInfo& shard : manifest.shards()) listed.insert(shard.file());
  if (DIR* dir = ::opendir(directory.c_str())) {
    while (struct dirent* entry = ::readdir(dir)) {
      const std::string name = entry->d_name;
      const size_t n = std::strlen(kPartialSuffix);
      if (name.size() > n && name.compare(name.size() - n, n, kPartialSuffix) == 0) {
        // Not damage: what a killed writer left; the manifest never listed it, and
        // loading skips it.
        notes.push_back(absl::StrCat(directory, "/", name,
                                     ": unfinished shard of a writer that is still running or did not finish "
                                     "(not listed, not loaded; once no writer runs, delete it to tidy up)"));
      } else if (absl::StartsWith(name, "shard-") && listed.count(name) == 0) {
        problems.push_back(absl::StrCat(directory, "/", name, ": a shard the manifest does not list (not loaded)"));
      }
    }
    ::closedir(dir);
  }
  for (const std::string& n : notes) absl::StrAppend(&out, "  note: ", n, "\n");
  for (const std::string& p : problems) absl::StrAppend(&out, "  problem: ", p, "\n");
  result.clean = problems.empty();
  absl::StrAppend(&out, absl::StrFormat("\n%s: %d records, %d bytes, %d problems\n", result.clean ? "OK" : "DAMAGED",
                                        records, bytes, problems.size()));
  return result;
}

}  // namespace calico
