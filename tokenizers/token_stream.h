// TokenStream: the flat, per-position form of Gato's token sequence that the sampler
// batches and the model reads. Parallel arrays, one entry per position.
#ifndef CALICO_TOKENIZERS_TOKEN_STREAM_H_
#define CALICO_TOKENIZERS_TOKEN_STREAM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tokenizers/image.h"

namespace calico {

// What one position of the stream holds.
enum class PositionKind : uint8_t {
  kText,        // observation text token (carries loss)
  kImage,       // image patch (an input vector, not an id)
  kDiscrete,    // observation discrete value
  kContinuous,  // observation continuous value
  kSeparator,   // '|' between observation and action
  kAction,      // action token, continuous or discrete (carries loss)
};

// Lower-case name of `kind` ("text", "image", ...).
absl::string_view PositionKindName(PositionKind kind);

// Local position of positions that have none (separator, actions).
inline constexpr int16_t kNoLocalPosition = -1;
// Size of the local position embedding table: the most tokens one observation may have.
inline constexpr int kMaxLocalPositions = 512;

// Where a position came from, for debugging output (see SequenceBuilderOptions).
struct TokenSource {
  int32_t key = -1;      // index into TokenStream::source_keys
  int32_t element = -1;  // flat element index; for text the subword index, for images the patch index
};

// A tokenised sequence. Plain value type, not synchronised.
struct TokenStream {
  // Per position, each [num_positions()]:
  std::vector<int32_t> ids;             // token id; -1 at image positions
  std::vector<int32_t> patch_index;     // row of `patches` at image positions; -1 elsewhere
  std::vector<int16_t> local_position;  // index within its timestep's observation; -1 for '|' and actions
  std::vector<uint8_t> loss_mask;       // 1 where the token is a text or action target; 0 at position 0
  std::vector<PositionKind> kinds;
  std::vector<int32_t> timestep;  // timestep index of the position
  // Per timestep, [num_timesteps()]: first position of each timestep.
  std::vector<int32_t> timestep_starts;
  // Per patch:
  std::vector<float> patches;                  // [num_patches(), 768], (row, column, channel) inside a patch
  std::vector<PatchPosition> patch_positions;  // [num_patches()]
  // Filled only when the builder records sources: [num_positions()] and the key names.
  std::vector<TokenSource> sources;
  std::vector<std::string> source_keys;

  // Empties every array and keeps their capacity, for a stream reused as scratch space.
  void Clear();

  int64_t num_positions() const { return static_cast<int64_t>(ids.size()); }
  int64_t num_timesteps() const { return static_cast<int64_t>(timestep_starts.size()); }
  int64_t num_patches() const { return static_cast<int64_t>(patch_positions.size()); }
  // One past the last position of timestep `t`.
  int64_t timestep_end(int64_t t) const {
    return t + 1 < num_timesteps() ? timestep_starts[t + 1] : num_positions();
  }
};

// Cuts the longest run of whole timesteps that starts at `first_timestep` and fits in
// `max_positions`. Timesteps and patches are renumbered from 0, and the window's first
// position carries no loss (nothing before it predicts it). Errors: `first_timestep`
// out of range, `max_positions` < 1, or the first timestep alone longer than the window.
absl::StatusOr<TokenStream> CutWindow(const TokenStream& stream, int64_t first_timestep,
                                      int64_t max_positions);

}  // namespace calico

#endif  // CALICO_TOKENIZERS_TOKEN_STREAM_H_
