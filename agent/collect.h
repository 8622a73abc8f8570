// `calico collect`: runs a policy on tasks and stores its episodes in a dataset.
#ifndef CALICO_AGENT_COLLECT_H_
#define CALICO_AGENT_COLLECT_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/batch_episode_runner.h"
#include "agent/episode_runner.h"
#include "envs/reference_returns.h"
#include "envs/task_registry.h"
#include "replay/dataset.h"

namespace calico {

struct CollectOptions {
  std::vector<std::string> tasks;
  std::string policy_name = "expert";  // recorded in each episode's metadata
  int episodes = 10;                   // per task
  uint64_t first_seed = 0;             // episode i of a task uses seed first_seed + i
  int threads = 2;
  std::string directory;
  bool append = false;
  std::optional<double> min_return_fraction;  // Gato's filter
  // > 0: the environments execute a perturbed copy of each action while the episodes
  // record the policy's own actions (envs/action_noise.h; DART). Recorded episodes then
  // name the policy "<policy_name>+noise<scale>".
  double action_noise = 0.0;
  // Set: DAgger. The environments execute the actions of the policy this makes (the
  // learner, e.g. a trained checkpoint) while the episodes record the collected policy's
  // actions as labels (agent/dagger_environment.h). Recorded episodes then name the
  // policy "<policy_name>+dagger(<learner_name>)", and the returns printed are the
  // learner's. Not together with action_noise or min_return_fraction.
  PolicyFactory learner;
  // Set instead of `learner`: the same DAgger with the learner acting in up to `batch`
  // environments of a task at once (agent/batch_episode_runner.h; one decode batch per
  // step for a transformer) and one labelling policy per environment
  // (DaggerBatchPolicy). Episode i is the one `learner` gives with the same learner
  // acting alone, as far as the learner acts per slot exactly as alone (a transformer's
  // batched matmuls may round otherwise; --batch=1 matches one at a time).
  BatchPolicyFactory batch_learner;
  int batch = 16;
  std::string learner_name = "learner";
  ReferenceTable references;
  TokenCounter count_tokens;
  // When it becomes true (e.g. from InstallStopSignalHandlers), no further steps run, the
  // episodes in flight are dropped and the finished ones are written with the manifest.
  const std::atomic<bool>* stop = nullptr;

  absl::Status Validate() const;
};

struct CollectReport {
  int64_t episodes_kept = 0;
  int64_t episodes_filtered = 0;
  int64_t steps = 0;  // actions in the episodes kept (those the filter dropped not counted)
  double seconds = 0.0;
  bool stopped = false;  // ended by the stop flag: some tasks or episodes were not collected
};

// For each task, runs `episodes` seeded episodes of the policy `make_policy` makes (on
// `threads` threads) and adds them to the dataset in `directory`, then writes its
// manifest. Errors before any episode runs: an unknown task, a dataset already there
// without `append`, the filter without a reference for a task. A stop request (`stop`)
// ends it early with the finished episodes written and `stopped` set. An error once
// episodes run (a failed write, a policy that fails mid-episode) still writes the
// manifest for the episodes stored before it, and the error says how many.
absl::StatusOr<CollectReport> Collect(const TaskRegistry& registry, const PolicyFactory& make_policy,
                                      const CollectOptions& options, std::ostream* progress);

}  // namespace calico

#endif  // CALICO_AGENT_COLLECT_H_
