// Whole-file reads and atomic writes (temp file, fsync, rename), with Status errors that
// name the path.
#ifndef CALICO_BASE_FILE_IO_H_
#define CALICO_BASE_FILE_IO_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace calico {

// The most ReadFile reads unless told otherwise.
inline constexpr int64_t kDefaultMaxFileBytes = int64_t{4} << 30;

// Reads the whole file at `path`: a regular file or a pipe (e.g. `<(...)` in a shell).
// Errors name the path: NotFound if it does not exist, InvalidArgument for a directory
// or a device (/dev/zero would never end), ResourceExhausted past `max_bytes`.
absl::StatusOr<std::string> ReadFile(const std::string& path, int64_t max_bytes = kDefaultMaxFileBytes);

// The first min(`max_bytes`, size) bytes of the regular file at `path`, to recognise a
// file by how it begins without reading all of it. Errors name the path.
absl::StatusOr<std::string> ReadFilePrefix(const std::string& path, int64_t max_bytes);

// Writes `contents` to `path` atomically: a temporary file beside it is written, fsynced
// and renamed over `path`, then the directory is fsynced. A crash leaves either the old
// file or the new one, never a torn one.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents);

// Checks, before long work, that WriteFileAtomically(path, ...) can succeed later:
// `path` is not a directory, device or pipe; its directory exists and takes the temporary
// file (created and removed here, so long names and read-only directories show); and an
// existing file may be replaced (sticky directories). Errors name the path and the
// problem. Leaves nothing behind.
absl::Status CheckFileWritable(const std::string& path);

// Creates the directory `path` and any missing parents (like `mkdir -p`). Errors name the
// part that could not be created, or say that `path` exists but is not a directory.
absl::Status MakeDirectories(const std::string& path);

// Whether something (a file, a directory) exists at `path`.
bool PathExists(const std::string& path);

}  // namespace calico

#endif  // CALICO_BASE_FILE_IO_H_
