// Images to patches: a uint8 HxWx3 image (H and W multiples of 16; other sizes are an
// error, not padded, so no invented pixels reach the model) becomes 16x16 patches in
// raster order, each 16*16*3 floats laid out (row, column, channel), pixel values scaled
// to [-1, 1] and divided by 4 (the square root of the patch size), as in Gato.
//
// Each patch also gets its row and column position for the learned position
// embeddings: the patch's normalised interval [i / n, (i + 1) / n) quantised to 128
// buckets, [floor(128 i / n), floor(128 (i + 1) / n)). In training the index is drawn
// uniformly from that interval; at evaluation it is the interval's rounded mean,
// floor((lo + hi) / 2).
#ifndef CALICO_TOKENIZERS_IMAGE_H_
#define CALICO_TOKENIZERS_IMAGE_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "base/random.h"
#include "base/patch_layout.h"  // kPatchSide, kPatchChannels, kPatchValues
#include "envs/array.h"

namespace calico {

// Buckets of the row / column position embedding tables.
inline constexpr int kPatchPositionBuckets = 128;

// Where a patch sits, quantised to 128 buckets per axis; intervals are [lo, hi).
struct PatchPosition {
  int16_t row_lo = 0;
  int16_t row_hi = 0;
  int16_t col_lo = 0;
  int16_t col_hi = 0;
  int16_t row_index = 0;  // the bucket the row embedding is read from
  int16_t col_index = 0;  // the bucket the column embedding is read from
};

// The quantised interval [lo, hi) of patch `i` of `n` along one axis.
void PatchInterval(int i, int n, int* lo, int* hi);

// Appends the patches of `image` (raster order) to `patches` ([num_patches, 768]) and
// their positions to `positions`. `rng` set: training (random index inside each
// interval); null: evaluation (rounded mean). Errors name `key`: a dtype other than
// uint8, a shape other than [H, W, 3], H or W not a positive multiple of 16, more than
// 128 patches along an axis, or a wrong value count. Outputs are unchanged on error.
absl::Status TokenizeImage(const Array& image, absl::string_view key, Rng* rng,
                           std::vector<float>* patches, std::vector<PatchPosition>* positions);

// Number of patches `image` yields (0 if its shape is not a valid image).
int64_t NumImagePatches(const Array& image);

}  // namespace calico

#endif  // CALICO_TOKENIZERS_IMAGE_H_
