#include "agent/dataset_specs.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "envs/array_proto.h"
#include "envs/environment.h"

namespace calico {
namespace {

// The first difference between a dataset's `role` specs and the task's; empty if none.
std::string Difference(const char* role, const SpecMap& dataset, const SpecMap& task) {
  for (const auto& [key, spec] : task) {
    auto it = dataset.find(key);
    if (it == dataset.end()) return absl::StrCat(role, " '", key, "' is missing from the dataset");
    if (it->second == spec) continue;
    if (it->second.dtype == spec.dtype && it->second.shape == spec.shape) {
      return absl::StrCat(role, " '", key, "' has other bounds in the dataset than in the task");
    }
    return absl::StrCat(role, " '", key, "' is ", DescribeSpec(it->second), " in the dataset, ", DescribeSpec(spec),
                        " in the task");
  }
  for (const auto& [key, spec] : dataset) {
    if (task.count(key) == 0) return absl::StrCat(role, " '", key, "' is in the dataset but not in the task");
  }
  return "";
}

}  // namespace

absl::Status CheckDatasetSpecsMatchTasks(const TaskRegistry& registry, const DatasetManifest& manifest,
                                         const std::string& directory, const std::set<std::string>* only) {
  for (const TaskSummary& summary : manifest.tasks()) {
    if (!registry.Info(summary.task()).ok()) continue;
    if (only != nullptr && only->count(summary.task()) == 0) continue;
    const std::string where = absl::StrCat("dataset '", directory, "', task '", summary.task(), "'");
    auto in_context = [&where](const absl::Status& status) {
      return absl::Status(status.code(), absl::StrCat(where, ": ", status.message()));
    };
    absl::StatusOr<std::unique_ptr<Environment>> env = registry.Make(summary.task());
    if (!env.ok()) return in_context(env.status());
    absl::StatusOr<SpecMap> observations = SpecMapFromProtos(summary.observation_spec(), "observation");
    if (!observations.ok()) return in_context(observations.status());
    absl::StatusOr<SpecMap> actions = SpecMapFromProtos(summary.action_spec(), "action");
    if (!actions.ok()) return in_context(actions.status());
    std::string difference = Difference("observation", *observations, (*env)->observation_spec());
    if (difference.empty()) difference = Difference("action", *actions, (*env)->action_spec());
    if (!difference.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "dataset '", directory, "': its episodes of '", summary.task(), "' do not fit that task (", difference,
          "); they were written for other specs (an older calico?): collect them again"));
    }
  }
  return absl::OkStatus();
}

}  // namespace calico
