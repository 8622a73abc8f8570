#include "envs/task_registry.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace calico {

absl::Status TaskRegistry::Register(TaskInfo info, EnvironmentFactory factory) {
  const size_t slash = info.name.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == info.name.size() ||
      info.name.find('/', slash + 1) != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("task name '", info.name, "' must look like 'family/task'"));
  }
  if (tasks_.count(info.name) > 0) {
    return absl::AlreadyExistsError(absl::StrCat("task '", info.name, "' is registered twice"));
  }
  std::string name = info.name;
  tasks_.emplace(std::move(name), Entry{std::move(info), std::move(factory)});
  return absl::OkStatus();
}

absl::Status TaskRegistry::NotFound(const std::string& name) const {
  std::vector<std::string> names;
  for (const auto& [task, entry] : tasks_) names.push_back(task);
  return absl::NotFoundError(absl::StrCat("unknown task '", name, "'; known tasks: ", absl::StrJoin(names, ", ")));
}

absl::StatusOr<std::unique_ptr<Environment>> TaskRegistry::Make(const std::string& name) const {
  auto it = tasks_.find(name);
  if (it == tasks_.end()) return NotFound(name);
  return it->second.factory();
}

absl::StatusOr<TaskInfo> TaskRegistry::Info(const std::string& name) const {
  auto it = tasks_.find(name);
  if (it == tasks_.end()) return NotFound(name);
  return it->second.info;
}

std::vector<TaskInfo> TaskRegistry::List() const {
  std::vector<TaskInfo> infos;
  for (const auto& [name, entry] : tasks_) infos.push_back(entry.info);
  return infos;
}

}  // namespace calico
