#include "base/image_resize.h"

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

TEST(ImageResizeTest, SameSizeIsTheSameImage) {
  Image8 image{2, 3, 3, std::vector<uint8_t>(18)};
  for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<uint8_t>(i * 11);
  ASSERT_OK_AND_ASSIGN(Image8 out, ResizeBilinear(image, 2, 3));
  EXPECT_EQ(out.pixels, image.pixels);
}

TEST(ImageResizeTest, ConstantImageStaysConstant) {
  Image8 image{7, 5, 3, {}};
  for (int i = 0; i < 35; ++i) image.pixels.insert(image.pixels.end(), {10, 128, 250});
  ASSERT_OK_AND_ASSIGN(Image8 out, ResizeBilinear(image, 64, 64));
  ASSERT_EQ(out.pixels.size(), 64u * 64u * 3u);
  for (int i = 0; i < 64 * 64; ++i) {
    ASSERT_EQ(out.pixels[3 * i], 10);
    ASSERT_EQ(out.pixels[3 * i + 1], 128);
    ASSERT_EQ(out.pixels[3 * i + 2], 250);
  }
}

TEST(ImageResizeTest, HalvingAveragesPairs) {
  // One row 0, 100, 200, 50 -> 2 columns: samples at x = 0.5 and 2.5.
  Image8 image{1, 4, 1, {0, 100, 200, 50}};
  ASSERT_OK_AND_ASSIGN(Image8 out, ResizeBilinear(image, 1, 2));
  EXPECT_EQ(out.pixels, (std::vector<uint8_t>{50, 125}));
}

TEST(ImageResizeTest, DoublingInterpolatesAndClampsBorders) {
  // 0, 100 -> 4 columns at x = -0.25 (clamped 0), 0.25, 0.75, 1.25 (clamped 1).
  Image8 image{1, 2, 1, {0, 100}};
  ASSERT_OK_AND_ASSIGN(Image8 out, ResizeBilinear(image, 1, 4));
  EXPECT_EQ(out.pixels, (std::vector<uint8_t>{0, 25, 75, 100}));
}

TEST(ImageResizeTest, Errors) {
  Image8 image{1, 2, 1, {0, 100}};
  EXPECT_THAT(ResizeBilinear(image, 0, 4).status(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("0x4")));
  EXPECT_THAT(ResizeBilinear(Image8{1, 2, 1, {0}}, 2, 2).status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace calico
