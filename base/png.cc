#include "base/png.h"

#include <png.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/file_io.h"
#include "base/status_macros.h"

namespace calico {
namespace {

constexpr uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

png_uint_32 FormatFor(int channels) {
  return channels == 1 ? PNG_FORMAT_GRAY : channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_RGBA;
}

// Frees a png_image's internal state on every path (png_image_free is a no-op after
// png_image_finish_read has already released it).
struct ImageGuard {
  png_image* image;
  ~ImageGuard() { png_image_free(image); }
};

}  // namespace

absl::Status ValidateImage8(const Image8& image) {
  if (image.channels != 1 && image.channels != 3 && image.channels != 4) {
    return absl::InvalidArgumentError(absl::StrCat("image has ", image.channels, " channels; expected 1, 3 or 4"));
  }
  if (image.height < 1 || image.width < 1) {
    return absl::InvalidArgumentError(absl::StrCat("image is ", image.height, "x", image.width, "; expected positive sides"));
  }
  const size_t expected = static_cast<size_t>(image.height) * image.width * image.channels;
  if (image.pixels.size() != expected) {
    return absl::InvalidArgumentError(absl::StrCat("image ", image.height, "x", image.width, "x", image.channels, " holds ",
                                                   image.pixels.size(), " bytes; expected ", expected));
  }
  return absl::OkStatus();
}

absl::StatusOr<Image8> DecodePng(absl::string_view bytes, int channels, absl::string_view source) {
  if (channels != 1 && channels != 3 && channels != 4) {
    return absl::InvalidArgumentError(absl::StrCat("cannot decode ", source, " into ", channels, " channels; expected 1, 3 or 4"));
  }
  if (bytes.size() < sizeof(kPngSignature) || std::memcmp(bytes.data(), kPngSignature, sizeof(kPngSignature)) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, " is not a PNG file (", bytes.size(), " bytes without the PNG signature)"));
  }
  // libpng refuses a side over its user limit (1,000,000 pixels unless built otherwise)
  // as "Invalid IHDR data"; the header says which side, so say it first.
  if (bytes.size() >= 24 && bytes.substr(12, 4) == "IHDR") {
    auto be32 = [&](size_t at) {
      uint32_t v = 0;
      for (size_t k = 0; k < 4; ++k) v = (v << 8) | static_cast<uint8_t>(bytes[at + k]);
      return v;
    };
    const uint32_t width = be32(16), height = be32(20);
    if (width == 0 || height == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, " is ", height, "x", width, "; expected at least 1x1 pixels"));
    }
    if (width > kMaxPngSide || height > kMaxPngSide) {
      return absl::InvalidArgumentError(absl::StrCat(source, " is ", height, "x", width, "; libpng reads sides of at most ",
                                                     kMaxPngSide, " pixels"));
    }
  }
  png_image image;
  std::memset(&image, 0, sizeof(image));
  image.version = PNG_IMAGE_VERSION;
  ImageGuard guard{&image};
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": not a readable PNG: ", image.message));
  }
  if (image.format & PNG_FORMAT_FLAG_LINEAR) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, " is a 16-bit PNG; calico reads 8-bit PNGs only (convert it to 8 bits per channel)"));
  }
  const int64_t pixels = static_cast<int64_t>(image.width) * image.height;
  if (image.width == 0 || image.height == 0 || pixels > kMaxPngPixels) {
    return absl::InvalidArgumentError(absl::StrCat(source, " is ", image.height, "x", image.width,
                                                   "; expected at least 1x1 and at most ", kMaxPngPixels, " pixels"));
  }
  Image8 out;
  out.height = static_cast<int>(image.height);
  out.width = static_cast<int>(image.width);
  out.channels = channels;
  image.format = FormatFor(channels);
  out.pixels.assign(static_cast<size_t>(pixels) * channels, 0);  // zero: alpha composites onto black
  if (!png_image_finish_read(&image, nullptr, out.pixels.data(), out.width * channels, nullptr)) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": corrupt or truncated PNG: ", image.message));
  }
  return out;
}

absl::StatusOr<Image8> ReadPng(const std::string& path, int channels) {
  absl::StatusOr<std::string> bytes = ReadFile(path, kMaxPngFileBytes);
  if (!bytes.ok()) {
    return absl::Status(bytes.status().code(), absl::StrCat("cannot read image ", path, ": ", bytes.status().message()));
  }
  return DecodePng(*bytes, channels, path);
}

absl::StatusOr<std::string> EncodePng(const Image8& image) {
  RETURN_IF_ERROR(ValidateImage8(image));
  png_image png;
  std::memset(&png, 0, sizeof(png));
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  png.format = FormatFor(image.channels);
  ImageGuard guard{&png};
  png_alloc_size_t size = 0;
  // First call: the size only.
  if (!png_image_write_to_memory(&png, nullptr, &size, 0, image.pixels.data(), image.width * image.channels, nullptr)) {
    return absl::InternalError(absl::StrCat("libpng cannot size the PNG: ", png.message));
  }
  std::string out(size, '\0');
  if (!png_image_write_to_memory(&png, out.data(), &size, 0, image.pixels.data(), image.width * image.channels,
                                 nullptr)) {
    return absl::InternalError(absl::StrCat("libpng cannot encode the PNG: ", png.message));
  }
  out.resize(size);
  return out;
}

absl::Status WritePng(const std::string& path, const Image8& image) {
  ASSIGN_OR_RETURN(std::string bytes, EncodePng(image));
  return WriteFileAtomically(path, bytes);
}

}  // namespace calico
