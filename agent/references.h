// Measuring reference returns: each task's random and expert policies over the same
// seeded episodes (the 0% and 100% of every score).
#ifndef CALICO_AGENT_REFERENCES_H_
#define CALICO_AGENT_REFERENCES_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/episode_runner.h"
#include "envs/reference_returns.h"
#include "envs/task_registry.h"

namespace calico {

struct ReferenceOptions {
  std::vector<std::string> tasks;  // measured in this order
  int episodes = 50;               // seeds 0 .. episodes-1, the same for both policies
  int threads = 2;
};

// Runs `random` and `expert` on every task; errors if an expert does not beat random
// (such a task could not be scored).
absl::StatusOr<ReferenceTable> MeasureReferences(const TaskRegistry& registry, const PolicyFactory& random,
                                                 const PolicyFactory& expert, const ReferenceOptions& options,
                                                 std::ostream* progress);

}  // namespace calico

#endif  // CALICO_AGENT_REFERENCES_H_
