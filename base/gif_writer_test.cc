#include "base/gif_writer.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "base/file_io.h"
#include "base/random.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

// A GIF reader written from the GIF89a spec, independent of the writer: returns every
// frame's pixels as RGB from the global colour table.
struct DecodedGif {
  int width = 0, height = 0;
  std::vector<std::vector<uint8_t>> frames;
  std::vector<int> delays_cs;
  bool loops = false;
};

std::vector<uint8_t> LzwDecode(const std::string& data, int min_code_size) {
  size_t bit = 0;
  auto read = [&](int width) {
    int code = 0;
    for (int i = 0; i < width; ++i, ++bit) {
      if (bit / 8 >= data.size()) return -1;
      code |= ((static_cast<uint8_t>(data[bit / 8]) >> (bit % 8)) & 1) << i;
    }
    return code;
  };
  const int clear = 1 << min_code_size, end = clear + 1;
  std::vector<std::vector<uint8_t>> table;
  auto reset = [&]() {
    table.clear();
    for (int i = 0; i < clear + 2; ++i) table.push_back({static_cast<uint8_t>(i)});
  };
  reset();
  int width = min_code_size + 1, prev = -1;
  std::vector<uint8_t> out;
  while (true) {
    const int code = read(width);
    if (code < 0 || code == end) break;
    if (code == clear) {
      reset();
      width = min_code_size + 1;
      prev = -1;
      continue;
    }
    std::vector<uint8_t> entry;
    if (prev < 0) {
      entry = table.at(code);
    } else {
      if (code < static_cast<int>(table.size())) {
        entry = table[code];
      } else {
        EXPECT_EQ(code, static_cast<int>(table.size())) << "code beyond the table";
        entry = table.at(prev);
        entry.push_back(table[prev][0]);
      }
      std::vector<uint8_t> added = table[prev];
      added.push_back(entry[0]);
      if (table.size() < 4096) table.push_back(added);
    }
    out.insert(out.end(), entry.begin(), entry.end());
    prev = code;
    if (static_cast<int>(table.size()) == (1 << width) && width < 12) ++width;
  }
  return out;
}

DecodedGif Decode(const std::string& gif) {
  DecodedGif result;
  EXPECT_EQ(gif.substr(0, 6), "GIF89a");
  auto u16 = [&](size_t at) { return static_cast<uint8_t>(gif[at]) | (static_cast<uint8_t>(gif[at + 1]) << 8); };
  result.width = u16(6);
  result.height = u16(8);
  const uint8_t flags = static_cast<uint8_t>(gif[10]);
  EXPECT_TRUE(flags & 0x80) << "global colour table expected";
  const size_t palette_size = size_t{2} << (flags & 7);
  const std::string palette = gif.substr(13, palette_size * 3);
  size_t at = 13 + palette_size * 3;
  int delay = 0;
  while (at < gif.size()) {
    const uint8_t introducer = static_cast<uint8_t>(gif[at]);
    if (introducer == 0x3B) break;
    if (introducer == 0x21) {
      const uint8_t label = static_cast<uint8_t>(gif[at + 1]);
      if (label == 0xF9) delay = u16(at + 4);
      if (label == 0xFF && gif.substr(at + 3, 11) == "NETSCAPE2.0") result.loops = true;
      at += 2;
      while (gif[at] != 0) at += 1 + static_cast<uint8_t>(gif[at]);
      ++at;
      continue;
    }
    EXPECT_EQ(introducer, 0x2C);
    const int w = u16(at + 5), h = u16(at + 7);
    EXPECT_EQ(w, result.width);
    EXPECT_EQ(h, result.height);
    at += 10;
    const int min_code_size = gif[at++];
    std::string data;
    while (gif[at] != 0) {
      const size_t n = static_cast<uint8_t>(gif[at]);
      data += gif.substr(at + 1, n);
      at += 1 + n;
    }
    ++at;
    const std::vector<uint8_t> indices = LzwDecode(data, min_code_size);
    EXPECT_EQ(indices.size(), static_cast<size_t>(w) * h);
    std::vector<uint8_t> rgb;
    for (uint8_t i : indices) {
      for (int c = 0; c < 3; ++c) rgb.push_back(static_cast<uint8_t>(palette[i * 3 + c]));
    }
    result.frames.push_back(rgb);
    result.delays_cs.push_back(delay);
  }
  return result;
}

std::vector<uint8_t> Quantised(const std::vector<uint8_t>& rgb) {
  std::vector<uint8_t> out(rgb.size());
  for (size_t i = 0; i < rgb.size(); i += 3) {
    GifPaletteColor(GifPaletteIndex(rgb[i], rgb[i + 1], rgb[i + 2]), &out[i], &out[i + 1], &out[i + 2]);
  }
  return out;
}

TEST(GifPaletteTest, PrimaryAndGreyColoursSurviveQuantisation) {
  for (auto [r, g, b] : std::vector<std::tuple<int, int, int>>{{0, 0, 0}, {255, 255, 255}, {255, 0, 0}, {0, 0, 255}}) {
    uint8_t qr, qg, qb;
    GifPaletteColor(GifPaletteIndex(r, g, b), &qr, &qg, &qb);
    EXPECT_EQ(qr, r);
    EXPECT_EQ(qg, g);
    EXPECT_EQ(qb, b);
  }
  for (int v = 0; v < 256; ++v) {
    uint8_t qr, qg, qb;
    GifPaletteColor(GifPaletteIndex(v, v, v), &qr, &qg, &qb);
    EXPECT_LE(std::abs(qr - v), 26);  // half a red step of 51
    EXPECT_LE(std::abs(qg - v), 22);  // half a green step of 42.5
    EXPECT_LE(std::abs(qb - v), 26);  // half a blue step of 51
  }
}

TEST(GifWriterTest, FramesDecodeBackWithAnIndependentReader) {
  const int w = 67, h = 45;  // odd sizes; random noise fills the LZW table and forces clears
  Rng rng(1);
  ASSERT_OK_AND_ASSIGN(GifWriter writer, GifWriter::Create(w, h, 50));
  std::vector<std::vector<uint8_t>> frames;
  for (int f = 0; f < 3; ++f) {
    std::vector<uint8_t> rgb(static_cast<size_t>(w) * h * 3);
    for (size_t i = 0; i < rgb.size(); ++i) {
      rgb[i] = f == 0 ? static_cast<uint8_t>(rng.Next()) : static_cast<uint8_t>((i / 3 % w) * 3 + f * 40);
    }
    ASSERT_OK(writer.AddFrame(rgb));
    frames.push_back(rgb);
  }
  ASSERT_OK_AND_ASSIGN(std::string gif, writer.Finish());
  const DecodedGif decoded = Decode(gif);
  EXPECT_EQ(decoded.width, w);
  EXPECT_EQ(decoded.height, h);
  EXPECT_TRUE(decoded.loops);
  ASSERT_EQ(decoded.frames.size(), 3u);
  for (int f = 0; f < 3; ++f) {
    EXPECT_EQ(decoded.frames[f], Quantised(frames[f])) << "frame " << f;
    EXPECT_EQ(decoded.delays_cs[f], 5);
    // Quantised() is the writer's own palette; each decoded channel is also within half a
    // level step of the original (6 red, 7 green, 6 blue levels), independently of it.
    ASSERT_EQ(decoded.frames[f].size(), frames[f].size());
    constexpr int kHalfStep[3] = {26, 22, 26};
    for (size_t i = 0; i < frames[f].size(); ++i) {
      ASSERT_LE(std::abs(int{decoded.frames[f][i]} - int{frames[f][i]}), kHalfStep[i % 3])
          << "frame " << f << " byte " << i;
    }
  }
}

TEST(GifWriterTest, LargeUniformFrameCompressesWell) {
  ASSERT_OK_AND_ASSIGN(GifWriter writer, GifWriter::Create(320, 240, 40));
  ASSERT_OK(writer.AddFrame(std::vector<uint8_t>(320 * 240 * 3, 128)));
  ASSERT_OK_AND_ASSIGN(std::string gif, writer.Finish());
  EXPECT_LT(gif.size(), 5000u);
  EXPECT_EQ(Decode(gif).frames[0], Quantised(std::vector<uint8_t>(320 * 240 * 3, 128)));
}

TEST(GifWriterTest, BadInputIsRejected) {
  EXPECT_THAT(GifWriter::Create(0, 10, 50), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("0x10")));
  EXPECT_THAT(GifWriter::Create(10, 10, -1), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("delay")));
  ASSERT_OK_AND_ASSIGN(GifWriter writer, GifWriter::Create(4, 4, 50));
  EXPECT_THAT(writer.AddFrame(std::vector<uint8_t>(10)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("has 10 bytes; a 4x4 RGB frame has 48")));
  EXPECT_THAT(writer.Finish(), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("at least one frame")));
}

TEST(GifWriterTest, WriteFileWritesTheSameBytes) {
  ASSERT_OK_AND_ASSIGN(GifWriter writer, GifWriter::Create(16, 16, 100));
  ASSERT_OK(writer.AddFrame(std::vector<uint8_t>(16 * 16 * 3, 7)));
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/a.gif";
  ASSERT_OK(writer.WriteFile(path));
  ASSERT_OK_AND_ASSIGN(std::string bytes, ReadFile(path));
  EXPECT_EQ(bytes, *writer.Finish());
}

}  // namespace
}  // namespace calico
