#include "base/image_resize.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace calico {
namespace {

// Source coordinate of output index `i` along an axis of `in` -> `out` samples: the two
// neighbours and the weight of the second.
struct Tap {
  int lo, hi;
  double t;
};

Tap TapFor(int i, int in, int out) {
  const double x = std::clamp((i + 0.5) * in / out - 0.5, 0.0, static_cast<double>(in - 1));
  const int lo = static_cast<int>(std::floor(x));
  const int hi = std::min(lo + 1, in - 1);
  return {lo, hi, x - lo};
}

}  // namespace

absl::StatusOr<Image8> ResizeBilinear(const Image8& image, int height, int width) {
  RETURN_IF_ERROR(ValidateImage8(image));
  if (height < 1 || width < 1) {
    return absl::InvalidArgumentError(absl::StrCat("resize to ", height, "x", width, ": expected positive sides"));
  }
  if (height == image.height && width == image.width) return image;
  Image8 out;
  out.height = height;
  out.width = width;
  out.channels = image.channels;
  out.pixels.resize(static_cast<size_t>(height) * width * image.channels);  // [height, width, channels]
  const int c = image.channels;
  for (int r = 0; r < height; ++r) {
    const Tap tr = TapFor(r, image.height, height);
    for (int col = 0; col < width; ++col) {
      const Tap tc = TapFor(col, image.width, width);
      for (int k = 0; k < c; ++k) {
        auto at = [&](int y, int x) { return static_cast<double>(image.pixels[(static_cast<size_t>(y) * image.width + x) * c + k]); };
        const double top = at(tr.lo, tc.lo) * (1 - tc.t) + at(tr.lo, tc.hi) * tc.t;
        const double bottom = at(tr.hi, tc.lo) * (1 - tc.t) + at(tr.hi, tc.hi) * tc.t;
        const double value = top * (1 - tr.t) + bottom * tr.t;
        out.pixels[(static_cast<size_t>(r) * width + col) * c + k] =
            static_cast<uint8_t>(std::clamp(std::lround(value), 0L, 255L));
      }
    }
  }
  return out;
}

}  // namespace calico
