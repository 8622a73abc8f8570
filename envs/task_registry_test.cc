#include "envs/task_registry.h"

#include <memory>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

// A one-step environment: enough to check the registry hands out fresh instances.
class CounterEnv : public Environment {
 public:
  const SpecMap& observation_spec() const override { return specs_; }
  const SpecMap& action_spec() const override { return specs_; }
  absl::StatusOr<TimeStep> Reset(uint64_t seed) override {
    ++resets_;
    return TimeStep{};
  }
  absl::StatusOr<TimeStep> Step(const NamedArrays& action) override { return TimeStep{StepType::kLast, 1, 0, {}}; }
  absl::StatusOr<Array> Render(int height, int width) override { return absl::UnimplementedError("no frames"); }
  int resets_ = 0;

 private:
  SpecMap specs_;
};

EnvironmentFactory CounterFactory() {
  return []() -> absl::StatusOr<std::unique_ptr<Environment>> { return std::make_unique<CounterEnv>(); };
}

TEST(TaskRegistryTest, MakesFreshInstancesAndListsSorted) {
  TaskRegistry registry;
  ASSERT_OK(registry.Register({"b/two", "second", 10}, CounterFactory()));
  ASSERT_OK(registry.Register({"a/one", "first", 5}, CounterFactory()));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Environment> first, registry.Make("a/one"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Environment> second, registry.Make("a/one"));
  ASSERT_OK(first->Reset(1).status());
  EXPECT_EQ(static_cast<CounterEnv*>(first.get())->resets_, 1);
  EXPECT_EQ(static_cast<CounterEnv*>(second.get())->resets_, 0);
  const std::vector<TaskInfo> list = registry.List();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "a/one");
  EXPECT_EQ(list[1].episode_steps, 10);
  ASSERT_OK_AND_ASSIGN(TaskInfo info, registry.Info("b/two"));
  EXPECT_EQ(info.description, "second");
}

TEST(TaskRegistryTest, UnknownDuplicateAndMalformedNamesAreErrors) {
  TaskRegistry registry;
  ASSERT_OK(registry.Register({"a/one", "", 1}, CounterFactory()));
  EXPECT_THAT(registry.Make("a/two"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("unknown task 'a/two'; known tasks: a/one")));
  EXPECT_THAT(registry.Info("x"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("'x'")));
  EXPECT_THAT(registry.Register({"a/one", "", 1}, CounterFactory()),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("twice")));
  for (const char* bad : {"plain", "/x", "x/", "a/b/c"}) {
    EXPECT_THAT(registry.Register({bad, "", 1}, CounterFactory()),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("family/task")))
        << bad;
  }
}

}  // namespace
}  // namespace calico
