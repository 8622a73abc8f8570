// Resizing 8-bit images (bilinear, or area averaging where an axis shrinks), for images
// whose size differs from what a model expects (e.g. a PNG given to `calico ask`).
#ifndef CALICO_BASE_IMAGE_RESIZE_H_
#define CALICO_BASE_IMAGE_RESIZE_H_

#include "absl/status/statusor.h"
#include "base/png.h"

namespace calico {

// `image` resized to height x width by bilinear interpolation with half-pixel centres
// (each output pixel samples the input at ((i + 0.5) * in / out - 0.5), clamped at the
// borders), rounded to the nearest integer. Same size in, same image out. Downscaling by
// more than 2x aliases (no pre-filter). Errors: an invalid image or non-positive sizes.
absl::StatusOr<Image8> ResizeBilinear(const Image8& image, int height, int width);

// `image` resized to height x width without aliasing: along an axis that shrinks, each
// output pixel is the area-weighted mean of the input pixels it covers (a box filter;
// an integer factor gives exact block means); along an axis that grows, bilinear as
// ResizeBilinear. Rounded to the nearest integer. Errors: as ResizeBilinear.
absl::StatusOr<Image8> ResizeImage(const Image8& image, int height, int width);

}  // namespace calico

#endif  // CALICO_BASE_IMAGE_RESIZE_H_
