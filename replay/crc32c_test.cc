#include "replay/crc32c.h"

#include <string>
#include <vector>

#include "base/random.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

// Bit-at-a-time CRC-32C straight from the definition, as a third opinion.
uint32_t Crc32cBitwise(const std::string& data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int i = 0; i < 8; ++i) crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
  }
  return ~crc;
}

TEST(Crc32cTest, KnownVectors) {
  // RFC 3720 (iSCSI) appendix B.4 and the classic check value.
  EXPECT_EQ(Crc32c("123456789", 9), 0xE3069283u);
  EXPECT_EQ(Crc32c(std::string(32, '\0').data(), 32), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(std::string(32, '\xff').data(), 32), 0x62A8AB43u);
  std::string ascending(32, 0);
  for (int i = 0; i < 32; ++i) ascending[i] = static_cast<char>(i);
  EXPECT_EQ(Crc32c(ascending.data(), 32), 0x46DD794Eu);
  EXPECT_EQ(Crc32c("", 0), 0u);
}

TEST(Crc32cTest, FastPortableAndBitwiseAgreeOnAllLengthsAndAlignments) {
  Rng rng(1);
  std::string data(300, 0);
  for (char& c : data) c = static_cast<char>(rng.Next());
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t n = 0; n + offset <= data.size(); n += 7) {
      const uint32_t expected = Crc32cBitwise(data.substr(offset, n));
      // Straight from the buffer at `offset`: the fast paths see every alignment (a copy
      // would start aligned whatever the offset).
      ASSERT_EQ(Crc32c(data.data() + offset, n), expected) << offset << " " << n;
      ASSERT_EQ(Crc32cPortable(data.data() + offset, n), expected) << offset << " " << n;
    }
  }
}

TEST(Crc32cTest, ExtendingEqualsOneShot) {
  const std::string a = "hello, ", b = "calico";
  EXPECT_EQ(Crc32c(b.data(), b.size(), Crc32c(a.data(), a.size())), Crc32c((a + b).data(), a.size() + b.size()));
}

TEST(Crc32cTest, MaskRoundTrips) {
  for (uint32_t crc : {0u, 1u, 0xE3069283u, 0xFFFFFFFFu}) EXPECT_EQ(UnmaskCrc(MaskCrc(crc)), crc);
  EXPECT_EQ(MaskCrc(0), 0xa282ead8u);
  EXPECT_EQ(MaskCrc(1u << 15), 0xa282ead9u);  // bit 15 rotates down to bit 0
}

}  // namespace
}  // namespace calico
