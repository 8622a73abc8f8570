#include "envs/arcade/board.h"

#include "base/random.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

Board RandomBoard(int channels, uint64_t seed) {
  Rng rng(seed);
  Board board(channels);
  for (int r = 0; r < kGridSize; ++r) {
    for (int c = 0; c < kGridSize; ++c) board.set_mask(r, c, static_cast<int32_t>(rng.UniformInt(0, 1 << channels)));
  }
  return board;
}

TEST(BoardTest, SetTurnsOnOneBitPerChannel) {
  Board board(4);
  board.Set(2, 3, 0);
  board.Set(2, 3, 3);
  EXPECT_EQ(board.mask(2, 3), 0b1001);
  EXPECT_TRUE(board.Has(2, 3, 3));
  EXPECT_FALSE(board.Has(2, 3, 1));
  EXPECT_FALSE(board.Has(-1, 3, 0));  // outside the grid is empty
  EXPECT_FALSE(board.Has(2, 10, 0));
  board.Clear();
  EXPECT_EQ(board.mask(2, 3), 0);
}

TEST(BoardTest, ChannelsRoundTripThroughMasks) {
  for (int channels = 1; channels <= kMaxChannels; ++channels) {
    const Board board = RandomBoard(channels, channels);
    const std::vector<uint8_t> unpacked = UnpackChannels(board);
    ASSERT_EQ(unpacked.size(), 100u * channels);
    // Cell (r, c) channel k sits at [(r * 10 + c) * C + k] and equals bit k of the mask.
    for (int r = 0; r < kGridSize; ++r) {
      for (int c = 0; c < kGridSize; ++c) {
        for (int k = 0; k < channels; ++k) {
          EXPECT_EQ(unpacked[(r * kGridSize + c) * channels + k], (board.mask(r, c) >> k) & 1);
        }
      }
    }
    ASSERT_OK_AND_ASSIGN(Board packed, PackChannels(unpacked, channels));
    EXPECT_TRUE(packed == board) << channels;
  }
}

TEST(BoardTest, PackRejectsBadChannels) {
  EXPECT_THAT(PackChannels(std::vector<uint8_t>(99 * 4), 4),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("400 values")));
  std::vector<uint8_t> two(400, 0);
  two[5] = 2;
  EXPECT_THAT(PackChannels(two, 4), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected 0 or 1")));
  EXPECT_THAT(PackChannels(std::vector<uint8_t>(1100), 11),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("[1, 10]")));
}

TEST(BoardTest, ArrayIsInt32TenByTenWithinBounds) {
  const Board board = RandomBoard(10, 7);
  const Array array = BoardToArray(board);
  EXPECT_EQ(array.dtype, DType::kInt32);
  EXPECT_EQ(array.shape, (std::vector<int64_t>{10, 10}));
  for (int32_t v : array.ints) {
    EXPECT_GE(v, 0);
    EXPECT_LE(v, 1023);
  }
  ASSERT_OK_AND_ASSIGN(Board back, BoardFromArray(array, 10));
  EXPECT_TRUE(back == board);
}

TEST(BoardTest, ArrayWithMaskBeyondChannelsIsRejected) {
  Array array = BoardToArray(Board(4));
  array.ints[37] = 16;  // bit 4 of a 4-channel game
  EXPECT_THAT(BoardFromArray(array, 4), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("[3, 7] = 16")));
  array.shape = {100};
  EXPECT_THAT(BoardFromArray(array, 4), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("int32 [10, 10]")));
}

TEST(BoardTest, CellColourIsTheTopChannelColourWithTheMaskInLowNibbles) {
  EXPECT_EQ(CellColour(0), (std::array<uint8_t, 3>{0, 0, 0}));
  for (int k = 0; k < kMaxChannels; ++k) {
    const std::array<uint8_t, 3> base = ChannelColour(k);
    for (uint8_t v : base) EXPECT_EQ(v & 0xF, 0) << k;
    const std::array<uint8_t, 3> single = CellColour(1 << k);
    for (int ch = 0; ch < 3; ++ch) EXPECT_EQ(single[ch] & 0xF0, base[ch]) << k;
  }
  // Channels 1 and 6 together: drawn in channel 1's colour, mask 0b1000010 in the nibbles.
  const std::array<uint8_t, 3> both = CellColour(0b1000010);
  EXPECT_EQ(both[0], ChannelColour(1)[0] | 0x2);
  EXPECT_EQ(both[1], ChannelColour(1)[1] | 0x4);
  EXPECT_EQ(both[2], ChannelColour(1)[2]);
  // Distinct channels have distinct colours.
  for (int a = 0; a < kMaxChannels; ++a) {
    for (int b = a + 1; b < kMaxChannels; ++b) EXPECT_NE(ChannelColour(a), ChannelColour(b));
  }
}

TEST(BoardTest, PixelBlocksHaveTheirCellsColour) {
  const Board board = RandomBoard(7, 3);
  const Array pixels = BoardToPixels(board);
  EXPECT_EQ(pixels.dtype, DType::kUint8);
  EXPECT_EQ(pixels.shape, (std::vector<int64_t>{80, 80, 3}));
  for (int y = 0; y < 80; ++y) {
    for (int x = 0; x < 80; ++x) {
      const std::array<uint8_t, 3> expected = CellColour(board.mask(y / 8, x / 8));
      for (int ch = 0; ch < 3; ++ch) ASSERT_EQ(pixels.bytes[(y * 80 + x) * 3 + ch], expected[ch]) << y << "," << x;
    }
  }
  ASSERT_OK_AND_ASSIGN(Board decoded, BoardFromPixels(pixels, 7));
  EXPECT_TRUE(decoded == board);
}

TEST(BoardTest, PixelsThatAreNoBoardAreRejected) {
  Array pixels = BoardToPixels(RandomBoard(4, 5));
  Array spotted = pixels;
  spotted.bytes[(3 * 80 + 4) * 3] ^= 0x80;  // one pixel in cell [0, 0]
  EXPECT_THAT(BoardFromPixels(spotted, 4), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not one colour")));
  Array wrong = pixels;
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 8; ++x) wrong.bytes[(y * 80 + x) * 3 + 1] = 0x13;  // a colour no cell has
  }
  EXPECT_THAT(BoardFromPixels(wrong, 4), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no cell colour")));
  EXPECT_THAT(BoardFromPixels(pixels, 2), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("2-channel")));
  pixels.shape = {40, 160, 3};
  EXPECT_THAT(BoardFromPixels(pixels, 4), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("[80, 80, 3]")));
}

TEST(BoardTest, RenderScalesCellsByNearestNeighbour) {
  Board board(4);
  board.Set(0, 0, 1);
  board.Set(9, 9, 3);
  ASSERT_OK_AND_ASSIGN(Array small, RenderBoard(board, 10, 20));
  EXPECT_EQ(small.shape, (std::vector<int64_t>{10, 20, 3}));
  auto pixel = [](const Array& image, int y, int x) {
    const int w = static_cast<int>(image.shape[1]);
    return std::array<uint8_t, 3>{image.bytes[(y * w + x) * 3], image.bytes[(y * w + x) * 3 + 1],
                                  image.bytes[(y * w + x) * 3 + 2]};
  };
  EXPECT_EQ(pixel(small, 0, 0), CellColour(0b10));
  EXPECT_EQ(pixel(small, 0, 1), CellColour(0b10));  // cell [0, 0] is two pixels wide
  EXPECT_EQ(pixel(small, 0, 2), CellColour(0));
  EXPECT_EQ(pixel(small, 9, 19), CellColour(0b1000));
  ASSERT_OK_AND_ASSIGN(Array big, RenderBoard(board, 100, 100));
  EXPECT_EQ(pixel(big, 3, 3), CellColour(0b10));
  EXPECT_EQ(pixel(big, 9, 3), (std::array<uint8_t, 3>{0x28, 0x28, 0x28}));  // grid line
  EXPECT_THAT(RenderBoard(board, 9, 100), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("[10, 4096]")));
  EXPECT_THAT(RenderBoard(board, 100, 5000), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("100x5000")));
}

}  // namespace
}  // namespace calico
