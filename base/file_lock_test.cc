#include "base/file_lock.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/file_io.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

TEST(FileLockTest, ASecondHolderIsRefusedNamingTheFirstsPid) {
  const std::string path = TempPath("held.lock");
  ASSERT_OK_AND_ASSIGN(FileLock first, FileLock::Acquire(path));
  EXPECT_THAT(FileLock::Acquire(path),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr(absl::StrCat(path, " is locked by another process (pid ", ::getpid(), ")"))));
}

TEST(FileLockTest, ReleasedWhenTheHolderGoesAndWhenMovedFrom) {
  const std::string path = TempPath("released.lock");
  {
    ASSERT_OK_AND_ASSIGN(FileLock lock, FileLock::Acquire(path));
    FileLock moved = std::move(lock);  // the moved-from object must not release it
    EXPECT_FALSE(FileLock::Acquire(path).ok());
  }
  ASSERT_OK_AND_ASSIGN(FileLock again, FileLock::Acquire(path));
  EXPECT_EQ(again.path(), path);
}

TEST(FileLockTest, AnotherProcessIsRefusedUntilTheHolderExits) {
  const std::string path = TempPath("process.lock");
  int ready[2], release[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(release), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child holds the lock until told to exit; it never releases it explicitly.
    absl::StatusOr<FileLock> lock = FileLock::Acquire(path);
    const char state = lock.ok() ? 'y' : 'n';
    if (::write(ready[1], &state, 1) != 1) ::_exit(2);
    char go;
    if (::read(release[0], &go, 1) != 1) ::_exit(3);
    ::_exit(0);
  }
  char state = 0;
  ASSERT_EQ(::read(ready[0], &state, 1), 1);
  ASSERT_EQ(state, 'y');
  EXPECT_THAT(FileLock::Acquire(path), StatusIs(absl::StatusCode::kUnavailable, HasSubstr(absl::StrCat("(pid ", child, ")"))));
  ASSERT_EQ(::write(release[1], "x", 1), 1);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  // The kernel dropped the lock with the process.
  EXPECT_OK(FileLock::Acquire(path).status());
}

TEST(FileLockTest, AnUnopenablePathIsNamed) {
  EXPECT_THAT(FileLock::Acquire(TempPath("no_such_dir/x.lock")),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("cannot open lock file")));
}

// A link planted where the lock goes must not redirect the pid onto the file it names.
TEST(FileLockTest, ASymbolicLinkIsRefusedAndItsTargetKept) {
  const std::string target = TempPath("precious.txt");
  const std::string link = TempPath("linked.lock");
  ASSERT_OK(WriteFileAtomically(target, "precious\n"));
  ::unlink(link.c_str());
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  EXPECT_THAT(FileLock::Acquire(link),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is a symbolic link")));
  ASSERT_OK_AND_ASSIGN(std::string kept, ReadFile(target));
  EXPECT_EQ(kept, "precious\n");
}

TEST(FileLockTest, AFifoIsRefusedWithoutBlocking) {
  const std::string fifo = TempPath("fifo.lock");
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  EXPECT_THAT(FileLock::Acquire(fifo),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is not a regular file")));
}

}  // namespace
}  // namespace calico
