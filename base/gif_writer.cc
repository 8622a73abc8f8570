#include "base/gif_writer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/file_io.h"

namespace calico {
namespace {

constexpr int kLevelsR = 6, kLevelsG = 7, kLevelsB = 6;
constexpr int kMinCodeSize = 8;  // 256-entry palette
constexpr int kClearCode = 1 << kMinCodeSize;
constexpr int kEndCode = kClearCode + 1;
constexpr int kMaxCodes = 4096;  // 12-bit LZW codes

void PutU16(std::string* out, int v) {
  out->push_back(static_cast<char>(v & 0xff));
  out->push_back(static_cast<char>((v >> 8) & 0xff));
}

// Packs variable-width codes LSB first into 255-byte GIF sub-blocks.
class CodeStream {
 public:
  explicit CodeStream(std::string* out) : out_(out) {}
  void Put(int code, int width) {
    bits_ |= static_cast<uint32_t>(code) << nbits_;
    nbits_ += width;
    while (nbits_ >= 8) {
      Byte(static_cast<uint8_t>(bits_ & 0xff));
      bits_ >>= 8;
      nbits_ -= 8;
    }
  }
  void Finish() {
    if (nbits_ > 0) Byte(static_cast<uint8_t>(bits_ & 0xff));
    if (!block_.empty()) Flush();
    out_->push_back('\0');  // block terminator
  }

 private:
  void Byte(uint8_t b) {
    block_.push_back(static_cast<char>(b));
    if (block_.size() == 255) Flush();
  }
  void Flush() {
    out_->push_back(static_cast<char>(block_.size()));
    out_->append(block_);
    block_.clear();
  }
  std::string* out_;
  std::string block_;
  uint32_t bits_ = 0;
  int nbits_ = 0;
};

// LZW-compresses palette indices (GIF variant: clear code, growing code width).
void EncodeLzw(const std::vector<uint8_t>& indices, std::string* out) {
  out->push_back(static_cast<char>(kMinCodeSize));
  CodeStream codes(out);
  // next[prefix * 256 + byte] = code of prefix+byte, or -1.
  std::vector<int16_t> next(static_cast<size_t>(kMaxCodes) * 256, -1);
  int width = kMinCodeSize + 1;
  int next_code = kEndCode + 1;
  codes.Put(kClearCode, width);
  int prefix = indices[0];
  for (size_t i = 1; i < indices.size(); ++i) {
    const uint8_t byte = indices[i];
    const int16_t found = next[static_cast<size_t>(prefix) * 256 + byte];
    if (found >= 0) {
      prefix = found;
      continue;
    }
    codes.Put(prefix, width);
    if (next_code < kMaxCodes) {
      next[static_cast<size_t>(prefix) * 256 + byte] = static_cast<int16_t>(next_code);
      // The decoder widens its codes once the table reaches 2^width entries.
      if (next_code == (1 << width) && width < 12) ++width;
      ++next_code;
    } else {
      // Table full: start over so the dictionary keeps adapting to the image.
      codes.Put(kClearCode, width);
      std::fill(next.begin(), next.end(), -1);
      width = kMinCodeSize + 1;
      next_code = kEndCode + 1;
    }
    prefix = byte;
  }
  codes.Put(prefix, width);
  codes.Put(kEndCode, width);
  codes.Finish();
}

}  // namespace

uint8_t GifPaletteIndex(uint8_t r, uint8_t g, uint8_t b) {
  const int ri = (r * (kLevelsR - 1) + 127) / 255;
  const int gi = (g * (kLevelsG - 1) + 127) / 255;
  const int bi = (b * (kLevelsB - 1) + 127) / 255;
  return static_cast<uint8_t>((ri * kLevelsG + gi) * kLevelsB + bi);
}

void GifPaletteColor(uint8_t index, uint8_t* r, uint8_t* g, uint8_t* b) {
  const int bi = index % kLevelsB, gi = (index / kLevelsB) % kLevelsG, ri = index / (kLevelsB * kLevelsG);
  *r = static_cast<uint8_t>(ri * 255 / (kLevelsR - 1));
  *g = static_cast<uint8_t>(gi * 255 / (kLevelsG - 1));
  *b = static_cast<uint8_t>(bi * 255 / (kLevelsB - 1));
}

absl::StatusOr<GifWriter> GifWriter::Create(int width, int height, int delay_ms) {
  if (width < 1 || width > 65535 || height < 1 || height > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("GIF size is ", width, "x", height, "; each side must be in [1, 65535]"));
  }
  if (delay_ms < 0) return absl::InvalidArgumentError(absl::StrCat("GIF frame delay is ", delay_ms, " ms; expected >= 0"));
  return GifWriter(width, height, std::max(2, (delay_ms + 5) / 10));
}

absl::Status GifWriter::AddFrame(absl::Span<const uint8_t> rgb) {
  const size_t expected = static_cast<size_t>(width_) * height_ * 3;
  if (rgb.size() != expected) {
    return absl::InvalidArgumentError(absl::StrCat("GIF frame ", num_frames_, " has ", rgb.size(), " bytes; a ",
                                                   width_, "x", height_, " RGB frame has ", expected));
  }
  std::vector<uint8_t> indices(static_cast<size_t>(width_) * height_);
  for (size_t i = 0; i < indices.size(); ++i) indices[i] = GifPaletteIndex(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]);
  // Graphic control extension: delay, no transparency, "do not dispose".
  frames_ += "\x21\xF9\x04\x04";
  PutU16(&frames_, delay_cs_);
  frames_.append("\x00\x00", 2);
  // Image descriptor: the whole canvas, no local palette.
  frames_.push_back('\x2C');
  PutU16(&frames_, 0);
  PutU16(&frames_, 0);
  PutU16(&frames_, width_);
  PutU16(&frames_, height_);
  frames_.push_back('\0');
  EncodeLzw(indices, &frames_);
  ++num_frames_;
  return absl::OkStatus();
}

absl::StatusOr<std::string> GifWriter::Finish() const {
  if (num_frames_ == 0) return absl::FailedPreconditionError("a GIF needs at least one frame");
  std::string out = "GIF89a";
  PutU16(&out, width_);
  PutU16(&out, height_);
  out.push_back('\xF7');  // global colour table of 256 entries, 8-bit colour resolution
  out.append("\x00\x00", 2);
  for (int i = 0; i < 256; ++i) {
    uint8_t r = 0, g = 0, b = 0;
    if (i < kLevelsR * kLevelsG * kLevelsB) GifPaletteColor(static_cast<uint8_t>(i), &r, &g, &b);
    out.push_back(static_cast<char>(r));
    out.push_back(static_cast<char>(g));
    out.push_back(static_cast<char>(b));
  }
  // Loop forever (NETSCAPE2.0 application extension).
  out.append("\x21\xFF\x0BNETSCAPE2.0\x03\x01\x00\x00\x00", 19);
  out += frames_;
  out.push_back('\x3B');
  return out;
}

absl::Status GifWriter::WriteFile(const std::string& path) const {
  absl::StatusOr<std::string> bytes = Finish();
  if (!bytes.ok()) return bytes.status();
  return WriteFileAtomically(path, *bytes);
}

}  // namespace calico
