// FNV-1a, 64-bit: a fast, stable, non-cryptographic hash of bytes (checkpoint checksums,
// text model fingerprints). Stable across platforms and releases, so values written to
// files stay comparable.
#ifndef CALICO_BASE_FNV1A_H_
#define CALICO_BASE_FNV1A_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace calico {

// FNV-1a 64 of `bytes` (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
inline uint64_t Fnv1a64(absl::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace calico

#endif  // CALICO_BASE_FNV1A_H_
