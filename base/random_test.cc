#include "base/random.h"

#include <vector>

#include "gtest/gtest.h"

namespace calico {
namespace {

TEST(RngTest, SameSeedGivesSameSequence) {
  Rng a(42), b(42), c(43);
  bool differs_from_other_seed = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    differs_from_other_seed |= (x != c.Next());
  }
  EXPECT_TRUE(differs_from_other_seed);
}

TEST(RngTest, MatchesSplitMix64ReferenceValues) {
  // First outputs of SplitMix64 seeded with 0 (Vigna's reference implementation).
  Rng rng(0);
  EXPECT_EQ(rng.Next(), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(rng.Next(), 0x6E789E6AA1B965F4ULL);
  EXPECT_EQ(rng.Next(), 0x06C45D188009454FULL);
}

TEST(RngTest, UniformIntCoversTheRangeEvenly) {
  Rng rng(7);
  std::vector<int> counts(5, 0);
  const int kDraws = 50000;
  for (int i = 0; i < kDraws; ++i) {
    const int64_t v = rng.UniformInt(10, 15);
    ASSERT_GE(v, 10);
    ASSERT_LT(v, 15);
    ++counts[v - 10];
  }
  for (int count : counts) EXPECT_NEAR(count, kDraws / 5, kDraws / 5 * 0.05);
}

}  // namespace
}  // namespace calico
