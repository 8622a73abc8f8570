#include "base/file_io.h"

#include <algorithm>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"

namespace calico {
namespace {

absl::Status ErrnoError(absl::string_view what, const std::string& path, int err) {
  std::string message = absl::StrCat(what, " '", path, "': ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(message);
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(message);
  return absl::InternalError(message);
}

// Writes all of `data` to `fd`, retrying short writes and EINTR.
bool WriteAll(int fd, absl::string_view data) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return true;
}

// One read(2) of at most `size` bytes into `buf`, retried when a signal interrupts it:
// the bytes read (0 at the end of the file), or an error naming `path`.
absl::StatusOr<size_t> ReadSome(int fd, char* buf, size_t size, const std::string& path) {
  while (true) {
    const ssize_t n = ::read(fd, buf, size);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return ErrnoError("error reading", path, errno);
  }
}

}  // namespace

absl::StatusOr<std::string> ReadFile(const std::string& path, int64_t max_bytes) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) return ErrnoError("cannot read", path, errno);
  if (S_ISDIR(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat("'", path, "' is a directory, expected a file"));
  }
  if (!S_ISREG(info.st_mode) && !S_ISFIFO(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat("'", path, "' is a device or socket, expected a file"));
  }
  auto too_big = [&]() {
    return absl::ResourceExhaustedError(absl::StrCat("'", path, "' is larger than ", max_bytes, " bytes"));
  };
  if (S_ISREG(info.st_mode) && info.st_size > max_bytes) return too_big();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open", path, errno);
  std::string contents;
  if (S_ISREG(info.st_mode)) contents.reserve(static_cast<size_t>(info.st_size));
  char chunk[1 << 16];
  while (true) {
    const absl::StatusOr<size_t> n = ReadSome(fd, chunk, sizeof(chunk), path);
    if (!n.ok()) {
      ::close(fd);
      return n.status();
    }
    if (*n == 0) break;
    if (static_cast<int64_t>(contents.size() + *n) > max_bytes) {
      ::close(fd);
      return too_big();
    }
    contents.append(chunk, *n);
  }
  ::close(fd);
  return contents;
}

absl::StatusOr<std::string> ReadFilePrefix(const std::string& path, int64_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open", path, errno);
  std::string contents(static_cast<size_t>(std::max<int64_t>(max_bytes, 0)), '\0');
  size_t got = 0;
  while (got < contents.size()) {
    const absl::StatusOr<size_t> n = ReadSome(fd, contents.data() + got, contents.size() - got, path);
    if (!n.ok()) {
      ::close(fd);
      return n.status();
    }
    if (*n == 0) break;
    got += *n;
  }
  ::close(fd);
  contents.resize(got);
  return contents;
}

absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents) {
  const std::string temp = absl::StrCat(path, ".tmp.", ::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("cannot create", temp, errno);
  if (!WriteAll(fd, contents) || ::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    return ErrnoError("cannot write", temp, err);
  }
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return ErrnoError("cannot close", temp, err);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return ErrnoError("cannot rename onto", path, err);
  }
  // Make the rename itself durable.
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return absl::OkStatus();
}

absl::Status CheckFileWritable(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("no file name given");
  if (path.back() == '/') {
    return absl::InvalidArgumentError(absl::StrCat("'", path, "' names a directory, expected a file"));
  }
  struct stat file_info;
  const bool exists = ::stat(path.c_str(), &file_info) == 0;
  if (exists && S_ISDIR(file_info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat("'", path, "' is a directory, expected a file"));
  }
  if (exists && !S_ISREG(file_info.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", path, "' is not a regular file (a device, pipe or socket), expected a file"));
  }
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  struct stat dir_info;
  if (::stat(dir.c_str(), &dir_info) != 0) {
    const int err = errno;
    if (err == ENOENT) {
      return absl::NotFoundError(absl::StrCat("cannot write '", path, "': its directory '", dir, "' does not exist"));
    }
    return ErrnoError("cannot write into the directory of", path, err);
  }
  if (!S_ISDIR(dir_info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat("cannot write '", path, "': '", dir, "' is not a directory"));
  }
  // The temporary file WriteFileAtomically makes, made and removed now: this also finds
  // names too long for the file system and directories that refuse new files.
  const std::string temp = absl::StrCat(path, ".tmp.", ::getpid());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 && errno != EEXIST) {
    const int err = errno;
    return absl::Status(ErrnoError("cannot create", temp, err).code(),
                        absl::StrCat("cannot write '", path, "': cannot create a file beside it ('", temp,
                                     "'): ", std::strerror(err)));
  }
  if (fd >= 0) {
    ::close(fd);
    ::unlink(temp.c_str());
  }
  // The rename onto an existing file: in a sticky directory (/tmp) only its owner (or the
  // directory's, or root) may replace it.
  const uid_t me = ::geteuid();
  if (exists && (dir_info.st_mode & S_ISVTX) != 0 && me != 0 && file_info.st_uid != me && dir_info.st_uid != me) {
    return absl::PermissionDeniedError(absl::StrCat("cannot replace '", path, "': it belongs to another user in '",
                                                    dir, "', a directory where only a file's owner may replace it"));
  }
  return absl::OkStatus();
}

absl::Status MakeDirectories(const std::string& path) {
  auto is_directory = [](const std::string& p) {
    struct stat info;
    return ::stat(p.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
  };
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || (path[i] == '/' && i > 0)) {
      const std::string partial = path.substr(0, i);
      if (!is_directory(partial) && ::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
        return absl::InternalError(absl::StrCat("cannot create directory '", partial, "': ", std::strerror(errno)));
      }
    }
  }
  if (!is_directory(path)) return absl::InvalidArgumentError(absl::StrCat("'", path, "' is not a directory"));
  return absl::OkStatus();
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace calico
