#include "envs/reference_returns.h"

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

TEST(ReferenceReturnsTest, ParsesFormatsAndScores) {
  ASSERT_OK_AND_ASSIGN(ReferenceTable table, ParseReferenceReturns("# header\n\nb/task 10 110 50  # note\n"
                                                                   "a/task -5.5 20.25 60\n",
                                                                   "refs.txt"));
  ASSERT_EQ(table.size(), 2u);
  EXPECT_DOUBLE_EQ(table["a/task"].random_mean, -5.5);
  EXPECT_DOUBLE_EQ(table["a/task"].expert_mean, 20.25);
  EXPECT_EQ(table["b/task"].episodes, 50);
  EXPECT_DOUBLE_EQ(NormalisedScore(10, table["b/task"]), 0.0);
  EXPECT_DOUBLE_EQ(NormalisedScore(110, table["b/task"]), 100.0);
  EXPECT_DOUBLE_EQ(NormalisedScore(60, table["b/task"]), 50.0);
  ASSERT_OK_AND_ASSIGN(ReferenceTable again,
                       ParseReferenceReturns(FormatReferenceReturns(table, "made by a test"), "round trip"));
  EXPECT_DOUBLE_EQ(again["a/task"].expert_mean, 20.25);
  EXPECT_EQ(again["b/task"].episodes, 50);
}

TEST(ReferenceReturnsTest, BadLinesNameSourceAndLine) {
  EXPECT_THAT(ParseReferenceReturns("a/t 1 2\n", "r.txt"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("r.txt:1: 3 fields")));
  EXPECT_THAT(ParseReferenceReturns("\na/t 1 x 5\n", "r.txt"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("r.txt:2: returns must be finite")));
  EXPECT_THAT(ParseReferenceReturns("a/t 1 nan 5\n", "r.txt"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("finite")));
  EXPECT_THAT(ParseReferenceReturns("a/t 1 2 0\n", "r.txt"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("positive integer")));
  EXPECT_THAT(ParseReferenceReturns("a/t 3 2 5\n", "r.txt"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not above random")));
  EXPECT_THAT(ParseReferenceReturns("a/t 1 2 5\na/t 1 2 5\n", "r.txt"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("r.txt:2: task 'a/t' is listed twice")));
}

}  // namespace
}  // namespace calico
