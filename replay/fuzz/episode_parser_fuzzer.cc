// libFuzzer target: arbitrary bytes as an EpisodeProto; a parsed episode must serialise
// and parse back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "replay/episode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::StatusOr<calico::Episode> episode =
      calico::ParseEpisode(absl::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  if (!episode.ok()) return 0;
  absl::StatusOr<std::string> bytes = calico::SerializeEpisode(*episode);
  if (!bytes.ok() || !calico::ParseEpisode(*bytes, "fuzz round trip").ok()) std::abort();  // valid must stay valid
  return 0;
}
