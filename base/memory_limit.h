// How much memory this process may use: the least of the machine's physical memory, the
// address-space limit (ulimit -v) and the cgroup's memory limit (a container's). Sizes
// checked against it fail with a message before a large allocation, not with bad_alloc.
#ifndef CALICO_BASE_MEMORY_LIMIT_H_
#define CALICO_BASE_MEMORY_LIMIT_H_

#include <cstdint>
#include <string>

namespace calico {

// One bound on this process's memory and where it comes from.
struct MemoryLimit {
  int64_t bytes = 0;   // 0: unknown (no bound found)
  std::string source;  // e.g. "this machine's physical memory", "the address-space limit (ulimit -v)"
};

// The least of the bounds this process can find; bytes 0 if none is known.
MemoryLimit ProcessMemoryLimit();

// The cgroup's limit parsed from a cgroup v2 memory.max or v1 memory.limit_in_bytes
// file's text: 0 for "max", unparsable or absurd (>= 2^60, v1's "no limit") values.
int64_t ParseCgroupMemoryLimit(const std::string& text);

}  // namespace calico

#endif  // CALICO_BASE_MEMORY_LIMIT_H_
