#include "base/image_resize.h"

#include <algorithm>
#include <cmath>
#include <vector>

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

// One output sample along an axis: input indices and their weights (summing to 1).
struct Taps {
  std::vector<int> index;
  std::vector<double> weight;
};

// The taps of every output index along an axis of `in` -> `out` samples: the input
// interval [i * in / out, (i + 1) * in / out) weighted by overlap when shrinking, the
// two bilinear neighbours otherwise.
std::vector<Taps> AxisTaps(int in, int out) {
  std::vector<Taps> taps(out);
  for (int i = 0; i < out; ++i) {
    if (in > out) {
      const double begin = static_cast<double>(i) * in / out, end = static_cast<double>(i + 1) * in / out;
      for (int j = static_cast<int>(std::floor(begin)); j < in && j < end; ++j) {
        const double overlap = std::min(end, j + 1.0) - std::max(begin, static_cast<double>(j));
        if (overlap <= 0) continue;
        taps[i].index.push_back(j);
        taps[i].weight.push_back(overlap / (end - begin));
      }
    } else {
      const Tap t = TapFor(i, in, out);
      taps[i].index = {t.lo, t.hi};
      taps[i].weight = {1 - t.t, t.t};
    }
  }
  return taps;
}

}  // namespace

absl::StatusOr<Image8> ResizeImage(const Image8& image, int height, int width) {
  RETURN_IF_ERROR(ValidateImage8(image));
  if (height < 1 || width < 1) {
    return absl::InvalidArgumentError(absl::StrCat("resize to ", height, "x", width, ": expected positive sides"));
  }
  if (height == image.height && width == image.width) return image;
  const int c = image.channels;
  const std::vector<Taps> across = AxisTaps(image.width, width), down = AxisTaps(image.height, height);
  // Separable, through a double buffer of one axis already resized: [image.height, width]
  // (across first) or [height, image.width] (down first), whichever is smaller, so a
  // 1 x 1,000,000 image needs 64 x 1 x c doubles, not 1,000,000 x 64 x c.
  const bool across_first = static_cast<double>(image.height) * width <= static_cast<double>(height) * image.width;
  const int mid_h = across_first ? image.height : height, mid_w = across_first ? width : image.width;
  std::vector<double> mid(static_cast<size_t>(mid_h) * mid_w * c, 0.0);
  for (int y = 0; y < mid_h; ++y) {
    for (int x = 0; x < mid_w; ++x) {
      double* acc = &mid[(static_cast<size_t>(y) * mid_w + x) * c];
      const Taps& taps = across_first ? across[x] : down[y];
      for (size_t t = 0; t < taps.index.size(); ++t) {
        const int sy = across_first ? y : taps.index[t], sx = across_first ? taps.index[t] : x;
        const uint8_t* in = &image.pixels[(static_cast<size_t>(sy) * image.width + sx) * c];
        for (int k = 0; k < c; ++k) acc[k] += taps.weight[t] * in[k];
      }
    }
  }
  Image8 out;
  out.height = height;
  out.width = width;
  out.channels = c;
  out.pixels.resize(static_cast<size_t>(height) * width * c);  // [height, width, channels]
  std::vector<double> acc(c);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      std::fill(acc.begin(), acc.end(), 0.0);
      const Taps& taps = across_first ? down[y] : across[x];
      for (size_t t = 0; t < taps.index.size(); ++t) {
        const int my = across_first ? taps.index[t] : y, mx = across_first ? x : taps.index[t];
        const double* in = &mid[(static_cast<size_t>(my) * mid_w + mx) * c];
        for (int k = 0; k < c; ++k) acc[k] += taps.weight[t] * in[k];
      }
      for (int k = 0; k < c; ++k) {
        out.pixels[(static_cast<size_t>(y) * width + x) * c + k] =
            static_cast<uint8_t>(std::clamp(std::lround(acc[k]), 0L, 255L));
      }
    }
  }
  return out;
}

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
