#include "envs/arcade/board.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "envs/arcade/check.h"

namespace calico {
namespace {

constexpr int kCells = kGridSize * kGridSize;
constexpr int kMaxRenderSide = 4096;

// Ten well-separated colours (high nibbles only): paddle/player first, then moving
// objects, then the background-ish kinds.
constexpr uint8_t kPalette[kMaxChannels][3] = {
    {0xF0, 0xF0, 0xF0},  // 0 white
    {0xF0, 0x40, 0x30},  // 1 red
    {0x70, 0x70, 0xA0},  // 2 slate
    {0x30, 0xC0, 0x40},  // 3 green
    {0xF0, 0xC0, 0x20},  // 4 yellow
    {0x30, 0x70, 0xF0},  // 5 blue
    {0xC0, 0x40, 0xC0},  // 6 magenta
    {0x20, 0xC0, 0xC0},  // 7 cyan
    {0xF0, 0x80, 0x30},  // 8 orange
    {0x90, 0x60, 0x30},  // 9 brown
};

bool InGrid(int row, int col) { return row >= 0 && row < kGridSize && col >= 0 && col < kGridSize; }

}  // namespace

Board::Board(int num_channels) : num_channels_(num_channels) {
  ARCADE_CHECK(num_channels >= 1 && num_channels <= kMaxChannels);
}

void Board::Set(int row, int col, int channel) {
  ARCADE_CHECK(InGrid(row, col));
  ARCADE_CHECK(channel >= 0 && channel < num_channels_);
  masks_[row * kGridSize + col] |= 1 << channel;
}

bool Board::Has(int row, int col, int channel) const {
  if (!InGrid(row, col)) return false;
  return (masks_[row * kGridSize + col] >> channel) & 1;
}

int32_t Board::mask(int row, int col) const {
  ARCADE_CHECK(InGrid(row, col));
  return masks_[row * kGridSize + col];
}

void Board::set_mask(int row, int col, int32_t mask) {
  ARCADE_CHECK(InGrid(row, col));
  ARCADE_CHECK(mask >= 0 && mask < (1 << num_channels_));
  masks_[row * kGridSize + col] = mask;
}

Array BoardToArray(const Board& board) {
  std::vector<int32_t> values(kCells);  // [10, 10]
  for (int r = 0; r < kGridSize; ++r) {
    for (int c = 0; c < kGridSize; ++c) values[r * kGridSize + c] = board.mask(r, c);
  }
  return Array::Int({kGridSize, kGridSize}, std::move(values));
}

absl::StatusOr<Board> BoardFromArray(const Array& array, int num_channels) {
  if (num_channels < 1 || num_channels > kMaxChannels) {
    return absl::InvalidArgumentError(absl::StrCat("board: channel count must be in [1, 10], got ", num_channels));
  }
  if (array.dtype != DType::kInt32 || array.shape != std::vector<int64_t>{kGridSize, kGridSize} ||
      static_cast<int>(array.ints.size()) != kCells) {
    return absl::InvalidArgumentError(absl::StrCat("board: expected int32 [10, 10] with 100 values, got ",
                                                   DTypeName(array.dtype), " ", ShapeString(array.shape)));
  }
  Board board(num_channels);
  for (int i = 0; i < kCells; ++i) {
    const int32_t mask = array.ints[i];
    if (mask < 0 || mask >= (1 << num_channels)) {
      return absl::OutOfRangeError(absl::StrCat("board cell [", i / kGridSize, ", ", i % kGridSize, "] = ", mask,
                                                "; expected a mask in [0, ", (1 << num_channels) - 1, "]"));
    }
    board.set_mask(i / kGridSize, i % kGridSize, mask);
  }
  return board;
}

std::vector<uint8_t> UnpackChannels(const Board& board) {
  const int n = board.num_channels();
  std::vector<uint8_t> channels(kCells * n);  // [10, 10, C]
  for (int r = 0; r < kGridSize; ++r) {
    for (int c = 0; c < kGridSize; ++c) {
      for (int k = 0; k < n; ++k) channels[(r * kGridSize + c) * n + k] = board.Has(r, c, k) ? 1 : 0;
    }
  }
  return channels;
}

absl::StatusOr<Board> PackChannels(const std::vector<uint8_t>& channels, int num_channels) {
  if (num_channels < 1 || num_channels > kMaxChannels) {
    return absl::InvalidArgumentError(absl::StrCat("channels: count must be in [1, 10], got ", num_channels));
  }
  if (static_cast<int>(channels.size()) != kCells * num_channels) {
    return absl::InvalidArgumentError(absl::StrCat("channels: expected 10 * 10 * ", num_channels, " = ",
                                                   kCells * num_channels, " values, got ", channels.size()));
  }
  Board board(num_channels);
  for (int i = 0; i < kCells; ++i) {
    for (int k = 0; k < num_channels; ++k) {
      const uint8_t v = channels[i * num_channels + k];
      if (v > 1) {
        return absl::InvalidArgumentError(absl::StrCat("channels: cell [", i / kGridSize, ", ", i % kGridSize,
                                                       "] channel ", k, " = ", v, "; expected 0 or 1"));
      }
      if (v) board.Set(i / kGridSize, i % kGridSize, k);
    }
  }
  return board;
}

std::array<uint8_t, 3> ChannelColour(int channel) {
  ARCADE_CHECK(channel >= 0 && channel < kMaxChannels);
  return {kPalette[channel][0], kPalette[channel][1], kPalette[channel][2]};
}

std::array<uint8_t, 3> CellColour(int32_t mask) {
  if (mask == 0) return {0, 0, 0};
  int top = 0;
  while (!((mask >> top) & 1)) ++top;
  std::array<uint8_t, 3> colour = ChannelColour(top);
  colour[0] |= mask & 0xF;
  colour[1] |= (mask >> 4) & 0xF;
  colour[2] |= (mask >> 8) & 0xF;
  return colour;
}

Array BoardToPixels(const Board& board) {
  std::vector<uint8_t> bytes(kPixelsSide * kPixelsSide * 3);  // [80, 80, 3]
  for (int r = 0; r < kGridSize; ++r) {
    // One pixel row of this grid row, then copied down the block.
    uint8_t* first = &bytes[r * kCellPixels * kPixelsSide * 3];
    for (int c = 0; c < kGridSize; ++c) {
      const std::array<uint8_t, 3> colour = CellColour(board.mask(r, c));
      for (int x = 0; x < kCellPixels; ++x) {
        uint8_t* p = first + (c * kCellPixels + x) * 3;
        p[0] = colour[0];
        p[1] = colour[1];
        p[2] = colour[2];
      }
    }
    for (int y = 1; y < kCellPixels; ++y) std::copy(first, first + kPixelsSide * 3, first + y * kPixelsSide * 3);
  }
  return Array::Uint8({kPixelsSide, kPixelsSide, 3}, std::move(bytes));
}

absl::StatusOr<Board> BoardFromPixels(const Array& pixels, int num_channels) {
  if (num_channels < 1 || num_channels > kMaxChannels) {
    return absl::InvalidArgumentError(absl::StrCat("pixels: channel count must be in [1, 10], got ", num_channels));
  }
  if (pixels.dtype != DType::kUint8 || pixels.shape != std::vector<int64_t>{kPixelsSide, kPixelsSide, 3} ||
      static_cast<int>(pixels.bytes.size()) != kPixelsSide * kPixelsSide * 3) {
    return absl::InvalidArgumentError(absl::StrCat("pixels: expected uint8 [80, 80, 3] with 19200 values, got ",
                                                   DTypeName(pixels.dtype), " ", ShapeString(pixels.shape)));
  }
  Board board(num_channels);
  for (int r = 0; r < kGridSize; ++r) {
    for (int c = 0; c < kGridSize; ++c) {
      const uint8_t* first = &pixels.bytes[((r * kCellPixels) * kPixelsSide + c * kCellPixels) * 3];
      for (int y = 0; y < kCellPixels; ++y) {
        for (int x = 0; x < kCellPixels; ++x) {
          const uint8_t* p = &pixels.bytes[((r * kCellPixels + y) * kPixelsSide + c * kCellPixels + x) * 3];
          if (p[0] != first[0] || p[1] != first[1] || p[2] != first[2]) {
            return absl::InvalidArgumentError(
                absl::StrCat("pixels: the 8x8 block of cell [", r, ", ", c, "] is not one colour"));
          }
        }
      }
      const int32_t mask = (first[0] & 0xF) | ((first[1] & 0xF) << 4) | ((first[2] & 0xF) << 8);
      const std::array<uint8_t, 3> expected = CellColour(mask);
      if (mask >= (1 << num_channels) || expected[0] != first[0] || expected[1] != first[1] ||
          expected[2] != first[2]) {
        return absl::InvalidArgumentError(absl::StrCat("pixels: cell [", r, ", ", c, "] has colour (", first[0], ", ",
                                                       first[1], ", ", first[2], "), which is no cell colour of a ",
                                                       num_channels, "-channel game"));
      }
      board.set_mask(r, c, mask);
    }
  }
  return board;
}

absl::StatusOr<Array> RenderBoard(const Board& board, int height, int width) {
  if (height < kGridSize || width < kGridSize || height > kMaxRenderSide || width > kMaxRenderSide) {
    return absl::InvalidArgumentError(absl::StrCat("render size ", height, "x", width,
                                                   ": each side must be in [10, 4096]"));
  }
  // Grid lines only where a cell is big enough that a line does not hide it.
  const bool grid = height >= kGridSize * 8 && width >= kGridSize * 8;
  std::vector<uint8_t> bytes(static_cast<size_t>(height) * width * 3);  // [height, width, 3]
  for (int y = 0; y < height; ++y) {
    const int row = y * kGridSize / height;
    const bool row_edge = grid && (y + 1) * kGridSize / height != row;
    for (int x = 0; x < width; ++x) {
      const int col = x * kGridSize / width;
      const bool col_edge = grid && (x + 1) * kGridSize / width != col;
      std::array<uint8_t, 3> colour = CellColour(board.mask(row, col));
      if (row_edge || col_edge) colour = {0x28, 0x28, 0x28};
      uint8_t* p = &bytes[(static_cast<size_t>(y) * width + x) * 3];
      p[0] = colour[0];
      p[1] = colour[1];
      p[2] = colour[2];
    }
  }
  return Array::Uint8({height, width, 3}, std::move(bytes));
}

}  // namespace calico
