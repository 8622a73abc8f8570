#include "agent/dataset_specs.h"

#include "agent/test_envs.h"
#include "base/status_matchers.h"
#include "envs/array_proto.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// A manifest entry for `task` with test/noisy's specs ("x": float32[1] in [-1, 1], as
// both observation and action).
TaskSummary NoisySummary(const std::string& task) {
  TaskSummary summary;
  summary.set_task(task);
  const ArraySpec x{"x", {1}, DType::kFloat32, {-1}, {1}};
  *summary.add_observation_spec() = SpecToProto(x);
  *summary.add_action_spec() = SpecToProto(x);
  return summary;
}

TEST(DatasetSpecsTest, EpisodesWithTheTasksSpecsPass) {
  DatasetManifest manifest;
  *manifest.add_tasks() = NoisySummary("test/noisy");
  *manifest.add_tasks() = NoisySummary("mine/unregistered");  // not calico's: not checked
  EXPECT_OK(CheckDatasetSpecsMatchTasks(test_envs::Registry(), manifest, "d"));
}

TEST(DatasetSpecsTest, EpisodesWithOtherSpecsAreRefusedNamingTheDifference) {
  const TaskRegistry registry = test_envs::Registry();
  DatasetManifest manifest;
  TaskSummary* summary = manifest.add_tasks();
  *summary = NoisySummary("test/noisy");
  summary->mutable_observation_spec(0)->clear_shape();
  summary->mutable_observation_spec(0)->add_shape(3);
  summary->mutable_observation_spec(0)->clear_minimum();
  summary->mutable_observation_spec(0)->clear_maximum();
  EXPECT_THAT(CheckDatasetSpecsMatchTasks(registry, manifest, "old-data"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("dataset 'old-data': its episodes of 'test/noisy' do not fit that task"),
                             HasSubstr("observation 'x' is float32[3] in the dataset, float32[1] with bounds in the task"),
                             HasSubstr("collect them again"))));

  // A run that does not sample the task is not stopped by it.
  const std::set<std::string> others = {"test/other"};
  EXPECT_OK(CheckDatasetSpecsMatchTasks(registry, manifest, "old-data", &others));

  *summary = NoisySummary("test/noisy");
  summary->mutable_action_spec(0)->set_name("y");
  EXPECT_THAT(CheckDatasetSpecsMatchTasks(registry, manifest, "d"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("action 'x' is missing from the dataset")));

  *summary = NoisySummary("test/noisy");
  summary->mutable_observation_spec(0)->set_maximum(0, 2);
  EXPECT_THAT(CheckDatasetSpecsMatchTasks(registry, manifest, "d"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("observation 'x' has other bounds in the dataset than in the task")));

  *summary = NoisySummary("test/noisy");
  *summary->add_observation_spec() = SpecToProto(ArraySpec{"extra", {2}, DType::kFloat32, {}, {}});
  EXPECT_THAT(CheckDatasetSpecsMatchTasks(registry, manifest, "d"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("observation 'extra' is in the dataset but not in the task")));

  // A spec the manifest cannot even state is named with its dataset and task.
  *summary = NoisySummary("test/noisy");
  summary->mutable_observation_spec(0)->set_name("");
  EXPECT_THAT(CheckDatasetSpecsMatchTasks(registry, manifest, "d"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("dataset 'd', task 'test/noisy': ")));
}

}  // namespace
}  // namespace calico
