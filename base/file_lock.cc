#include "base/file_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace calico {

absl::StatusOr<FileLock> FileLock::Acquire(const std::string& path) {
  // O_NOFOLLOW and O_NONBLOCK: the pid is written into this file, so a symbolic link
  // planted at `path` must not redirect that write onto the file it names, and a FIFO
  // there must not block the open.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
  if (fd < 0) {
    const int error = errno;
    if (error == ELOOP) {
      return absl::FailedPreconditionError(
          absl::StrCat("lock file ", path, " is a symbolic link; refusing to follow it (remove it if nothing holds it)"));
    }
    return absl::PermissionDeniedError(absl::StrCat("cannot open lock file ", path, ": ", std::strerror(error)));
  }
  struct stat info;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return absl::FailedPreconditionError(absl::StrCat("lock file ", path, " is not a regular file"));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    // The holder wrote its process id; a short read is fine for a message.
    char buffer[32] = {};
    const ssize_t got = ::pread(fd, buffer, sizeof(buffer) - 1, 0);
    ::close(fd);
    if (error == EWOULDBLOCK) {
      const std::string holder(absl::StripAsciiWhitespace(std::string(buffer, got > 0 ? got : 0)));
      return absl::UnavailableError(absl::StrCat(path, " is locked by another process",
                                                 holder.empty() ? "" : absl::StrCat(" (pid ", holder, ")")));
    }
    return absl::PermissionDeniedError(absl::StrCat("cannot lock ", path, ": ", std::strerror(error)));
  }
  const std::string pid = absl::StrCat(::getpid(), "\n");
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    const int error = errno;
    ::close(fd);
    return absl::PermissionDeniedError(absl::StrCat("cannot write lock file ", path, ": ", std::strerror(error)));
  }
  return FileLock(path, fd);
}

FileLock::FileLock(FileLock&& other) noexcept : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace calico
