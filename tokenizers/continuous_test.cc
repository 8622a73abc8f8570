#include "tokenizers/continuous.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tokenizers/golden_reader.h"
#include "tokenizers/mu_law.h"

namespace calico {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr double kHalfBin = 1.0 / kNumContinuousBins;  // half of a bin's width 2/1024

Vocabulary TestVocab() { return *Vocabulary::Create(100); }

TEST(MuLawTest, MatchesGoldenValuesComputedIndependently) {
  const auto rows = GoldenRows("continuous");
  ASSERT_GT(rows.size(), 200u);
  for (const auto& row : rows) {
    const double x = std::stod(row[0]);
    EXPECT_NEAR(MuLawEncode(x), std::stod(row[1]), 1e-12) << "x = " << row[0];
    EXPECT_EQ(ContinuousBin(x), std::stoi(row[2])) << "x = " << row[0];
    const double expected_value = std::stod(row[3]);
    EXPECT_NEAR(ContinuousBinValue(std::stoi(row[2])), expected_value, 1e-9 * (1 + std::fabs(expected_value)));
  }
}

TEST(MuLawTest, DecodeInvertsEncode) {
  for (double x : {-256.0, -3.0, -1e-4, 0.0, 1e-4, 0.7, 42.0, 256.0}) {
    EXPECT_NEAR(MuLawDecode(MuLawEncode(x)), x, 1e-9 * (1 + std::fabs(x)));
  }
  EXPECT_NEAR(MuLawEncode(kMuLawM), 1.0, 1e-15);  // M maps to the top of [-1, 1]
  EXPECT_EQ(MuLawEncode(0.0), 0.0);
}

TEST(ContinuousBinTest, BinEdgesFollowTheUniformGridInMuLawSpace) {
  // The mu-law edge between bins b-1 and b is y = -1 + 2b/1024.
  for (int b : {1, 100, 511, 512, 513, 900, 1023}) {
    const double edge = MuLawDecode(-1.0 + 2.0 * b / kNumContinuousBins);
    const double step = 1e-9 * (1 + std::fabs(edge));
    EXPECT_EQ(ContinuousBin(edge + step), b) << "just above edge " << b;
    EXPECT_EQ(ContinuousBin(edge - step), b - 1) << "just below edge " << b;
  }
  EXPECT_EQ(ContinuousBin(0.0), 512);  // y = 0 is the lower edge of bin 512
  EXPECT_EQ(ContinuousBin(-0.0), 512);
}

TEST(ContinuousBinTest, ValuesBeyondMClipToTheEndBins) {
  EXPECT_EQ(ContinuousBin(kMuLawM), kNumContinuousBins - 1);
  EXPECT_EQ(ContinuousBin(1e30), kNumContinuousBins - 1);
  EXPECT_EQ(ContinuousBin(-1e30), 0);
  EXPECT_EQ(ContinuousBin(-kMuLawM), 0);
  EXPECT_EQ(ContinuousBin(std::numeric_limits<double>::infinity()), kNumContinuousBins - 1);
  EXPECT_EQ(ContinuousBin(-std::numeric_limits<double>::infinity()), 0);
}

TEST(ContinuousBinTest, IsMonotonic) {
  int previous = 0;
  for (double x = -300; x <= 300; x += 0.013) {
    const int b = ContinuousBin(x);
    ASSERT_GE(b, previous) << "x = " << x;
    previous = b;
  }
  EXPECT_EQ(previous, kNumContinuousBins - 1);
}

TEST(TokenizeContinuousTest, RoundTripIsWithinHalfABinInMuLawSpace) {
  const Vocabulary vocab = TestVocab();
  std::vector<float> values;
  for (double x = -250; x <= 250; x += 0.37) values.push_back(static_cast<float>(x));
  for (double x = -2; x <= 2; x += 0.0011) values.push_back(static_cast<float>(x));
  std::vector<int32_t> ids;
  ASSERT_OK(TokenizeContinuous(vocab, values, "obs", &ids));
  ASSERT_EQ(ids.size(), values.size());
  std::vector<float> decoded(ids.size());
  ASSERT_OK(DetokenizeContinuous(vocab, ids, "obs", absl::MakeSpan(decoded)));
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_TRUE(vocab.continuous_range().contains(ids[i]));
    EXPECT_LE(std::fabs(MuLawEncode(decoded[i]) - MuLawEncode(values[i])), kHalfBin + 1e-6)
        << "value " << values[i] << " decoded " << decoded[i];
  }
}

TEST(TokenizeContinuousTest, KeepsRowMajorOrderAndShiftsIntoTheRange) {
  const Vocabulary vocab = TestVocab();
  std::vector<int32_t> ids = {7};  // appended after what is there
  ASSERT_OK(TokenizeContinuous(vocab, {-1e9f, 0.0f, 1e9f}, "obs", &ids));
  EXPECT_EQ(ids, (std::vector<int32_t>{7, 100, 100 + 512, 100 + 1023}));
}

TEST(TokenizeContinuousTest, NonFiniteValuesAreErrorsThatNameKeyAndIndex) {
  const Vocabulary vocab = TestVocab();
  std::vector<int32_t> ids = {1, 2};
  EXPECT_THAT(TokenizeContinuous(vocab, {0.0f, std::nanf("")}, "joint_velocity", &ids),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("'joint_velocity'"), HasSubstr("element 1"), HasSubstr("finite"))));
  EXPECT_EQ(ids, (std::vector<int32_t>{1, 2}));  // unchanged
  EXPECT_THAT(TokenizeContinuous(vocab, {-std::numeric_limits<float>::infinity()}, "x", &ids),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("element 0")));
}

TEST(DetokenizeContinuousTest, IdsOutsideTheContinuousRangeAreErrors) {
  const Vocabulary vocab = TestVocab();
  std::vector<float> out(2);
  EXPECT_THAT(DetokenizeContinuous(vocab, {100, 99}, "torque", absl::MakeSpan(out)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("'torque' element 1"), HasSubstr("id 99"), HasSubstr("[100, 1124)"))));
  EXPECT_THAT(DetokenizeContinuous(vocab, {100}, "torque", absl::MakeSpan(out)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1 ids for 2 values")));
}

}  // namespace
}  // namespace calico
