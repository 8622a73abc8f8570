// CRC-32C (Castagnoli), as used by TFRecord framing, with TensorFlow's masking.
#ifndef CALICO_REPLAY_CRC32C_H_
#define CALICO_REPLAY_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace calico {

// CRC-32C of `data`, continuing from `crc` (0 to start). Uses the SSE4.2 crc32
// instruction when the CPU has it, else a table-driven software path; both give the
// same result.
uint32_t Crc32c(const void* data, size_t size, uint32_t crc = 0);

// The portable table-driven implementation (the reference the fast path is tested against).
uint32_t Crc32cPortable(const void* data, size_t size, uint32_t crc = 0);

// TFRecord's mask: rotate right by 15 and add a constant, so that CRCs of data that
// itself contains CRCs stay well distributed.
inline uint32_t MaskCrc(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }
inline uint32_t UnmaskCrc(uint32_t masked) {
  const uint32_t rot = masked - 0xa282ead8u;
  return (rot >> 17) | (rot << 15);
}

}  // namespace calico

#endif  // CALICO_REPLAY_CRC32C_H_
