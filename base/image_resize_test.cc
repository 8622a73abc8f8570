#include "base/image_resize.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

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

TEST(ImageResizeTest, AnIntegerShrinkGivesExactBlockMeans) {
  // 24x16 random pixels -> 3x4: each output pixel is the mean of an 8x4 block, computed
  // here directly.
  Image8 image{24, 16, 3, std::vector<uint8_t>(24 * 16 * 3)};
  uint32_t state = 12345;
  for (uint8_t& p : image.pixels) p = static_cast<uint8_t>((state = state * 1664525u + 1013904223u) >> 24);
  ASSERT_OK_AND_ASSIGN(Image8 out, ResizeImage(image, 3, 4));
  for (int y = 0; y < 3; ++y) {
    for (int x = 0; x < 4; ++x) {
      for (int k = 0; k < 3; ++k) {
        double sum = 0;
        for (int dy = 0; dy < 8; ++dy) {
          for (int dx = 0; dx < 4; ++dx) sum += image.pixels[((y * 8 + dy) * 16 + x * 4 + dx) * 3 + k];
        }
        EXPECT_EQ(out.pixels[(y * 4 + x) * 3 + k], std::lround(sum / 32)) << y << "," << x << "," << k;
      }
    }
  }
}

// The image with rows and columns swapped.
Image8 Transposed(const Image8& image) {
  Image8 out{image.width, image.height, image.channels, std::vector<uint8_t>(image.pixels.size())};
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      for (int k = 0; k < image.channels; ++k) {
        out.pixels[(static_cast<size_t>(x) * out.width + y) * out.channels + k] =
            image.pixels[(static_cast<size_t>(y) * image.width + x) * image.channels + k];
      }
    }
  }
  return out;
}

TEST(ImageResizeTest, BothPassOrdersAgree) {
  // A tall image is resized down its columns first and a wide one across its rows first
  // (the smaller buffer); transposing the input must transpose the output, bit for bit,
  // so the two orders compute the same thing.
  for (const auto& [h, w, out_h, out_w] : std::vector<std::array<int, 4>>{
           {4000, 3, 64, 64}, {24, 16, 3, 4}, {37, 5, 9, 70}, {1, 3000, 64, 64}}) {
    Image8 image{h, w, 3, std::vector<uint8_t>(static_cast<size_t>(h) * w * 3)};
    uint32_t state = 777;
    for (uint8_t& p : image.pixels) p = static_cast<uint8_t>((state = state * 1664525u + 1013904223u) >> 24);
    ASSERT_OK_AND_ASSIGN(Image8 direct, ResizeImage(image, out_h, out_w));
    ASSERT_OK_AND_ASSIGN(Image8 swapped, ResizeImage(Transposed(image), out_w, out_h));
    EXPECT_EQ(Transposed(swapped).pixels, direct.pixels) << h << "x" << w << " -> " << out_h << "x" << out_w;
  }
}

TEST(ImageResizeTest, AThinTallImageShrinksToItsMeans) {
  // 1 x 100,000 (tall): each output row averages 1,562.5 input rows; a constant column
  // per channel stays that constant (the buffer is 64 x 1, not 100,000 x 64).
  Image8 image{100000, 1, 3, std::vector<uint8_t>(300000)};
  for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<uint8_t>(10 + 20 * (i % 3));
  ASSERT_OK_AND_ASSIGN(Image8 out, ResizeImage(image, 64, 64));
  ASSERT_EQ(out.pixels.size(), 64u * 64 * 3);
  for (size_t i = 0; i < out.pixels.size(); ++i) ASSERT_EQ(out.pixels[i], 10 + 20 * (i % 3)) << i;
}

TEST(ImageResizeTest, ShrinkingFineStripesGivesGreyNotAliases) {
  // Stripes 2 pixels on, 4 off, shrunk 6x: every output pixel covers one period, so it
  // is a third of white (85); bilinear sampling hits 2 of the 6 pixels, both off (0).
  Image8 image{6, 60, 1, std::vector<uint8_t>(360)};
  for (int y = 0; y < 6; ++y) {
    for (int x = 0; x < 60; ++x) image.pixels[y * 60 + x] = (x % 6) < 2 ? 255 : 0;
  }
  ASSERT_OK_AND_ASSIGN(Image8 area, ResizeImage(image, 1, 10));
  ASSERT_EQ(area.pixels.size(), 10u);
  for (uint8_t p : area.pixels) EXPECT_EQ(p, 85);
  ASSERT_OK_AND_ASSIGN(Image8 bilinear, ResizeBilinear(image, 1, 10));
  EXPECT_EQ(bilinear.pixels[0], 0);
  // A non-integer factor keeps a constant image constant, and growing is bilinear.
  Image8 flat{7, 9, 3, {}};
  for (int i = 0; i < 63; ++i) flat.pixels.insert(flat.pixels.end(), {10, 128, 250});
  ASSERT_OK_AND_ASSIGN(Image8 shrunk, ResizeImage(flat, 3, 4));
  for (int i = 0; i < 12; ++i) EXPECT_EQ(shrunk.pixels[3 * i + 1], 128);
  Image8 two{1, 2, 1, {0, 100}};
  ASSERT_OK_AND_ASSIGN(Image8 grown, ResizeImage(two, 1, 4));
  EXPECT_EQ(grown.pixels, (std::vector<uint8_t>{0, 25, 75, 100}));
}

TEST(ImageResizeTest, Errors) {
  Image8 image{1, 2, 1, {0, 100}};
  EXPECT_THAT(ResizeBilinear(image, 0, 4).status(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("0x4")));
  EXPECT_THAT(ResizeBilinear(Image8{1, 2, 1, {0}}, 2, 2).status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ResizeImage(image, 4, -1).status(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("4x-1")));
  EXPECT_THAT(ResizeImage(Image8{1, 2, 1, {0}}, 2, 2).status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace calico
