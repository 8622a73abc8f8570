#include "model/sampling.h"

#include <cmath>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

TEST(SamplingTest, GreedyPicksTheLargestLogitInsideTheRange) {
  const std::vector<float> logits = {9, 1, 3, 3, 2, 8};
  Rng rng(1);
  ASSERT_OK_AND_ASSIGN(int32_t id, SampleToken(logits.data(), 6, 0, 6, 0.0, &rng));
  EXPECT_EQ(id, 0);
  ASSERT_OK_AND_ASSIGN(id, SampleToken(logits.data(), 6, 1, 5, 0.0, &rng));
  EXPECT_EQ(id, 2);  // ties go to the lowest id; 0 and 5 are outside the range
}

TEST(SamplingTest, TemperatureSamplesFollowTheSoftmaxWithinTheRange) {
  const std::vector<float> logits = {100, std::log(1.0f), std::log(2.0f), std::log(5.0f), 100};
  Rng rng(2);
  std::vector<int> counts(5, 0);
  const int n = 40000;
  for (int i = 0; i < n; ++i) {
    ASSERT_OK_AND_ASSIGN(int32_t id, SampleToken(logits.data(), 5, 1, 4, 1.0, &rng));
    ++counts[id];
  }
  EXPECT_EQ(counts[0] + counts[4], 0);
  // Expected 1/8, 2/8, 5/8; binomial standard deviation < 0.003.
  EXPECT_NEAR(counts[1] / double{n}, 0.125, 0.012);
  EXPECT_NEAR(counts[2] / double{n}, 0.25, 0.012);
  EXPECT_NEAR(counts[3] / double{n}, 0.625, 0.012);
  // A low temperature concentrates on the best id.
  int best = 0;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_OK_AND_ASSIGN(int32_t id, SampleToken(logits.data(), 5, 1, 4, 0.05, &rng));
    best += id == 3;
  }
  EXPECT_GT(best, 990);
}

TEST(SamplingTest, MaskingAndBadArguments) {
  std::vector<float> logits = {1, 2, 3, 4};
  ASSERT_OK(MaskLogitsToRange(1, 3, &logits));
  EXPECT_TRUE(std::isinf(logits[0]) && logits[0] < 0);
  EXPECT_EQ(logits[1], 2);
  EXPECT_TRUE(std::isinf(logits[3]));
  Rng rng(3);
  EXPECT_THAT(SampleToken(logits.data(), 4, 2, 2, 0.0, &rng),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("[2, 2) is empty")));
  EXPECT_THAT(SampleToken(logits.data(), 4, 0, 5, 0.0, &rng),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("outside [0, 4)")));
  EXPECT_THAT(SampleToken(logits.data(), 4, 1, 3, -1.0, &rng),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("temperature is -1")));
  logits[2] = std::nanf("");
  EXPECT_THAT(SampleToken(logits.data(), 4, 1, 3, 1.0, &rng),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("logit of id 2 is NaN")));
  EXPECT_THAT(MaskLogitsToRange(3, 9, &logits),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("outside")));
}

}  // namespace
}  // namespace calico
