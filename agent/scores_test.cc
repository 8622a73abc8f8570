#include "agent/scores.h"

#include <cmath>

#include "base/random.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

TaskScore Task(const std::string& name, std::vector<double> returns, double random, double expert) {
  TaskScore t;
  t.task = name;
  t.returns = std::move(returns);
  t.reference = {random, expert, 50};
  return t;
}

TEST(ScoresTest, HandComputedStatistics) {
  // scipy.stats.trim_mean([1, 2, 3, 4, 100], 0.25) drops one value at each end: 3.
  EXPECT_DOUBLE_EQ(InterquartileMean({100, 1, 3, 2, 4}), 3.0);
  // Eight values: drop two at each end, average 3, 4, 5, 6.
  EXPECT_DOUBLE_EQ(InterquartileMean({8, 1, 7, 2, 6, 3, 5, 4}), 4.5);
  EXPECT_DOUBLE_EQ(InterquartileMean({5, 7}), 6.0);  // fewer than 4: nothing trimmed
  EXPECT_DOUBLE_EQ(Median({3, 1, 2}), 2.0);
  EXPECT_DOUBLE_EQ(Median({4, 1, 3, 2}), 2.5);
}

TEST(ScoresTest, ScoresAreNormalisedAndAggregated) {
  std::vector<TaskScore> tasks = {
      Task("a", {10, 20, 30}, 0, 40),       // mean 20 -> 50
      Task("b", {5, 5}, 5, 15),             // random level -> 0
      Task("c", {115, 115, 115}, 15, 115),  // expert level -> 100
      Task("d", {-10, 10}, 0, 10),          // mean 0 -> 0
  };
  ASSERT_OK_AND_ASSIGN(SuiteScores scores, ComputeScores(tasks, 500, 1));
  EXPECT_DOUBLE_EQ(scores.tasks[0].score.value, 50.0);
  EXPECT_DOUBLE_EQ(scores.tasks[1].score.value, 0.0);
  EXPECT_DOUBLE_EQ(scores.tasks[2].score.value, 100.0);
  EXPECT_DOUBLE_EQ(scores.tasks[0].mean_return, 20.0);
  EXPECT_DOUBLE_EQ(scores.tasks[0].stddev_return, 10.0);
  EXPECT_DOUBLE_EQ(scores.mean.value, 37.5);
  EXPECT_DOUBLE_EQ(scores.median.value, 25.0);
  EXPECT_DOUBLE_EQ(scores.iqm.value, 25.0);  // middle two of 0, 0, 50, 100
  // Constant returns have a zero-width interval; varied returns a real one around the value.
  EXPECT_DOUBLE_EQ(scores.tasks[2].score.low, 100.0);
  EXPECT_DOUBLE_EQ(scores.tasks[2].score.high, 100.0);
  EXPECT_LT(scores.tasks[0].score.low, 50.0);
  EXPECT_GT(scores.tasks[0].score.high, 50.0);
  EXPECT_GE(scores.tasks[0].score.low, 25.0);   // a resampled mean is at least 10 -> 25
  EXPECT_LE(scores.tasks[0].score.high, 75.0);  // and at most 30 -> 75
  EXPECT_LE(scores.mean.low, scores.mean.value);
  EXPECT_GE(scores.mean.high, scores.mean.value);
}

TEST(ScoresTest, BootstrapIsDeterministicAndCoversTheTruthAtRoughly95Percent) {
  // Returns drawn from a known distribution: check the interval's coverage of the true mean.
  Rng rng(3);
  int covered = 0;
  double width = 0;
  const int trials = 200;
  for (int trial = 0; trial < trials; ++trial) {
    std::vector<double> returns(50);
    for (double& r : returns) r = rng.Uniform() * 100;  // true mean 50 -> score 50
    ASSERT_OK_AND_ASSIGN(SuiteScores s, ComputeScores({Task("u", returns, 0, 100)}, 400, trial));
    covered += s.tasks[0].score.low <= 50 && 50 <= s.tasks[0].score.high;
    width += s.tasks[0].score.high - s.tasks[0].score.low;
  }
  // Coverage near 95% (the binomial spread over 200 trials is 1.5 points; a percentile
  // bootstrap of 50 values runs a little short), and not by being too wide: an interval
  // that always covers fails the upper bound, and the mean width must be the normal
  // interval's, 2 * 1.96 * sigma / sqrt(50) with sigma = 100 / sqrt(12): 16.0 points.
  const double coverage = covered / static_cast<double>(trials);
  EXPECT_GE(coverage, 0.88);
  EXPECT_LE(coverage, 0.985);
  EXPECT_NEAR(width / trials, 2 * 1.96 * (100 / std::sqrt(12.0)) / std::sqrt(50.0), 1.5);
  std::vector<TaskScore> tasks = {Task("a", {1, 2, 9}, 0, 10)};
  ASSERT_OK_AND_ASSIGN(SuiteScores x, ComputeScores(tasks, 100, 9));
  ASSERT_OK_AND_ASSIGN(SuiteScores y, ComputeScores(tasks, 100, 9));
  EXPECT_EQ(x.mean.low, y.mean.low);
  EXPECT_EQ(x.mean.high, y.mean.high);
}

TEST(ScoresTest, BadInputIsRejected) {
  EXPECT_THAT(ComputeScores({}, 10, 0), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no tasks")));
  EXPECT_THAT(ComputeScores({Task("a", {}, 0, 1)}, 10, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'a' has no episode returns")));
  EXPECT_THAT(ComputeScores({Task("a", {1}, 1, 1)}, 10, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not above random")));
  EXPECT_THAT(ComputeScores({Task("a", {1}, 0, 1)}, 0, 0), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ComputeScores({Task("a", {1}, 0, 1)}, kMaxBootstrapSamples + 1, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected in [1, 1000000]")));
  EXPECT_THAT(ComputeScores({Task("a", {1, NAN, 2}, 0, 1)}, 10, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'a': episode 1 returned nan, not a finite")));
  EXPECT_THAT(ComputeScores({Task("a", {INFINITY}, 0, 1)}, 10, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("returned inf")));
}

}  // namespace
}  // namespace calico
