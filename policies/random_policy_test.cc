#include "policies/random_policy.h"

#include <cmath>
#include <set>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

SpecMap Specs() {
  SpecMap specs;
  specs["torque"] = {"torque", {2}, DType::kFloat32, {-1, 0.3}, {1, 0.30001}};
  specs["button"] = {"button", {}, DType::kInt32, {0}, {5}};
  return specs;
}

TEST(RandomPolicyTest, ActionsStayInBoundsAndCoverThem) {
  ASSERT_OK_AND_ASSIGN(auto policy, RandomPolicy::Create(Specs()));
  policy->Reset(3);
  std::set<int> buttons;
  double lowest = 1, highest = -1;
  for (int i = 0; i < 2000; ++i) {
    ASSERT_OK_AND_ASSIGN(NamedArrays action, policy->Act(TimeStep{}));
    ASSERT_OK(CheckArrays(Specs(), action, "action"));
    buttons.insert(action.at("button").ints[0]);
    lowest = std::min<double>(lowest, action.at("torque").floats[0]);
    highest = std::max<double>(highest, action.at("torque").floats[0]);
  }
  EXPECT_EQ(buttons, (std::set<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_LT(lowest, -0.99);
  EXPECT_GT(highest, 0.99);
}

TEST(RandomPolicyTest, SameSeedSameActions) {
  ASSERT_OK_AND_ASSIGN(auto a, RandomPolicy::Create(Specs()));
  ASSERT_OK_AND_ASSIGN(auto b, RandomPolicy::Create(Specs()));
  a->Reset(11);
  b->Reset(11);
  for (int i = 0; i < 50; ++i) {
    ASSERT_OK_AND_ASSIGN(NamedArrays x, a->Act(TimeStep{}));
    ASSERT_OK_AND_ASSIGN(NamedArrays y, b->Act(TimeStep{}));
    EXPECT_EQ(x.at("torque").floats, y.at("torque").floats);
    EXPECT_EQ(x.at("button").ints, y.at("button").ints);
  }
  // And the seed matters: another one gives other actions.
  a->Reset(11);
  b->Reset(12);
  int differ = 0;
  for (int i = 0; i < 50; ++i) {
    ASSERT_OK_AND_ASSIGN(NamedArrays x, a->Act(TimeStep{}));
    ASSERT_OK_AND_ASSIGN(NamedArrays y, b->Act(TimeStep{}));
    differ += x.at("torque").floats != y.at("torque").floats;
  }
  EXPECT_GT(differ, 45);
}

TEST(RandomPolicyTest, UnboundedActionsAreRejected) {
  SpecMap specs;
  specs["force"] = {"force", {1}, DType::kFloat32, {}, {}};
  EXPECT_THAT(RandomPolicy::Create(specs), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unbounded")));
}

}  // namespace
}  // namespace calico
