#include "base/file_io.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <thread>
#include <string>

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

TEST(FileIoTest, WriteThenReadRoundTripsBinaryContents) {
  const std::string path = TempPath("round_trip.bin");
  const std::string contents("a\0b\xff\n", 5);
  ASSERT_OK(WriteFileAtomically(path, contents));
  ASSERT_OK_AND_ASSIGN(std::string read_back, ReadFile(path));
  EXPECT_EQ(read_back, contents);
}

TEST(FileIoTest, OverwriteReplacesTheWholeFile) {
  const std::string path = TempPath("overwrite.txt");
  ASSERT_OK(WriteFileAtomically(path, "a long first version"));
  ASSERT_OK(WriteFileAtomically(path, "short"));
  ASSERT_OK_AND_ASSIGN(std::string read_back, ReadFile(path));
  EXPECT_EQ(read_back, "short");
}

TEST(FileIoTest, ReadFilePrefixStopsAtTheLimitOrTheEnd) {
  const std::string path = TempPath("prefix.txt");
  ASSERT_OK(WriteFileAtomically(path, "abcdef"));
  ASSERT_OK_AND_ASSIGN(std::string head, ReadFilePrefix(path, 4));
  EXPECT_EQ(head, "abcd");
  ASSERT_OK_AND_ASSIGN(std::string whole, ReadFilePrefix(path, 100));
  EXPECT_EQ(whole, "abcdef");
  EXPECT_THAT(ReadFilePrefix(TempPath("no_prefix_here"), 4),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no_prefix_here")));
}

TEST(FileIoTest, MissingFileIsNotFoundAndNamesThePath) {
  EXPECT_THAT(ReadFile(TempPath("does_not_exist")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("does_not_exist")));
}

TEST(FileIoTest, DirectoryIsRejected) {
  EXPECT_THAT(ReadFile(TempPath("")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is a directory")));
}

TEST(FileIoTest, DevicesAreRejectedAndReadsStopAtTheLimit) {
  // /dev/zero never ends: refused before reading, not read until memory runs out.
  EXPECT_THAT(ReadFile("/dev/zero"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'/dev/zero' is a device")));
  const std::string path = TempPath("ten_bytes");
  ASSERT_OK(WriteFileAtomically(path, "0123456789"));
  ASSERT_OK_AND_ASSIGN(std::string all, ReadFile(path, 10));
  EXPECT_EQ(all, "0123456789");
  EXPECT_THAT(ReadFile(path, 9), StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("larger than 9 bytes")));
}

TEST(FileIoTest, PipesAreReadToTheirEndWithinTheLimit) {
  const std::string fifo = TempPath("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] {
    std::ofstream out(fifo, std::ios::binary);
    out << std::string(200000, 'x');
  });
  absl::StatusOr<std::string> read = ReadFile(fifo);
  writer.join();
  ASSERT_OK(read.status());
  EXPECT_EQ(read->size(), 200000u);

  ::signal(SIGPIPE, SIG_IGN);  // the writer outlives the reader: its write fails, quietly
  std::thread big_writer([&] {
    std::ofstream out(fifo, std::ios::binary);
    out << std::string(200000, 'x');  // the reader stops early: writes after that fail
  });
  EXPECT_THAT(ReadFile(fifo, 1000), StatusIs(absl::StatusCode::kResourceExhausted));
  big_writer.join();
}

TEST(FileIoTest, WriteIntoMissingDirectoryFailsWithThePath) {
  EXPECT_THAT(WriteFileAtomically(TempPath("no/such/dir/file"), "x"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no/such/dir/file")));
}

TEST(FileIoTest, CheckFileWritableAcceptsNewAndExistingFilesAndWritesNothing) {
  const std::string fresh = TempPath("check_fresh.gif");
  EXPECT_OK(CheckFileWritable(fresh));
  EXPECT_FALSE(PathExists(fresh));
  EXPECT_FALSE(PathExists(fresh + ".tmp." + std::to_string(::getpid()))) << "the probe file is removed";
  const std::string existing = TempPath("check_existing.gif");
  ASSERT_OK(WriteFileAtomically(existing, "old"));
  EXPECT_OK(CheckFileWritable(existing));
  ASSERT_OK_AND_ASSIGN(std::string contents, ReadFile(existing));
  EXPECT_EQ(contents, "old");
}

TEST(FileIoTest, CheckFileWritableNamesTheProblem) {
  EXPECT_THAT(CheckFileWritable(""), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no file name")));
  EXPECT_THAT(CheckFileWritable(TempPath("no/such/dir/out.gif")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no/such/dir' does not exist")));
  EXPECT_THAT(CheckFileWritable(TempPath("")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("names a directory")));
  const std::string dir = TempPath("check_dir");
  ASSERT_OK(MakeDirectories(dir));
  EXPECT_THAT(CheckFileWritable(dir), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is a directory")));
  EXPECT_THAT(CheckFileWritable("/dev/null"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a regular file")));
  // A name the file system takes but not with the temporary file's suffix.
  const std::string long_name = TempPath(std::string(250, 'a') + ".gif");
  EXPECT_THAT(CheckFileWritable(long_name), StatusIs(absl::StatusCode::kInternal, HasSubstr("File name too long")));
  EXPECT_THAT(CheckFileWritable(long_name), StatusIs(absl::StatusCode::kInternal, HasSubstr("cannot create a file beside it")));
  const std::string file = TempPath("check_plain_file");
  ASSERT_OK(WriteFileAtomically(file, "x"));
  EXPECT_THAT(CheckFileWritable(file + "/out.gif"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is not a directory")));
  if (::geteuid() != 0) {  // root may write anywhere
    const std::string locked = TempPath("check_locked");
    ASSERT_OK(MakeDirectories(locked));
    ASSERT_EQ(::chmod(locked.c_str(), 0555), 0);
    EXPECT_THAT(CheckFileWritable(locked + "/out.gif"),
                StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("not writable")));
  }
}

}  // namespace
}  // namespace calico
