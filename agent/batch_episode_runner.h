// Running many seeded episodes of one task with a BatchPolicy: up to `batch` environments
// step in lockstep, and the policy answers all of them with one call per step (one
// decode batch for a transformer). Same options, report and progress as RunEpisodes.
#ifndef CALICO_AGENT_BATCH_EPISODE_RUNNER_H_
#define CALICO_AGENT_BATCH_EPISODE_RUNNER_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "agent/episode_runner.h"
#include "envs/environment.h"
#include "envs/task_registry.h"
#include "policies/batch_policy.h"

namespace calico {

// Makes a BatchPolicy with `num_envs` slots for `task`, whose environments look like `env`.
using BatchPolicyFactory = std::function<absl::StatusOr<std::unique_ptr<BatchPolicy>>(
    const std::string& task, const Environment& env, int num_envs)>;

// Runs options.episodes episodes (episode i with seed first_seed + i) on
// min(batch, episodes) environment slots: when a slot's episode ends, the slot starts the
// next unstarted episode. options.threads workers step the environments between policy
// calls. Episode i's result does not depend on `threads`, nor on `batch` as long as the
// policy acts per slot exactly as it would alone (BatchPolicy's contract; a transformer's
// batched matmuls may round otherwise than one row's, README "Batch size and rounding"). options.on_step gets the
// action the policy records for the step (BatchPolicy::RecordedAction; by default the one
// executed). Errors (an environment, the
// policy, a hook or a video frame) stop the run and name the task and the episode's seed;
// a video file that cannot be written at the end only sets report.video_error.
absl::StatusOr<EpisodeRunnerReport> RunEpisodesBatched(const TaskRegistry& registry,
                                                       const BatchPolicyFactory& make_policy, int batch,
                                                       const EpisodeRunnerOptions& options, std::ostream* progress);

}  // namespace calico

#endif  // CALICO_AGENT_BATCH_EPISODE_RUNNER_H_
