// Running many seeded episodes of one task and policy on several threads, with progress,
// optional video of the first episode, and results that do not depend on the thread count.
#ifndef CALICO_AGENT_EPISODE_RUNNER_H_
#define CALICO_AGENT_EPISODE_RUNNER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "envs/task_registry.h"
#include "policies/policy.h"
#include "policies/rollout.h"

namespace calico {

// Makes a fresh policy for `task` whose environment is `env` (e.g. "expert", "random").
using PolicyFactory =
    std::function<absl::StatusOr<std::unique_ptr<Policy>>(const std::string& task, const Environment& env)>;

struct EpisodeRunnerOptions {
  std::string task;
  int episodes = 1;
  uint64_t first_seed = 0;  // episode i uses seed first_seed + i
  int threads = 2;
  // Non-empty: record episode 0 as an animated GIF here, frames of video_height x video_width.
  // Must end in .gif; an existing file there is replaced only if it is a GIF.
  std::string video_path;
  int video_height = 240;
  int video_width = 240;
  int video_every = 1;  // keep every n-th frame (long episodes make large files)
  // Optional hooks, called on the worker threads (so they must be thread-safe across
  // seeds): every step of every episode with the action taken after it (null on the
  // LAST step), and the end of each episode. An error stops the run.
  std::function<absl::Status(uint64_t seed, const TimeStep&, const NamedArrays* action)> on_step;
  std::function<absl::Status(uint64_t seed, const EpisodeResult&)> on_episode_end;

  absl::Status Validate() const;
};

struct EpisodeRunnerReport {
  std::vector<EpisodeResult> episodes;  // in seed order
  double mean_return = 0.0;
  double stddev_return = 0.0;
  double seconds = 0.0;
  int64_t total_steps = 0;
  // Why the video (options.video_path) could not be written after the episodes, e.g. a
  // full disk; empty if it was, or none was asked for. The results above are complete.
  std::string video_error;
};

// Fills report->total_steps, mean_return and stddev_return (sample) from
// report->episodes, which must not be empty.
void SummarizeEpisodes(EpisodeRunnerReport* report);

// Runs the episodes; `progress` (may be null) gets a line per finished episode with the
// rate and ETA. Any error from the environment, the policy or a video frame stops the run
// and is returned with the episode's seed; a video file that cannot be written at the end
// only sets report.video_error, so the episodes' results are not lost with it.
absl::StatusOr<EpisodeRunnerReport> RunEpisodes(const TaskRegistry& registry, const PolicyFactory& make_policy,
                                                const EpisodeRunnerOptions& options, std::ostream* progress);

}  // namespace calico

#endif  // CALICO_AGENT_EPISODE_RUNNER_H_
