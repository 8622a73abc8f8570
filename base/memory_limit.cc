#include "base/memory_limit.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"

namespace calico {
namespace {

std::string ReadSmallFile(const char* path) {
  std::ifstream in(path);
  if (!in) return "";
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void Lower(MemoryLimit* limit, int64_t bytes, const char* source) {
  if (bytes > 0 && (limit->bytes == 0 || bytes < limit->bytes)) {
    limit->bytes = bytes;
    limit->source = source;
  }
}

}  // namespace

int64_t ParseCgroupMemoryLimit(const std::string& text) {
  int64_t bytes = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &bytes)) return 0;  // "max", empty
  return bytes > 0 && bytes < (int64_t{1} << 60) ? bytes : 0;
}

MemoryLimit ProcessMemoryLimit() {
  MemoryLimit limit;
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && page_size > 0) {
    Lower(&limit, static_cast<int64_t>(pages) * page_size, "this machine's physical memory");
  }
  struct rlimit address_space;
  if (::getrlimit(RLIMIT_AS, &address_space) == 0 && address_space.rlim_cur != RLIM_INFINITY &&
      address_space.rlim_cur < (rlim_t{1} << 62)) {
    Lower(&limit, static_cast<int64_t>(address_space.rlim_cur), "the address-space limit (ulimit -v)");
  }
  Lower(&limit, ParseCgroupMemoryLimit(ReadSmallFile("/sys/fs/cgroup/memory.max")),
        "the cgroup's memory limit (/sys/fs/cgroup/memory.max)");
  Lower(&limit, ParseCgroupMemoryLimit(ReadSmallFile("/sys/fs/cgroup/memory/memory.limit_in_bytes")),
        "the cgroup's memory limit (/sys/fs/cgroup/memory/memory.limit_in_bytes)");
  return limit;
}

}  // namespace calico
