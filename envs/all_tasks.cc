#include "envs/all_tasks.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "envs/arcade/arcade_tasks.h"
#include "envs/mujoco/mujoco_env.h"

// Generated from the families' reference_returns.txt files by the genrule in envs/BUILD.
extern const char kCalicoReferenceReturnsText[];

namespace calico {
namespace {

constexpr char kPixelsSuffix[] = "_pixels";

}  // namespace

const TaskRegistry& AllTasks() {
  static const TaskRegistry* registry = [] {
    auto* r = new TaskRegistry();
    for (absl::Status status : {RegisterMujocoTasks(r), RegisterArcadeTasks(r)}) {
      if (!status.ok()) {  // a programming error in calico's own task tables
        std::fprintf(stderr, "calico: task registration failed: %s\n", std::string(status.message()).c_str());
        std::abort();
      }
    }
    return r;
  }();
  return *registry;
}

const ReferenceTable& BuiltinReferenceReturns() {
  static const ReferenceTable* table = [] {
    absl::StatusOr<ReferenceTable> parsed = ParseReferenceReturns(kCalicoReferenceReturnsText, "envs/*/reference_returns.txt");
    if (!parsed.ok()) {  // the committed file is checked by a test
      std::fprintf(stderr, "calico: %s\n", std::string(parsed.status().message()).c_str());
      std::abort();
    }
    return new ReferenceTable(std::move(*parsed));
  }();
  return *table;
}

std::string StateTaskName(const std::string& task) {
  if (absl::EndsWith(task, kPixelsSuffix)) return task.substr(0, task.size() - (sizeof(kPixelsSuffix) - 1));
  return task;
}

absl::StatusOr<ReferenceReturns> ReferencesFor(const std::string& task) {
  const ReferenceTable& table = BuiltinReferenceReturns();
  auto it = table.find(task);
  if (it == table.end()) it = table.find(StateTaskName(task));
  if (it == table.end()) return absl::NotFoundError(absl::StrCat("no reference returns are stored for '", task, "'"));
  return it->second;
}

}  // namespace calico
