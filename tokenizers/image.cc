#include "tokenizers/image.h"

#include "absl/strings/str_cat.h"

namespace calico {
namespace {

// Pixel byte -> model input: (p / 255 * 2 - 1) / 4, as a lookup table.
struct PixelTable {
  float value[256];
  PixelTable() {
    for (int p = 0; p < 256; ++p) value[p] = static_cast<float>((p / 255.0 * 2.0 - 1.0) / 4.0);
  }
};

const PixelTable& Pixels() {
  static const PixelTable* table = new PixelTable();
  return *table;
}

int16_t PositionIndex(int lo, int hi, Rng* rng) {
  if (rng != nullptr) return static_cast<int16_t>(rng->UniformInt(lo, hi));
  return static_cast<int16_t>((lo + hi) / 2);
}

}  // namespace

void PatchInterval(int i, int n, int* lo, int* hi) {
  *lo = i * kPatchPositionBuckets / n;
  *hi = (i + 1) * kPatchPositionBuckets / n;
}

int64_t NumImagePatches(const Array& image) {
  if (image.shape.size() != 3 || image.shape[0] % kPatchSide != 0 || image.shape[1] % kPatchSide != 0) {
    return 0;
  }
  return (image.shape[0] / kPatchSide) * (image.shape[1] / kPatchSide);
}

absl::Status TokenizeImage(const Array& image, absl::string_view key, Rng* rng,
                           std::vector<float>* patches, std::vector<PatchPosition>* positions) {
  const std::string where = absl::StrCat("image '", key, "'");
  if (image.dtype != DType::kUint8) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": dtype is ", DTypeName(image.dtype), "; expected uint8"));
  }
  if (image.shape.size() != 3 || image.shape[2] != kPatchChannels) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": shape is ", ShapeString(image.shape), "; expected [H, W, 3]"));
  }
  const int64_t height = image.shape[0], width = image.shape[1];
  if (height <= 0 || width <= 0 || height % kPatchSide != 0 || width % kPatchSide != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": shape is ", ShapeString(image.shape),
        "; height and width must be positive multiples of 16 (calico does not pad images)"));
  }
  const int rows = static_cast<int>(height / kPatchSide), cols = static_cast<int>(width / kPatchSide);
  if (rows > kPatchPositionBuckets || cols > kPatchPositionBuckets) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", rows, "x", cols,
                                                   " patches; at most 128 per axis fit the position tables"));
  }
  if (static_cast<int64_t>(image.bytes.size()) != height * width * kPatchChannels) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": holds ", image.bytes.size(), " bytes; shape ",
                                                   ShapeString(image.shape), " needs ",
                                                   height * width * kPatchChannels));
  }
  const float* table = Pixels().value;
  const size_t first_patch = patches->size();
  patches->resize(first_patch + static_cast<size_t>(rows) * cols * kPatchValues);
  float* out = patches->data() + first_patch;  // [rows * cols, 16, 16, 3]
  const uint8_t* pixels = image.bytes.data();   // [height, width, 3]
  const int64_t row_stride = width * kPatchChannels;
  for (int r = 0; r < rows; ++r) {
    int row_lo, row_hi;
    PatchInterval(r, rows, &row_lo, &row_hi);
    for (int c = 0; c < cols; ++c) {
      int col_lo, col_hi;
      PatchInterval(c, cols, &col_lo, &col_hi);
      for (int y = 0; y < kPatchSide; ++y) {
        const uint8_t* src = pixels + (r * kPatchSide + y) * row_stride + c * kPatchSide * kPatchChannels;
        for (int k = 0; k < kPatchSide * kPatchChannels; ++k) out[k] = table[src[k]];
        out += kPatchSide * kPatchChannels;
      }
      PatchPosition pos;
      pos.row_lo = static_cast<int16_t>(row_lo);
      pos.row_hi = static_cast<int16_t>(row_hi);
      pos.col_lo = static_cast<int16_t>(col_lo);
      pos.col_hi = static_cast<int16_t>(col_hi);
      pos.row_index = PositionIndex(row_lo, row_hi, rng);
      pos.col_index = PositionIndex(col_lo, col_hi, rng);
      positions->push_back(pos);
    }
  }
  return absl::OkStatus();
}

}  // namespace calico
