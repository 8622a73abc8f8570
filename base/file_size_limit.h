// A test helper: caps the size of files this process writes (RLIMIT_FSIZE), so a test
// can make a write fail part-way, as a full disk would, and see what the writer keeps.
#ifndef CALICO_BASE_FILE_SIZE_LIMIT_H_
#define CALICO_BASE_FILE_SIZE_LIMIT_H_

#include <signal.h>
#include <sys/resource.h>

#include <cstdint>

namespace calico {

// While alive, a write past `bytes` fails with EFBIG (SIGXFSZ, which would end the
// process, is ignored); the destructor restores the old limit and signal disposition.
// Not thread-safe: it changes process-wide state.
class ScopedFileSizeLimit {
 public:
  explicit ScopedFileSizeLimit(int64_t bytes) {
    old_handler_ = ::signal(SIGXFSZ, SIG_IGN);
    ::getrlimit(RLIMIT_FSIZE, &old_limit_);
    struct rlimit limit = old_limit_;
    limit.rlim_cur = static_cast<rlim_t>(bytes);
    ok_ = ::setrlimit(RLIMIT_FSIZE, &limit) == 0;
  }
  ~ScopedFileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_limit_);
    ::signal(SIGXFSZ, old_handler_);
  }
  ScopedFileSizeLimit(const ScopedFileSizeLimit&) = delete;
  ScopedFileSizeLimit& operator=(const ScopedFileSizeLimit&) = delete;

  // Whether the limit took effect.
  bool ok() const { return ok_; }

 private:
  struct rlimit old_limit_ {};
  sighandler_t old_handler_ = SIG_DFL;
  bool ok_ = false;
};

}  // namespace calico

#endif  // CALICO_BASE_FILE_SIZE_LIMIT_H_
