#include "base/fnv1a.h"

#include <string>

#include "gtest/gtest.h"

namespace calico {
namespace {

// Reference values of the FNV-1a 64 test suite (Fowler, Noll, Vo: "FNV test vectors").
TEST(Fnv1a64Test, MatchesPublishedTestVectors) {
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

TEST(Fnv1a64Test, HashesEmbeddedZeroBytes) {
  const std::string with_zero("a\0b", 3);
  EXPECT_NE(Fnv1a64(with_zero), Fnv1a64("ab"));
  EXPECT_NE(Fnv1a64(std::string(1, '\0')), Fnv1a64(""));
}

}  // namespace
}  // namespace calico
