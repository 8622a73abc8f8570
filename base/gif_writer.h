// Animated GIF encoding (GIF89a, LZW) of RGB frames, for rollout videos a person can
// open anywhere. Colours are quantised to a fixed 6x7x6 RGB cube (252 colours), which
// keeps the encoder one pass and the output deterministic.
#ifndef CALICO_BASE_GIF_WRITER_H_
#define CALICO_BASE_GIF_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace calico {

// Palette index of an RGB colour in the 6x7x6 cube (levels rounded to nearest).
uint8_t GifPaletteIndex(uint8_t r, uint8_t g, uint8_t b);
// The RGB colour of palette index `index` (< 252).
void GifPaletteColor(uint8_t index, uint8_t* r, uint8_t* g, uint8_t* b);

// Collects frames and encodes them. Not thread-safe.
class GifWriter {
 public:
  // `width` x `height` pixels in [1, 65535]; each frame shows for `delay_ms` (rounded to
  // GIF's 10 ms units, at least 20 ms since most viewers slow faster frames). Loops forever.
  static absl::StatusOr<GifWriter> Create(int width, int height, int delay_ms);

  // Adds one frame, uint8 RGB rows top-down ([height, width, 3]); a wrong size is an error.
  absl::Status AddFrame(absl::Span<const uint8_t> rgb);

  int num_frames() const { return num_frames_; }

  // The whole file; FailedPrecondition with no frames.
  absl::StatusOr<std::string> Finish() const;

  // Finish() written atomically to `path`.
  absl::Status WriteFile(const std::string& path) const;

 private:
  GifWriter(int width, int height, int delay_cs) : width_(width), height_(height), delay_cs_(delay_cs) {}

  int width_, height_, delay_cs_;
  int num_frames_ = 0;
  std::string frames_;  // encoded frame blocks, appended by AddFrame
};

}  // namespace calico

#endif  // CALICO_BASE_GIF_WRITER_H_
