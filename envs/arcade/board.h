// Board: the 10x10 grid of an arcade game as one channel bitmask per cell, and the
// conversions calico needs: unpacking into binary channels, the "pixels" observation
// (an 8x8 block per cell), decoding pixels back to the board, and video frames.
#ifndef CALICO_ENVS_ARCADE_BOARD_H_
#define CALICO_ENVS_ARCADE_BOARD_H_

#include <array>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "envs/array.h"

namespace calico {

// Side of the square grid every arcade game plays on.
inline constexpr int kGridSize = 10;
// Most channels a game may have: masks must stay in [0, 1024), the discrete token range.
inline constexpr int kMaxChannels = 10;
// Side of the block one cell becomes in the "pixels" observation (80x80 for the grid).
inline constexpr int kCellPixels = 8;
inline constexpr int kPixelsSide = kGridSize * kCellPixels;

// The six actions every arcade game accepts (a game ignores those it has no use for).
enum ArcadeAction : int32_t { kNoop = 0, kLeft = 1, kUp = 2, kRight = 3, kDown = 4, kFire = 5 };
inline constexpr int kNumArcadeActions = 6;

// Per-cell channel bitmasks, row-major, row 0 at the top: bit k of a cell is set when
// channel k is on there. Plain value type; not synchronised.
class Board {
 public:
  // `num_channels` in [1, kMaxChannels] (CHECKed: games pass constants).
  explicit Board(int num_channels);

  int num_channels() const { return num_channels_; }

  // Turns every channel of every cell off.
  void Clear() { masks_.fill(0); }
  // Turns `channel` on at (row, col); CHECKs that all three are in range.
  void Set(int row, int col, int channel);
  // Whether `channel` is on at (row, col); false outside the grid (callers probe around
  // objects without bounds checks).
  bool Has(int row, int col, int channel) const;
  // The bitmask of (row, col), in [0, 2^num_channels); CHECKs the position.
  int32_t mask(int row, int col) const;
  // Replaces the bitmask of (row, col); CHECKs the position and that it fits.
  void set_mask(int row, int col, int32_t mask);

  bool operator==(const Board& other) const {
    return num_channels_ == other.num_channels_ && masks_ == other.masks_;
  }
  bool operator!=(const Board& other) const { return !(*this == other); }

 private:
  int num_channels_;
  std::array<int32_t, kGridSize * kGridSize> masks_{};  // [10, 10] row-major
};

// The "board" observation: INT32 [10, 10] of cell masks.
Array BoardToArray(const Board& board);

// Reads a "board" observation back; errors name what is wrong (dtype, shape, a mask
// outside [0, 2^num_channels)).
absl::StatusOr<Board> BoardFromArray(const Array& array, int num_channels);

// Splits a board into binary channels: [10, 10, C] row-major, 1 where channel c is on.
std::vector<uint8_t> UnpackChannels(const Board& board);

// Builds a board from binary channels laid out as UnpackChannels returns them
// ([10, 10, C], values 0 or 1); errors on a wrong size, a channel count outside
// [1, 10] or a value other than 0/1.
absl::StatusOr<Board> PackChannels(const std::vector<uint8_t>& channels, int num_channels);

// Colour of channel k (k < kMaxChannels): each RGB component has its low 4 bits zero,
// so a cell's colour can carry its full mask in those bits (see BoardToPixels).
std::array<uint8_t, 3> ChannelColour(int channel);

// Colour of one cell: black when empty; else the colour of its lowest-numbered channel
// (the one drawn on top) with the cell's whole mask in the low nibbles of R (bits 0-3),
// G (bits 4-7) and B (bits 8-9). The nibbles shift a colour by at most 15/255, which the
// eye does not see, and make the pixels decode exactly even where channels overlap.
std::array<uint8_t, 3> CellColour(int32_t mask);

// The "pixels" observation: UINT8 [80, 80, 3], each cell an 8x8 block of CellColour.
Array BoardToPixels(const Board& board);

// Decodes a "pixels" observation; errors when the array is not [80, 80, 3] uint8, a
// block is not uniform, or a colour is not the CellColour of a mask of `num_channels`
// channels.
absl::StatusOr<Board> BoardFromPixels(const Array& pixels, int num_channels);

// A video frame: UINT8 [height, width, 3], each pixel the colour of the cell it falls in
// (nearest neighbour), with dark grey grid lines when cells are at least 8 pixels on
// both sides. Errors for sizes outside [10, 4096].
absl::StatusOr<Array> RenderBoard(const Board& board, int height, int width);

}  // namespace calico

#endif  // CALICO_ENVS_ARCADE_BOARD_H_
