// Every task calico ships, with its stored reference returns.
#ifndef CALICO_ENVS_ALL_TASKS_H_
#define CALICO_ENVS_ALL_TASKS_H_

#include <string>

#include "absl/status/statusor.h"
#include "envs/reference_returns.h"
#include "envs/task_registry.h"

namespace calico {

// The registry of all MuJoCo and arcade tasks (built once; thread-safe).
const TaskRegistry& AllTasks();

// The committed reference returns (envs/arcade/ and envs/mujoco/reference_returns.txt,
// compiled into the binary).
// A `_pixels` task shares its state task's references (same physics, seeds and expert).
const ReferenceTable& BuiltinReferenceReturns();

// The references of `task`: NotFound if the task has none stored.
absl::StatusOr<ReferenceReturns> ReferencesFor(const std::string& task);

// "mujoco/cartpole_swingup_pixels" -> "mujoco/cartpole_swingup"; other names unchanged.
std::string StateTaskName(const std::string& task);

}  // namespace calico

#endif  // CALICO_ENVS_ALL_TASKS_H_
