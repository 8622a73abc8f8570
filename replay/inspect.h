// `calico inspect`: a dataset's manifest figures per task, plus a check of every record.
#ifndef CALICO_REPLAY_INSPECT_H_
#define CALICO_REPLAY_INSPECT_H_

#include <string>

#include "absl/status/statusor.h"
#include "replay/dataset.h"

namespace calico {

struct InspectResult {
  std::string report;  // human-readable, ends with a one-line verdict
  bool clean = false;  // every record read and parsed, counts matched the manifest
};

// Reads the manifest of `directory` (an error if there is none or it is invalid), then
// reads every record of every shard, skipping and counting damaged ones instead of
// stopping, so one report lists every problem: CRC mismatches, torn tails, records that
// are not valid episodes, episodes of the wrong task, counts that differ from the
// manifest, and unfinished ".partial" shards. With `count_tokens` (the counter collect
// used), each task's token total is recounted too; manifests that list 0 tokens (written
// without a counter) are not compared, and a total that differs is a note, not damage
// (another text model tokenizes text differently).
absl::StatusOr<InspectResult> InspectDataset(const std::string& directory, const TokenCounter& count_tokens = nullptr);

}  // namespace calico

#endif  // CALICO_REPLAY_INSPECT_H_
