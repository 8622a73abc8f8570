// A dataset's episodes of a task calico registers must have that task's specs: episodes
// written under a task's name with other observations or actions (an older calico's
// data, a renamed task) would train a model that then acts in the task on inputs it
// never saw, without any error.
#ifndef CALICO_AGENT_DATASET_SPECS_H_
#define CALICO_AGENT_DATASET_SPECS_H_

#include <set>
#include <string>

#include "absl/status/status.h"
#include "envs/task_registry.h"
#include "replay/dataset.pb.h"

namespace calico {

// Checks every task of `manifest` (the dataset at `directory`) that `registry` knows,
// and that `only` holds when given (the tasks a run samples), against a fresh
// environment of that task; tasks it does not know (scene tasks, a user's own) are not
// checked. FailedPrecondition names the dataset, the task and the first spec that
// differs.
absl::Status CheckDatasetSpecsMatchTasks(const TaskRegistry& registry, const DatasetManifest& manifest,
                                         const std::string& directory,
                                         const std::set<std::string>* only = nullptr);

}  // namespace calico

#endif  // CALICO_AGENT_DATASET_SPECS_H_
