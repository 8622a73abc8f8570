// TaskRegistry: every task calico knows, by name ("mujoco/cartpole_swingup",
// "arcade/breakout"), with a factory that makes a fresh Environment.
#ifndef CALICO_ENVS_TASK_REGISTRY_H_
#define CALICO_ENVS_TASK_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "envs/environment.h"

namespace calico {

// What a person needs to know about a task before running it.
struct TaskInfo {
  std::string name;         // "family/task", e.g. "mujoco/cartpole_swingup"
  std::string description;  // one line
  int64_t episode_steps = 0;  // agent steps in a full episode (time limit)
};

using EnvironmentFactory = std::function<absl::StatusOr<std::unique_ptr<Environment>>()>;

// Immutable once built, so thread-safe for lookups; Make returns independent instances.
class TaskRegistry {
 public:
  // Adds a task; a duplicate or malformed name ("family/task" expected) is an error.
  absl::Status Register(TaskInfo info, EnvironmentFactory factory);

  // A new environment for `name`; NotFound lists the known tasks.
  absl::StatusOr<std::unique_ptr<Environment>> Make(const std::string& name) const;

  // Info for `name`; NotFound lists the known tasks.
  absl::StatusOr<TaskInfo> Info(const std::string& name) const;

  // Every task, sorted by name.
  std::vector<TaskInfo> List() const;

 private:
  struct Entry {
    TaskInfo info;
    EnvironmentFactory factory;
  };
  absl::Status NotFound(const std::string& name) const;

  std::map<std::string, Entry> tasks_;
};

}  // namespace calico

#endif  // CALICO_ENVS_TASK_REGISTRY_H_
