#include "base/memory_limit.h"

#include <sys/resource.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace calico {
namespace {

TEST(ParseCgroupMemoryLimitTest, ReadsBytesAndTreatsNoLimitAsUnknown) {
  EXPECT_EQ(ParseCgroupMemoryLimit("8589934592\n"), int64_t{8589934592});
  EXPECT_EQ(ParseCgroupMemoryLimit("max\n"), 0);                    // cgroup v2: no limit
  EXPECT_EQ(ParseCgroupMemoryLimit("9223372036854771712\n"), 0);    // cgroup v1: no limit
  EXPECT_EQ(ParseCgroupMemoryLimit(""), 0);
  EXPECT_EQ(ParseCgroupMemoryLimit("-5"), 0);
  EXPECT_EQ(ParseCgroupMemoryLimit("12 GiB"), 0);
}

TEST(ProcessMemoryLimitTest, IsAtMostPhysicalMemory) {
  const MemoryLimit limit = ProcessMemoryLimit();
  const int64_t physical = int64_t{::sysconf(_SC_PHYS_PAGES)} * ::sysconf(_SC_PAGE_SIZE);
  ASSERT_GT(limit.bytes, 0);
  EXPECT_LE(limit.bytes, physical);
  EXPECT_FALSE(limit.source.empty());
}

// An address-space limit below physical memory (ulimit -v) is the bound, and named.
TEST(ProcessMemoryLimitTest, HonoursTheAddressSpaceLimit) {
  struct rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_AS, &saved), 0);
  const MemoryLimit before = ProcessMemoryLimit();
  const rlim_t lower = static_cast<rlim_t>(before.bytes) - (rlim_t{1} << 20);
  if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < lower) GTEST_SKIP() << "hard limit lower still";
  struct rlimit limited = saved;
  limited.rlim_cur = lower;
  ASSERT_EQ(::setrlimit(RLIMIT_AS, &limited), 0);
  const MemoryLimit during = ProcessMemoryLimit();
  ASSERT_EQ(::setrlimit(RLIMIT_AS, &saved), 0);
  EXPECT_EQ(during.bytes, static_cast<int64_t>(lower));
  EXPECT_NE(during.source.find("ulimit -v"), std::string::npos) << during.source;
}

}  // namespace
}  // namespace calico
