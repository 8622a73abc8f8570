// An exclusive advisory lock on a file (flock(2)), held for the lifetime of a FileLock:
// one process at a time may own a directory (a training run's output_dir). The kernel
// releases the lock when the process exits however it ends (crash, kill -9), so a stale
// lock never blocks a later run.
#ifndef CALICO_BASE_FILE_LOCK_H_
#define CALICO_BASE_FILE_LOCK_H_

#include <string>

#include "absl/status/statusor.h"

namespace calico {

// Movable, not copyable. Not thread-safe (one owner).
class FileLock {
 public:
  // Opens (creating if needed) the file at `path` and takes an exclusive lock on it
  // without waiting, then writes this process's id into it. Errors: Unavailable when
  // another holder has it (another process, or another FileLock of this process),
  // naming the holder's process id as the file records it; FailedPrecondition when
  // `path` is a symbolic link (never followed: the pid would overwrite its target) or
  // not a regular file; other errors name the path.
  static absl::StatusOr<FileLock> Acquire(const std::string& path);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  // Releases the lock (the file stays).
  ~FileLock();

  const std::string& path() const { return path_; }

 private:
  FileLock(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
};

}  // namespace calico

#endif  // CALICO_BASE_FILE_LOCK_H_
