#include "tokenizers/image.h"

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tokenizers/golden_reader.h"

namespace calico {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// The golden file's test image: pixel (y, x, c) = (7y + 13x + 29c) mod 256.
Array GoldenImage(int height, int width) {
  std::vector<uint8_t> bytes(static_cast<size_t>(height) * width * 3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < 3; ++c) bytes[(y * width + x) * 3 + c] = static_cast<uint8_t>((7 * y + 13 * x + 29 * c) % 256);
    }
  }
  return Array::Uint8({height, width, 3}, std::move(bytes));
}

TEST(ImageTest, PatchValuesMatchGoldenRasterOrder) {
  const auto image_rows = GoldenRows("image");
  ASSERT_EQ(image_rows.size(), 1u);
  const int height = std::stoi(image_rows[0][0]), width = std::stoi(image_rows[0][1]);
  std::vector<float> patches;
  std::vector<PatchPosition> positions;
  ASSERT_OK(TokenizeImage(GoldenImage(height, width), "pixels", nullptr, &patches, &positions));
  ASSERT_EQ(positions.size(), static_cast<size_t>(height / 16 * width / 16));
  ASSERT_EQ(patches.size(), positions.size() * kPatchValues);
  const auto rows = GoldenRows("patch_value");
  ASSERT_GT(rows.size(), 20u);
  for (const auto& row : rows) {
    const int patch = std::stoi(row[0]), k = std::stoi(row[1]);
    EXPECT_NEAR(patches[patch * kPatchValues + k], std::stod(row[2]), 1e-7) << "patch " << patch << " value " << k;
  }
}

TEST(ImageTest, PixelScalingMatchesGolden) {
  const auto rows = GoldenRows("pixel");
  ASSERT_EQ(rows.size(), 256u);
  for (const auto& row : rows) {
    const int p = std::stoi(row[0]);
    std::vector<uint8_t> bytes(16 * 16 * 3, static_cast<uint8_t>(p));
    std::vector<float> patches;
    std::vector<PatchPosition> positions;
    ASSERT_OK(TokenizeImage(Array::Uint8({16, 16, 3}, bytes), "px", nullptr, &patches, &positions));
    EXPECT_NEAR(patches[0], std::stod(row[1]), 1e-7) << "pixel " << p;
    EXPECT_EQ(patches[767], patches[0]);
  }
}

TEST(ImageTest, EndPixelsMapToPlusMinusAQuarter) {
  std::vector<float> patches;
  std::vector<PatchPosition> positions;
  std::vector<uint8_t> bytes(16 * 16 * 3, 0);
  bytes[5] = 255;
  ASSERT_OK(TokenizeImage(Array::Uint8({16, 16, 3}, bytes), "px", nullptr, &patches, &positions));
  EXPECT_FLOAT_EQ(patches[0], -0.25f);
  EXPECT_FLOAT_EQ(patches[5], 0.25f);
}

TEST(PatchIntervalTest, MatchesGoldenIntervalsAndEvalIndices) {
  const auto rows = GoldenRows("interval");
  ASSERT_GT(rows.size(), 300u);
  std::map<int, std::vector<PatchPosition>> eval_by_n;  // an image n patches high, 1 wide
  for (const auto& row : rows) {
    const int i = std::stoi(row[0]), n = std::stoi(row[1]);
    int lo, hi;
    PatchInterval(i, n, &lo, &hi);
    EXPECT_EQ(lo, std::stoi(row[2])) << i << " of " << n;
    EXPECT_EQ(hi, std::stoi(row[3])) << i << " of " << n;
    // The evaluation index, as the tokenizer assigns it to patch row i of n.
    if (eval_by_n.count(n) == 0) {
      std::vector<float> patches;
      ASSERT_OK(TokenizeImage(GoldenImage(16 * n, 16), "pixels", nullptr, &patches, &eval_by_n[n]));
      ASSERT_EQ(eval_by_n[n].size(), static_cast<size_t>(n));
    }
    EXPECT_EQ(eval_by_n[n][i].row_index, std::stoi(row[4])) << i << " of " << n;
  }
}

TEST(ImageTest, EvalPositionsAreRoundedMeansAndTrainingPositionsStayInTheirIntervals) {
  const Array image = GoldenImage(64, 48);  // 4 x 3 patches
  std::vector<float> patches;
  std::vector<PatchPosition> eval;
  ASSERT_OK(TokenizeImage(image, "pixels", nullptr, &patches, &eval));
  ASSERT_EQ(eval.size(), 12u);
  // Rows: 4 patches -> intervals [0,32) [32,64) [64,96) [96,128), means 16 48 80 112.
  // Columns: 3 patches -> [0,42) [42,85) [85,128), means 21 63 106.
  EXPECT_EQ(eval[0].row_index, 16);
  EXPECT_EQ(eval[0].col_index, 21);
  EXPECT_EQ(eval[4].row_index, 48);  // second row, second column
  EXPECT_EQ(eval[4].col_index, 63);
  EXPECT_EQ(eval[11].row_index, 112);
  EXPECT_EQ(eval[11].col_index, 106);
  EXPECT_EQ(eval[11].col_lo, 85);
  EXPECT_EQ(eval[11].col_hi, 128);

  Rng rng(5);
  std::vector<int> seen_rows(128, 0);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<float> unused;
    std::vector<PatchPosition> train;
    ASSERT_OK(TokenizeImage(image, "pixels", &rng, &unused, &train));
    for (const PatchPosition& p : train) {
      ASSERT_GE(p.row_index, p.row_lo);
      ASSERT_LT(p.row_index, p.row_hi);
      ASSERT_GE(p.col_index, p.col_lo);
      ASSERT_LT(p.col_index, p.col_hi);
      ++seen_rows[p.row_index];
    }
  }
  // 200 draws x 3 columns per row interval of 32 buckets: every bucket gets drawn.
  for (int b = 0; b < 128; ++b) EXPECT_GT(seen_rows[b], 0) << "bucket " << b;
}

TEST(ImageTest, BadImagesAreErrorsThatNameTheKey) {
  std::vector<float> patches = {1.0f};
  std::vector<PatchPosition> positions;
  EXPECT_THAT(TokenizeImage(Array::Uint8({20, 16, 3}, std::vector<uint8_t>(20 * 16 * 3)), "camera", nullptr,
                            &patches, &positions),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("'camera'"), HasSubstr("[20, 16, 3]"), HasSubstr("multiples of 16"))));
  EXPECT_THAT(TokenizeImage(Array::Uint8({16, 16, 4}, std::vector<uint8_t>(16 * 16 * 4)), "camera", nullptr,
                            &patches, &positions),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected [H, W, 3]")));
  EXPECT_THAT(TokenizeImage(Array::Uint8({16, 16, 3}, std::vector<uint8_t>(10)), "camera", nullptr, &patches,
                            &positions),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("holds 10 bytes")));
  EXPECT_THAT(TokenizeImage(Array::Float({16, 16, 3}, std::vector<float>(768)), "camera", nullptr, &patches,
                            &positions),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected uint8")));
  EXPECT_THAT(TokenizeImage(Array::Uint8({0, 16, 3}, {}), "camera", nullptr, &patches, &positions),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("positive multiples")));
  EXPECT_THAT(TokenizeImage(Array::Uint8({16 * 129, 16, 3}, std::vector<uint8_t>(16 * 129 * 16 * 3)), "camera",
                            nullptr, &patches, &positions),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at most 128 per axis")));
  EXPECT_EQ(patches, std::vector<float>{1.0f});  // untouched
  EXPECT_TRUE(positions.empty());
}

}  // namespace
}  // namespace calico
