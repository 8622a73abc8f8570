#include "base/memory_limit.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

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

// A fake /sys/fs/cgroup: writes `text` into root/relative, making its directories.
void WriteCgroupFile(const std::string& root, const std::string& relative, const std::string& text) {
  const std::string path = root + "/" + relative;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

TEST(CgroupMemoryLimitTest, TakesTheLeastLimitOfTheCgroupAndItsAncestors) {
  const std::string v2 = std::string(std::getenv("TEST_TMPDIR")) + "/cgroup_v2";
  WriteCgroupFile(v2, "memory.max", "max\n");
  WriteCgroupFile(v2, "jobs/memory.max", "max\n");
  WriteCgroupFile(v2, "jobs/job7/memory.max", "2000000\n");
  EXPECT_EQ(CgroupMemoryLimit(v2, "0::/jobs/job7\n"), 2000000);
  WriteCgroupFile(v2, "jobs/memory.max", "1500000\n");  // a tighter parent
  EXPECT_EQ(CgroupMemoryLimit(v2, "0::/jobs/job7\n"), 1500000);
  // A container with its own namespace sees its cgroup at the root.
  WriteCgroupFile(v2, "memory.max", "900000\n");
  EXPECT_EQ(CgroupMemoryLimit(v2, "0::/\n"), 900000);
  // A path the mount does not show (another namespace's): its ancestors still count.
  EXPECT_EQ(CgroupMemoryLimit(v2, "0::/elsewhere/deep\n"), 900000);
  EXPECT_EQ(CgroupMemoryLimit(v2, ""), 0);
  EXPECT_EQ(CgroupMemoryLimit(v2, "garbage\n"), 0);

  const std::string v1 = std::string(std::getenv("TEST_TMPDIR")) + "/cgroup_v1";
  WriteCgroupFile(v1, "memory/memory.limit_in_bytes", "9223372036854771712\n");  // v1: no limit
  WriteCgroupFile(v1, "memory/docker/abc/memory.limit_in_bytes", "700000\n");
  WriteCgroupFile(v1, "cpu/docker/abc/memory.limit_in_bytes", "1\n");  // not the memory controller
  EXPECT_EQ(CgroupMemoryLimit(v1, "5:cpu,cpuacct:/docker/abc\n4:memory:/docker/abc\n1:name=systemd:/\n"), 700000);
  EXPECT_EQ(CgroupMemoryLimit(v1, "4:memory:/\n"), 0);
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
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's shadow memory exceeds any address-space limit below physical memory";
#endif
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
