// PNG files: decoding and encoding 8-bit gray, RGB and RGBA images with libpng.
//
// Decoding uses libpng's simplified API (png_image_*), which catches libpng's internal
// longjmp errors itself and reports them as a message, so no setjmp crosses calico code.
// What decodes: every 8-bit PNG (gray, gray+alpha, RGB, RGBA, palette, with or without
// tRNS), converted by libpng to the channels asked for; dropping an alpha channel
// composites the image onto black. What is refused with an error naming the source:
// unreadable files, data that is not PNG, truncated or corrupt files (CRC and zlib
// errors), 16-bit PNGs (calico's images are 8-bit; convert them first), images over
// kMaxPngPixels pixels, and sides over kMaxPngSide (libpng's own limit).
#ifndef CALICO_BASE_PNG_H_
#define CALICO_BASE_PNG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace calico {

// Largest image (height * width) calico decodes: 64 Mpixel.
inline constexpr int64_t kMaxPngPixels = int64_t{1} << 26;
// Longest side libpng reads (its default user limit, PNG_USER_WIDTH_MAX and _HEIGHT_MAX).
inline constexpr uint32_t kMaxPngSide = 1000000;
// Largest PNG file ReadPng reads: 256 MiB (a 64 Mpixel RGBA image stored uncompressed).
inline constexpr int64_t kMaxPngFileBytes = int64_t{256} << 20;

// An 8-bit image, rows top first. Plain value type.
struct Image8 {
  int height = 0;
  int width = 0;
  int channels = 0;             // 1 (gray), 3 (RGB) or 4 (RGBA)
  std::vector<uint8_t> pixels;  // [height, width, channels] row-major
};

// Checks channels in {1, 3, 4}, positive sides and pixels.size() == height * width * channels.
absl::Status ValidateImage8(const Image8& image);

// Decodes PNG bytes into `channels` (1, 3 or 4) channels; `source` (a path, "stdin")
// starts every error message.
absl::StatusOr<Image8> DecodePng(absl::string_view bytes, int channels, absl::string_view source);

// Reads and decodes the PNG file at `path` (errors name the path).
absl::StatusOr<Image8> ReadPng(const std::string& path, int channels);

// Encodes `image` as an 8-bit PNG (gray, RGB or RGBA after its channel count).
absl::StatusOr<std::string> EncodePng(const Image8& image);

// EncodePng, written atomically to `path`.
absl::Status WritePng(const std::string& path, const Image8& image);

}  // namespace calico

#endif  // CALICO_BASE_PNG_H_
