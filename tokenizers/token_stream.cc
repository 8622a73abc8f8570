#include "tokenizers/token_stream.h"

#include "absl/strings/str_cat.h"

namespace calico {

absl::string_view PositionKindName(PositionKind kind) {
  switch (kind) {
    case PositionKind::kText:
      return "text";
    case PositionKind::kImage:
      return "image";
    case PositionKind::kDiscrete:
      return "discrete";
    case PositionKind::kContinuous:
      return "continuous";
    case PositionKind::kSeparator:
      return "separator";
    case PositionKind::kAction:
      return "action";
  }
  return "unknown";
}

void TokenStream::Clear() {
  ids.clear();
  patch_index.clear();
  local_position.clear();
  loss_mask.clear();
  kinds.clear();
  timestep.clear();
  timestep_starts.clear();
  patches.clear();
  patch_positions.clear();
  sources.clear();
  source_keys.clear();
}

absl::StatusOr<TokenStream> CutWindow(const TokenStream& stream, int64_t first_timestep,
                                      int64_t max_positions) {
  if (max_positions < 1) {
    return absl::InvalidArgumentError(absl::StrCat("window length is ", max_positions, "; expected >= 1"));
  }
  if (first_timestep < 0 || first_timestep >= stream.num_timesteps()) {
    return absl::OutOfRangeError(absl::StrCat("window start timestep ", first_timestep, " is outside [0, ",
                                              stream.num_timesteps(), ")"));
  }
  const int64_t begin = stream.timestep_starts[first_timestep];
  int64_t last = first_timestep;  // last whole timestep inside the window
  if (stream.timestep_end(last) - begin > max_positions) {
    return absl::InvalidArgumentError(absl::StrCat("timestep ", first_timestep, " has ",
                                                   stream.timestep_end(last) - begin,
                                                   " positions; it does not fit a window of ", max_positions));
  }
  while (last + 1 < stream.num_timesteps() && stream.timestep_end(last + 1) - begin <= max_positions) ++last;
  const int64_t end = stream.timestep_end(last);

  TokenStream window;
  window.ids.assign(stream.ids.begin() + begin, stream.ids.begin() + end);
  window.local_position.assign(stream.local_position.begin() + begin, stream.local_position.begin() + end);
  window.loss_mask.assign(stream.loss_mask.begin() + begin, stream.loss_mask.begin() + end);
  window.loss_mask[0] = 0;
  window.kinds.assign(stream.kinds.begin() + begin, stream.kinds.begin() + end);
  window.timestep.resize(end - begin);
  for (int64_t i = begin; i < end; ++i) window.timestep[i - begin] = stream.timestep[i] - first_timestep;
  for (int64_t t = first_timestep; t <= last; ++t) {
    window.timestep_starts.push_back(stream.timestep_starts[t] - begin);
  }
  // Patches of the window are contiguous in the stream: find the first one.
  int32_t first_patch = -1, patch_count = 0;
  window.patch_index.resize(end - begin);
  for (int64_t i = begin; i < end; ++i) {
    const int32_t p = stream.patch_index[i];
    if (p >= 0 && first_patch < 0) first_patch = p;
    window.patch_index[i - begin] = p >= 0 ? p - first_patch : -1;
    patch_count += p >= 0;
  }
  if (patch_count > 0) {
    window.patches.assign(stream.patches.begin() + static_cast<int64_t>(first_patch) * kPatchValues,
                          stream.patches.begin() + static_cast<int64_t>(first_patch + patch_count) * kPatchValues);
    window.patch_positions.assign(stream.patch_positions.begin() + first_patch,
                                  stream.patch_positions.begin() + first_patch + patch_count);
  }
  if (!stream.sources.empty()) {
    window.sources.assign(stream.sources.begin() + begin, stream.sources.begin() + end);
    window.source_keys = stream.source_keys;
  }
  return window;
}

}  // namespace calico
