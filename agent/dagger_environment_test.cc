#include "agent/dagger_environment.h"

#include <memory>
#include <vector>

#include "base/status_macros.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A walk on the integers: action "step" in [0, 2] moves by step - 1; the observation is
// the position; episodes last 4 steps; every executed action is logged.
class WalkEnv : public Environment {
 public:
  explicit WalkEnv(std::vector<int>* executed) : executed_(executed) {
    obs_["x"] = {"x", {}, DType::kInt32, {-100}, {100}};
    act_["step"] = {"step", {}, DType::kInt32, {0}, {2}};
  }
  const SpecMap& observation_spec() const override { return obs_; }
  const SpecMap& action_spec() const override { return act_; }
  absl::StatusOr<TimeStep> Reset(uint64_t seed) override {
    x_ = static_cast<int>(seed % 10);
    t_ = 0;
    return Make(StepType::kFirst);
  }
  absl::StatusOr<TimeStep> Step(const NamedArrays& action) override {
    RETURN_IF_ERROR(CheckArrays(act_, action, "action"));
    const int step = action.at("step").ints[0];
    executed_->push_back(step);
    x_ += step - 1;
    return Make(++t_ == 4 ? StepType::kLast : StepType::kMid);
  }
  absl::StatusOr<Array> Render(int, int) override { return absl::UnimplementedError("no pixels"); }

 private:
  TimeStep Make(StepType type) {
    TimeStep t;
    t.step_type = type;
    t.observation["x"] = Array::Int({}, {x_});
    return t;
  }
  std::vector<int>* executed_;
  SpecMap obs_, act_;
  int x_ = 0, t_ = 0;
};

// Steps right (2) while x < 5, else stays (1); logs its resets and the positions it saw.
// `bad` makes it answer with an action outside the spec, `fail` with an error.
class Learner : public Policy {
 public:
  Learner(std::vector<uint64_t>* resets, std::vector<int>* seen, bool bad = false, bool fail = false)
      : resets_(resets), seen_(seen), bad_(bad), fail_(fail) {}
  void Reset(uint64_t seed) override { resets_->push_back(seed); }
  absl::StatusOr<NamedArrays> Act(const TimeStep& t) override {
    if (fail_) return absl::ResourceExhaustedError("out of cache");
    const int x = t.observation.at("x").ints[0];
    seen_->push_back(x);
    return NamedArrays{{"step", Array::Int({}, {bad_ ? 7 : (x < 5 ? 2 : 1)})}};
  }

 private:
  std::vector<uint64_t>* resets_;
  std::vector<int>* seen_;
  bool bad_, fail_;
};

NamedArrays Step(int step) { return {{"step", Array::Int({}, {step})}}; }

TEST(DaggerEnvironmentTest, ExecutesTheLearnersActionsWhateverTheLabel) {
  std::vector<int> executed, seen;
  std::vector<uint64_t> resets;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Environment> env,
                       DaggerEnvironment::Wrap(std::make_unique<WalkEnv>(&executed),
                                               std::make_unique<Learner>(&resets, &seen)));
  auto* dagger = static_cast<DaggerEnvironment*>(env.get());
  ASSERT_OK_AND_ASSIGN(TimeStep t, env->Reset(13));  // starts at x = 3
  EXPECT_THAT(resets, ElementsAre(13u));
  // The labels always say "left" (0); the learner walks right to 5 and stays.
  std::vector<int> positions = {t.observation.at("x").ints[0]};
  while (!t.last()) {
    ASSERT_OK_AND_ASSIGN(t, env->Step(Step(0)));
    positions.push_back(t.observation.at("x").ints[0]);
  }
  EXPECT_THAT(positions, ElementsAre(3, 4, 5, 5, 5));
  EXPECT_THAT(executed, ElementsAre(2, 2, 1, 1));
  EXPECT_THAT(seen, ElementsAre(3, 4, 5, 5));  // every non-LAST timestep, in order
  EXPECT_EQ(dagger->last_executed_action().at("step").ints[0], 1);
  EXPECT_EQ(dagger->overruled_steps(), 4);

  // A label that agrees with the learner is not overruled; a new episode resets the count.
  ASSERT_OK(env->Reset(5).status());  // x = 5: the learner stays
  ASSERT_OK(env->Step(Step(1)).status());
  ASSERT_OK(env->Step(Step(0)).status());
  EXPECT_EQ(dagger->overruled_steps(), 1);
  EXPECT_THAT(resets, ElementsAre(13u, 5u));
}

TEST(DaggerEnvironmentTest, BadLabelsAndLearnersAreErrors) {
  std::vector<int> executed, seen;
  std::vector<uint64_t> resets;
  EXPECT_THAT(DaggerEnvironment::Wrap(nullptr, std::make_unique<Learner>(&resets, &seen)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no environment")));
  EXPECT_THAT(DaggerEnvironment::Wrap(std::make_unique<WalkEnv>(&executed), nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no learner")));

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Environment> env,
                       DaggerEnvironment::Wrap(std::make_unique<WalkEnv>(&executed),
                                               std::make_unique<Learner>(&resets, &seen)));
  EXPECT_THAT(env->Step(Step(1)), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("Reset first")));
  ASSERT_OK(env->Reset(0).status());
  // The label is checked even though it is not executed.
  EXPECT_THAT(env->Step(Step(3)), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("action 'step'")));
  for (int i = 0; i < 4; ++i) ASSERT_OK(env->Step(Step(1)).status());
  EXPECT_THAT(env->Step(Step(1)), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("Reset first")));
  EXPECT_EQ(executed.size(), 4u);

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Environment> bad,
                       DaggerEnvironment::Wrap(std::make_unique<WalkEnv>(&executed),
                                               std::make_unique<Learner>(&resets, &seen, /*bad=*/true)));
  ASSERT_OK(bad->Reset(0).status());
  EXPECT_THAT(bad->Step(Step(1)), StatusIs(absl::StatusCode::kInternal, HasSubstr("learner action")));

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Environment> failing,
                       DaggerEnvironment::Wrap(std::make_unique<WalkEnv>(&executed),
                                               std::make_unique<Learner>(&resets, &seen, false, /*fail=*/true)));
  ASSERT_OK(failing->Reset(0).status());
  EXPECT_THAT(failing->Step(Step(1)),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("learner failed to act: out of cache")));
  EXPECT_EQ(executed.size(), 4u);  // neither bad learner moved the walk
}

// Labels every state with the same action; logs its resets.
class ConstantLabeller : public Policy {
 public:
  ConstantLabeller(int step, std::vector<uint64_t>* resets) : step_(step), resets_(resets) {}
  void Reset(uint64_t seed) override { resets_->push_back(seed); }
  absl::StatusOr<NamedArrays> Act(const TimeStep&) override { return Step(step_); }

 private:
  int step_;
  std::vector<uint64_t>* resets_;
};

SpecMap WalkActions() {
  std::vector<int> unused;
  return WalkEnv(&unused).action_spec();
}

// A DaggerBatchPolicy of `slots` Learners (PolicyBatch) and ConstantLabellers of `label`.
absl::StatusOr<std::unique_ptr<DaggerBatchPolicy>> MakeBatch(int slots, int label, std::vector<uint64_t>* resets,
                                                             std::vector<uint64_t>* label_resets,
                                                             std::vector<int>* seen, bool bad = false,
                                                             bool fail = false) {
  std::vector<std::unique_ptr<Policy>> learners, labellers;
  for (int i = 0; i < slots; ++i) {
    learners.push_back(std::make_unique<Learner>(resets, seen, bad, fail));
    labellers.push_back(std::make_unique<ConstantLabeller>(label, label_resets));
  }
  return DaggerBatchPolicy::Create(std::make_unique<PolicyBatch>(std::move(learners)), std::move(labellers),
                                   WalkActions());
}

TEST(DaggerBatchPolicyTest, ReturnsTheLearnersActionsAndRecordsTheLabels) {
  std::vector<uint64_t> resets, label_resets;
  std::vector<int> seen;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DaggerBatchPolicy> dagger, MakeBatch(3, 0, &resets, &label_resets, &seen));
  EXPECT_EQ(dagger->num_envs(), 3);
  dagger->Reset(2, 7);
  dagger->Reset(0, 9);
  EXPECT_THAT(resets, ElementsAre(7u, 9u));
  EXPECT_THAT(label_resets, ElementsAre(7u, 9u));
  TimeStep at3, at6;
  at3.observation["x"] = Array::Int({}, {3});
  at6.observation["x"] = Array::Int({}, {6});
  ASSERT_OK_AND_ASSIGN(std::vector<NamedArrays> actions, dagger->Act({2, 0}, {&at3, &at6}));
  ASSERT_EQ(actions.size(), 2u);
  // Executed: the learner's (right at x = 3, stay at x = 6); recorded: the label (left).
  EXPECT_EQ(actions[0].at("step").ints[0], 2);
  EXPECT_EQ(actions[1].at("step").ints[0], 1);
  ASSERT_NE(dagger->RecordedAction(2), nullptr);
  EXPECT_EQ(dagger->RecordedAction(2)->at("step").ints[0], 0);
  EXPECT_EQ(dagger->RecordedAction(0)->at("step").ints[0], 0);
  EXPECT_EQ(dagger->overruled_steps(), 2);
  EXPECT_THAT(seen, ElementsAre(3, 6));
  // The count outlives the policy (the runner that owns it destroys it when done).
  const std::shared_ptr<const int64_t> count = dagger->overruled_count();
  dagger.reset();
  EXPECT_EQ(*count, 2);

  // A label equal to the learner's action is not overruled.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DaggerBatchPolicy> agreeing, MakeBatch(1, 1, &resets, &label_resets, &seen));
  agreeing->Reset(0, 1);
  ASSERT_OK(agreeing->Act({0}, {&at6}).status());
  EXPECT_EQ(agreeing->overruled_steps(), 0);
  EXPECT_EQ(agreeing->RecordedAction(0)->at("step").ints[0], 1);
}

TEST(DaggerBatchPolicyTest, BadLabelsLearnersAndShapesAreErrors) {
  std::vector<uint64_t> resets, label_resets;
  std::vector<int> seen;
  EXPECT_THAT(DaggerBatchPolicy::Create(nullptr, {}, WalkActions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no learner")));
  std::vector<std::unique_ptr<Policy>> two;
  two.push_back(std::make_unique<Learner>(&resets, &seen));
  two.push_back(std::make_unique<Learner>(&resets, &seen));
  std::vector<std::unique_ptr<Policy>> one_labeller;
  one_labeller.push_back(std::make_unique<ConstantLabeller>(0, &label_resets));
  EXPECT_THAT(DaggerBatchPolicy::Create(std::make_unique<PolicyBatch>(std::move(two)), std::move(one_labeller),
                                        WalkActions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1 labelling policies for 2 learner slots")));
  std::vector<std::unique_ptr<Policy>> learner, null_labeller(1);
  learner.push_back(std::make_unique<Learner>(&resets, &seen));
  EXPECT_THAT(DaggerBatchPolicy::Create(std::make_unique<PolicyBatch>(std::move(learner)), std::move(null_labeller),
                                        WalkActions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no labelling policy")));

  TimeStep at0;
  at0.observation["x"] = Array::Int({}, {0});
  // The label is checked even though it is not executed.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DaggerBatchPolicy> bad_label, MakeBatch(1, 3, &resets, &label_resets, &seen));
  bad_label->Reset(0, 21);
  EXPECT_THAT(bad_label->Act({0}, {&at0}),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("the label at seed 21: action 'step'")));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DaggerBatchPolicy> bad, MakeBatch(1, 1, &resets, &label_resets, &seen, true));
  bad->Reset(0, 0);
  EXPECT_THAT(bad->Act({0}, {&at0}), StatusIs(absl::StatusCode::kInternal, HasSubstr("learner action")));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DaggerBatchPolicy> failing,
                       MakeBatch(1, 1, &resets, &label_resets, &seen, false, true));
  failing->Reset(0, 0);
  EXPECT_THAT(failing->Act({0}, {&at0}),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("learner failed to act: out of cache")));
  EXPECT_THAT(failing->Act({4}, {&at0}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("slot 4 of 1")));
}

}  // namespace
}  // namespace calico
