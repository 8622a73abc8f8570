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

// The least memory limit of this process's cgroup and its ancestors: its path comes from
// `proc_self_cgroup` (the text of /proc/self/cgroup; "0::/path" for cgroup v2, a line
// naming the memory controller for v1), its files from `root` (normally /sys/fs/cgroup,
// /sys/fs/cgroup/memory for v1). Directories that do not exist (a container sees its own
// cgroup at the root) are skipped on the way up. 0 if no limit is found.
int64_t CgroupMemoryLimit(const std::string& root, const std::string& proc_self_cgroup);

}  // namespace calico

#endif  // CALICO_BASE_MEMORY_LIMIT_H_
