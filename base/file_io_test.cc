#include "base/file_io.h"

#include <cstdlib>
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

TEST(FileIoTest, MissingFileIsNotFoundAndNamesThePath) {
  EXPECT_THAT(ReadFile(TempPath("does_not_exist")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("does_not_exist")));
}

TEST(FileIoTest, DirectoryIsRejected) {
  EXPECT_THAT(ReadFile(TempPath("")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is a directory")));
}

TEST(FileIoTest, WriteIntoMissingDirectoryFailsWithThePath) {
  EXPECT_THAT(WriteFileAtomically(TempPath("no/such/dir/file"), "x"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no/such/dir/file")));
}

}  // namespace
}  // namespace calico
