#include "base/png.h"

#include <png.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "base/file_io.h"
#include "base/random.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Image8 Pattern(int height, int width, int channels) {
  Image8 image{height, width, channels, {}};
  for (int r = 0; r < height; ++r) {
    for (int c = 0; c < width; ++c) {
      for (int k = 0; k < channels; ++k) image.pixels.push_back(static_cast<uint8_t>(r * 7 + c * 13 + k * 61));
    }
  }
  return image;
}

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

TEST(PngTest, RoundTripsGrayRgbAndRgba) {
  for (int channels : {1, 3, 4}) {
    const Image8 image = Pattern(24, 40, channels);
    ASSERT_OK_AND_ASSIGN(std::string bytes, EncodePng(image));
    ASSERT_OK_AND_ASSIGN(Image8 back, DecodePng(bytes, channels, "mem"));
    EXPECT_EQ(back.height, 24);
    EXPECT_EQ(back.width, 40);
    EXPECT_EQ(back.channels, channels);
    EXPECT_EQ(back.pixels, image.pixels) << channels;
  }
}

TEST(PngTest, WritesAndReadsFiles) {
  const Image8 image = Pattern(16, 16, 3);
  const std::string path = TempPath("round.png");
  ASSERT_OK(WritePng(path, image));
  ASSERT_OK_AND_ASSIGN(Image8 back, ReadPng(path, 3));
  EXPECT_EQ(back.pixels, image.pixels);
}

TEST(PngTest, ConvertsGrayToRgbAndDropsAlphaOntoBlack) {
  Image8 gray{2, 2, 1, {0, 100, 200, 255}};
  ASSERT_OK_AND_ASSIGN(std::string bytes, EncodePng(gray));
  ASSERT_OK_AND_ASSIGN(Image8 rgb, DecodePng(bytes, 3, "gray"));
  EXPECT_EQ(rgb.pixels, (std::vector<uint8_t>{0, 0, 0, 100, 100, 100, 200, 200, 200, 255, 255, 255}));
  Image8 rgba{1, 2, 4, {10, 20, 30, 255, 200, 100, 50, 0}};
  ASSERT_OK_AND_ASSIGN(bytes, EncodePng(rgba));
  ASSERT_OK_AND_ASSIGN(Image8 flat, DecodePng(bytes, 3, "rgba"));
  EXPECT_EQ(flat.pixels, (std::vector<uint8_t>{10, 20, 30, 0, 0, 0}));
}

TEST(PngTest, MissingFileNamesThePath) {
  EXPECT_THAT(ReadPng(TempPath("no-such.png"), 3).status(), StatusIs(absl::StatusCode::kNotFound, HasSubstr("no-such.png")));
}

TEST(PngTest, NonPngDataIsRefused) {
  EXPECT_THAT(DecodePng("", 3, "empty.png"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty.png is not a PNG")));
  EXPECT_THAT(DecodePng("GIF89a....", 3, "x.gif"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a PNG")));
  EXPECT_THAT(DecodePng(std::string("\x89PNG\r\n\x1a\n", 8), 3, "sig"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sig")));
  EXPECT_THAT(DecodePng("abc", 2, "x"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1, 3 or 4")));
}

// Every 97th truncation of a real PNG is an error (never a crash or a silent success);
// the whole file decodes.
Image8 Noise(int height, int width, uint64_t seed) {
  Rng rng(seed);
  Image8 image{height, width, 3, std::vector<uint8_t>(static_cast<size_t>(height) * width * 3)};
  for (uint8_t& v : image.pixels) v = static_cast<uint8_t>(rng.Next());
  return image;
}

TEST(PngTest, EveryTruncationIsAnError) {
  ASSERT_OK_AND_ASSIGN(std::string bytes, EncodePng(Noise(48, 64, 1)));
  ASSERT_GT(bytes.size(), 500u);
  for (size_t n = 0; n < bytes.size(); n += 97) {
    EXPECT_FALSE(DecodePng(bytes.substr(0, n), 3, "cut").ok()) << n << " of " << bytes.size();
  }
  for (size_t n = bytes.size() - 12; n < bytes.size(); ++n) {
    // Dropping (part of) the IEND chunk: libpng may or may not need it; never crash.
    (void)DecodePng(bytes.substr(0, n), 3, "cut");
  }
  EXPECT_OK(DecodePng(bytes, 3, "whole").status());
}

// Random bytes, and random bytes after a valid signature, and single-byte corruptions:
// errors or (for some corruptions libpng cannot detect) an image of the right shape.
TEST(PngTest, RandomAndCorruptBytesNeverCrash) {
  Rng rng(42);
  for (int i = 0; i < 200; ++i) {
    std::string junk(static_cast<size_t>(rng.UniformInt(0, 400)), '\0');
    for (char& c : junk) c = static_cast<char>(rng.Next());
    EXPECT_FALSE(DecodePng(junk, 3, "junk").ok());
    EXPECT_FALSE(DecodePng(std::string("\x89PNG\r\n\x1a\n", 8) + junk, 3, "junk").ok());
  }
  ASSERT_OK_AND_ASSIGN(std::string bytes, EncodePng(Noise(32, 32, 2)));
  int errors = 0;
  for (int i = 0; i < 300; ++i) {
    std::string bad = bytes;
    bad[rng.UniformInt(8, bad.size())] ^= static_cast<char>(1 + rng.UniformInt(0, 255));
    absl::StatusOr<Image8> image = DecodePng(bad, 3, "flip");
    if (image.ok()) {
      EXPECT_EQ(image->pixels.size(), 32u * 32u * 3u);
    } else {
      ++errors;
    }
  }
  EXPECT_GT(errors, 250);  // the chunk CRCs catch almost every flip
}

// A hand-made 16-bit grayscale PNG (libpng writes it for us through the simplified API's
// linear format) is refused with a clear message.
TEST(PngTest, SixteenBitIsRefused) {
  png_image png;
  std::memset(&png, 0, sizeof(png));
  png.version = PNG_IMAGE_VERSION;
  png.width = 2;
  png.height = 2;
  png.format = PNG_FORMAT_LINEAR_Y;
  const uint16_t pixels[4] = {0, 1000, 30000, 65535};
  png_alloc_size_t size = 0;
  ASSERT_TRUE(png_image_write_to_memory(&png, nullptr, &size, 0, pixels, 0, nullptr));
  std::string bytes(size, '\0');
  ASSERT_TRUE(png_image_write_to_memory(&png, bytes.data(), &size, 0, pixels, 0, nullptr));
  EXPECT_THAT(DecodePng(bytes, 3, "deep.png"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("16-bit")));
}

// A side past libpng's limit is named (libpng itself says only "Invalid IHDR data"); the
// header of a real 1x2 PNG is edited to declare the sides.
TEST(PngTest, ASideLongerThanLibpngReadsIsNamed) {
  ASSERT_OK_AND_ASSIGN(std::string bytes, EncodePng(Image8{1, 2, 1, {7, 9}}));
  auto declare = [&](uint32_t height, uint32_t width) {
    std::string edited = bytes;
    for (int k = 0; k < 4; ++k) {
      edited[16 + k] = static_cast<char>(width >> (24 - 8 * k));
      edited[20 + k] = static_cast<char>(height >> (24 - 8 * k));
    }
    return DecodePng(edited, 1, "tall.png");
  };
  EXPECT_THAT(declare(4194304, 1), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("tall.png is 4194304x1; libpng reads sides of at most 1000000")));
  EXPECT_THAT(declare(1, 1000001), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is 1x1000001")));
  // At the limit the header's own CRC (not updated here) is what fails.
  EXPECT_THAT(declare(1000000, 1), StatusIs(absl::StatusCode::kInvalidArgument, Not(HasSubstr("libpng reads sides"))));
}

TEST(PngTest, EncodeRejectsInvalidImages) {
  EXPECT_THAT(EncodePng(Image8{2, 2, 2, std::vector<uint8_t>(8)}).status(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("channels")));
  EXPECT_THAT(EncodePng(Image8{2, 2, 3, std::vector<uint8_t>(5)}).status(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected 12")));
  EXPECT_THAT(EncodePng(Image8{0, 2, 3, {}}).status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace calico
