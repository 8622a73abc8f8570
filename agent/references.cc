#include "agent/references.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"

namespace calico {

absl::StatusOr<ReferenceTable> MeasureReferences(const TaskRegistry& registry, const PolicyFactory& random,
                                                 const PolicyFactory& expert, const ReferenceOptions& options,
                                                 std::ostream* progress) {
  if (options.tasks.empty()) return absl::InvalidArgumentError("no task to measure");
  ReferenceTable table;
  for (const std::string& task : options.tasks) {
    EpisodeRunnerOptions run;
    run.task = task;
    run.episodes = options.episodes;
    run.threads = options.threads;
    ASSIGN_OR_RETURN(EpisodeRunnerReport low, RunEpisodes(registry, random, run, nullptr));
    ASSIGN_OR_RETURN(EpisodeRunnerReport high, RunEpisodes(registry, expert, run, nullptr));
    if (progress != nullptr) {
      *progress << absl::StrFormat("%-36s random %9.2f +- %-8.2f expert %9.2f +- %-8.2f (%d episodes, %.1f s)\n", task,
                                   low.mean_return, low.stddev_return, high.mean_return, high.stddev_return,
                                   options.episodes, low.seconds + high.seconds);
      progress->flush();
    }
    if (high.mean_return <= low.mean_return) {
      return absl::FailedPreconditionError(absl::StrCat("the expert of '", task, "' (", high.mean_return,
                                                        ") does not beat the random policy (", low.mean_return, ")"));
    }
    table[task] = ReferenceReturns{low.mean_return, high.mean_return, options.episodes};
  }
  return table;
}

}  // namespace calico
