#include "base/memory_limit.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

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

int64_t CgroupMemoryLimit(const std::string& root, const std::string& proc_self_cgroup) {
  int64_t least = 0;
  auto lower = [&least](int64_t bytes) {
    if (bytes > 0 && (least == 0 || bytes < least)) least = bytes;
  };
  // From the cgroup's own directory up to (and including) `base`.
  auto walk = [&](const std::string& base, std::string path, const char* file) {
    while (true) {
      lower(ParseCgroupMemoryLimit(ReadSmallFile(absl::StrCat(base, path, "/", file).c_str())));
      if (path.empty() || path == "/") break;
      const size_t slash = path.rfind('/');
      path = slash == std::string::npos ? "" : path.substr(0, slash);
    }
  };
  for (absl::string_view line : absl::StrSplit(proc_self_cgroup, '\n', absl::SkipEmpty())) {
    // "hierarchy-id:controllers:path"; the path may itself hold ':'.
    std::vector<std::string> fields = absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (fields.size() != 3 || fields[2].empty() || fields[2][0] != '/') continue;
    const std::string path = fields[2] == "/" ? "" : fields[2];
    if (fields[0] == "0" && fields[1].empty()) {
      walk(root, path, "memory.max");
    } else {
      for (absl::string_view controller : absl::StrSplit(fields[1], ',')) {
        if (controller == "memory") walk(absl::StrCat(root, "/memory"), path, "memory.limit_in_bytes");
      }
    }
  }
  return least;
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
  Lower(&limit, CgroupMemoryLimit("/sys/fs/cgroup", ReadSmallFile("/proc/self/cgroup")),
        "this process's cgroup memory limit");
  return limit;
}

}  // namespace calico
