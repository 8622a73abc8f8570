#include "replay/record_file.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/file_io.h"
#include "base/file_size_limit.h"
#include "base/random.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

std::string TempPath(const std::string& name) { return absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name); }

// Record i: deterministic bytes, length varying with i (0 included).
std::string RecordContent(int i) {
  Rng rng(i);
  std::string s((i * 37) % 300, '\0');
  for (char& c : s) c = static_cast<char>(rng.Next());
  return s;
}

std::string WriteShard(const std::string& name, int records) {
  const std::string path = TempPath(name);
  auto writer = RecordWriter::Create(path);
  EXPECT_OK(writer);
  for (int i = 0; i < records; ++i) EXPECT_OK((*writer)->Write(RecordContent(i)));
  EXPECT_OK((*writer)->Finish());
  return path;
}

std::vector<std::string> ReadAll(const std::string& path, const RecordReaderOptions& options, RecordReaderStats* stats,
                                 absl::Status* error) {
  std::vector<std::string> records;
  auto reader = RecordReader::Open(path, options);
  if (!reader.ok()) {
    *error = reader.status();
    return records;
  }
  std::string record;
  while (true) {
    absl::StatusOr<bool> more = (*reader)->Next(&record);
    if (!more.ok()) {
      *error = more.status();
      break;
    }
    if (!*more) break;
    records.push_back(record);
  }
  *stats = (*reader)->stats();
  return records;
}

TEST(RecordFileTest, RoundTripsRecordsOfEverySizeIncludingOnesLargerThanTheBuffer) {
  const std::string path = TempPath("round_trip.tfrecord");
  ASSERT_OK_AND_ASSIGN(auto writer, RecordWriter::Create(path));
  std::vector<std::string> written;
  for (int i = 0; i < 50; ++i) written.push_back(RecordContent(i));
  written.push_back(std::string(6 << 20, 'x'));  // 6 MiB, above the 4 MiB read buffer
  written.push_back("");
  for (const std::string& r : written) ASSERT_OK(writer->Write(r));
  struct stat info;
  EXPECT_NE(::stat(path.c_str(), &info), 0) << "the shard appears only when finished";
  EXPECT_EQ(::stat((path + kPartialSuffix).c_str(), &info), 0);
  ASSERT_OK(writer->Finish());
  EXPECT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_NE(::stat((path + kPartialSuffix).c_str(), &info), 0);
  EXPECT_EQ(info.st_size, writer->bytes());
  EXPECT_THAT(writer->Write("x"), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("finished")));

  RecordReaderStats stats;
  absl::Status error;
  EXPECT_EQ(ReadAll(path, {}, &stats, &error), written);
  EXPECT_OK(error);
  EXPECT_EQ(stats.records, 52);
  EXPECT_FALSE(stats.torn_tail);
}

TEST(RecordFileTest, AFailedWriteIsCutOffSoTheFileKeepsWholeRecords) {
  const std::string path = TempPath("failed_write");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RecordWriter> writer, RecordWriter::Create(path));
  const std::string record(1000, 'r');  // 1,016 bytes framed
  {
    // Room for two records and half of a third: the third write fails part-way.
    ScopedFileSizeLimit limit(2500);
    ASSERT_TRUE(limit.ok());
    ASSERT_OK(writer->Write(record));
    ASSERT_OK(writer->Write(record));
    EXPECT_THAT(writer->Write(record), StatusIs(absl::StatusCode::kInternal, HasSubstr("cannot write record file")));
  }
  EXPECT_EQ(writer->records(), 2);
  EXPECT_EQ(writer->bytes(), 2032);
  struct stat info;
  ASSERT_EQ(::stat((path + kPartialSuffix).c_str(), &info), 0);
  EXPECT_EQ(info.st_size, 2032) << "the torn third record is cut off";
  // The writer goes on where the last whole record ended.
  ASSERT_OK(writer->Write("after"));
  ASSERT_OK(writer->Finish());
  RecordReaderStats stats;
  absl::Status error;
  EXPECT_EQ(ReadAll(path, {}, &stats, &error), (std::vector<std::string>{record, record, "after"}));
  EXPECT_OK(error);
  EXPECT_FALSE(stats.torn_tail);
}

TEST(RecordFileTest, DiscardDeletesTheUnfinishedFile) {
  const std::string path = TempPath("discarded");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RecordWriter> writer, RecordWriter::Create(path));
  ASSERT_OK(writer->Write("x"));
  ASSERT_OK(writer->Discard());
  EXPECT_FALSE(PathExists(path + kPartialSuffix));
  EXPECT_FALSE(PathExists(path));
  EXPECT_THAT(writer->Write("y"), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already finished")));
}

TEST(RecordFileTest, FinishedShardsAreNeverOverwritten) {
  const std::string path = WriteShard("once.tfrecord", 3);
  EXPECT_THAT(RecordWriter::Create(path), StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("once.tfrecord")));
}

TEST(RecordFileTest, EveryTruncationKeepsTheCompleteRecordsAndReportsTheTornTail) {
  const std::string path = WriteShard("full.tfrecord", 6);
  ASSERT_OK_AND_ASSIGN(std::string bytes, ReadFile(path));
  std::vector<int64_t> ends = {0};  // offset after each record
  for (int i = 0; i < 6; ++i) ends.push_back(ends.back() + 16 + RecordContent(i).size());
  ASSERT_EQ(ends.back(), static_cast<int64_t>(bytes.size()));
  const std::string cut = TempPath("cut.tfrecord");
  for (size_t size = 0; size <= bytes.size(); ++size) {
    ASSERT_OK(WriteFileAtomically(cut, bytes.substr(0, size)));
    RecordReaderStats stats;
    absl::Status error;
    const std::vector<std::string> records = ReadAll(cut, {}, &stats, &error);
    ASSERT_OK(error) << size;
    int complete = 0;
    while (complete < 6 && ends[complete + 1] <= static_cast<int64_t>(size)) ++complete;
    ASSERT_EQ(static_cast<int>(records.size()), complete) << "size " << size;
    for (int i = 0; i < complete; ++i) ASSERT_EQ(records[i], RecordContent(i));
    const bool torn = ends[complete] != static_cast<int64_t>(size);
    ASSERT_EQ(stats.torn_tail, torn) << size;
    if (torn) {
      EXPECT_EQ(stats.torn_tail_offset, ends[complete]);
      EXPECT_EQ(stats.torn_tail_bytes, static_cast<int64_t>(size) - ends[complete]);
    }
  }
}

TEST(RecordFileTest, FlippedDataByteIsAnErrorNamingFileAndOffsetOrIsSkippedOnRequest) {
  const std::string path = WriteShard("flip_data.tfrecord", 5);
  ASSERT_OK_AND_ASSIGN(std::string bytes, ReadFile(path));
  // Record 2 starts after records 0 and 1; flip a byte inside its data.
  const int64_t record2 = 2 * 16 + RecordContent(0).size() + RecordContent(1).size();
  bytes[record2 + 12 + 5] ^= 0x40;
  const std::string bad = TempPath("flip_data_bad.tfrecord");
  ASSERT_OK(WriteFileAtomically(bad, bytes));
  RecordReaderStats stats;
  absl::Status error;
  std::vector<std::string> records = ReadAll(bad, {}, &stats, &error);
  EXPECT_THAT(error, StatusIs(absl::StatusCode::kDataLoss,
                              AllOf(HasSubstr("flip_data_bad.tfrecord"), HasSubstr(absl::StrCat("offset ", record2)))));
  EXPECT_EQ(records.size(), 2u);
  RecordReaderOptions skip;
  skip.skip_corrupt = true;
  error = absl::OkStatus();
  records = ReadAll(bad, skip, &stats, &error);
  EXPECT_OK(error);
  EXPECT_EQ(records, (std::vector<std::string>{RecordContent(0), RecordContent(1), RecordContent(3), RecordContent(4)}));
  EXPECT_EQ(stats.corrupt_records, 1);
  EXPECT_EQ(stats.corrupt_bytes, static_cast<int64_t>(16 + RecordContent(2).size()));
}

TEST(RecordFileTest, FlippedLengthByteIsDetectedAndSkippingResynchronises) {
  const std::string path = WriteShard("flip_length.tfrecord", 5);
  ASSERT_OK_AND_ASSIGN(std::string bytes, ReadFile(path));
  const int64_t record1 = 16 + RecordContent(0).size();
  bytes[record1 + 1] ^= 0x01;  // the length now claims 256 more bytes
  const std::string bad = TempPath("flip_length_bad.tfrecord");
  ASSERT_OK(WriteFileAtomically(bad, bytes));
  RecordReaderStats stats;
  absl::Status error;
  ReadAll(bad, {}, &stats, &error);
  EXPECT_THAT(error, StatusIs(absl::StatusCode::kDataLoss,
                              AllOf(HasSubstr("corrupt record length"), HasSubstr(absl::StrCat("offset ", record1)))));
  RecordReaderOptions skip;
  skip.skip_corrupt = true;
  error = absl::OkStatus();
  const std::vector<std::string> records = ReadAll(bad, skip, &stats, &error);
  EXPECT_OK(error);
  EXPECT_EQ(records, (std::vector<std::string>{RecordContent(0), RecordContent(2), RecordContent(3), RecordContent(4)}));
  EXPECT_EQ(stats.corrupt_records, 1);
}

TEST(RecordFileTest, ResyncCrossesDamageManyBuffersLong) {
  const std::string path = WriteShard("long_damage.tfrecord", 6);
  ASSERT_OK_AND_ASSIGN(std::string bytes, ReadFile(path));
  // 100 KB of garbage (25 of the 4 KiB buffers below) where record 2 began, then
  // records 3 to 5 intact.
  const int64_t record2 = 2 * 16 + RecordContent(0).size() + RecordContent(1).size();
  const int64_t record3 = record2 + 16 + RecordContent(2).size();
  std::string garbage(100000, '\0');
  Rng rng(9);
  for (char& c : garbage) c = static_cast<char>(rng.Next());
  const std::string damaged = bytes.substr(0, record2) + garbage + bytes.substr(record3);
  const std::string bad = TempPath("long_damage_bad.tfrecord");
  ASSERT_OK(WriteFileAtomically(bad, damaged));
  RecordReaderOptions skip;
  skip.skip_corrupt = true;
  skip.buffer_bytes = 4096;
  RecordReaderStats stats;
  absl::Status error;
  const std::vector<std::string> records = ReadAll(bad, skip, &stats, &error);
  EXPECT_OK(error);
  EXPECT_EQ(records, (std::vector<std::string>{RecordContent(0), RecordContent(1), RecordContent(3), RecordContent(4),
                                               RecordContent(5)}));
  EXPECT_EQ(stats.corrupt_records, 1);
  EXPECT_EQ(stats.corrupt_bytes, 100000);
  EXPECT_FALSE(stats.torn_tail);
  // Garbage to the end of the file: one bad record of everything after the last good one.
  const std::string tail = bytes.substr(0, record2) + garbage;
  ASSERT_OK(WriteFileAtomically(bad, tail));
  EXPECT_EQ(ReadAll(bad, skip, &stats, &error), (std::vector<std::string>{RecordContent(0), RecordContent(1)}));
  EXPECT_EQ(stats.corrupt_records + (stats.torn_tail ? 1 : 0), 1);
  EXPECT_EQ(stats.corrupt_bytes + stats.torn_tail_bytes, 100000) << "every byte after record 1 accounted for once";
}

TEST(RecordFileTest, AbsurdLengthWithValidCrcIsRejectedNotAllocated) {
  const std::string path = WriteShard("big.tfrecord", 3);  // record 1 has 37 bytes
  RecordReaderOptions options;
  options.max_record_bytes = 10;
  RecordReaderStats stats;
  absl::Status error;
  ReadAll(path, options, &stats, &error);
  EXPECT_THAT(error, StatusIs(absl::StatusCode::kDataLoss, HasSubstr("above the limit of 10 bytes")));
  EXPECT_THAT(RecordReader::Open(TempPath("missing.tfrecord")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing.tfrecord")));
  options.max_record_bytes = 0;
  EXPECT_THAT(RecordReader::Open(path, options), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_record_bytes")));
  // Only regular files: a device never ends, a FIFO without a writer blocks in open().
  EXPECT_THAT(RecordReader::Open("/dev/zero"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'/dev/zero' is not a regular file")));
  const std::string fifo = TempPath("fifo.tfrecord");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_THAT(RecordReader::Open(fifo), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a regular file")));
}

TEST(RecordFileTest, WriterKilledWithSigkillLeavesReadableCompleteRecords) {
  const std::string path = TempPath("killed.tfrecord");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child writes records as fast as it can until it is killed.
    auto writer = RecordWriter::Create(path);
    if (!writer.ok()) ::_exit(3);
    for (int i = 0;; ++i) {
      if (!(*writer)->Write(RecordContent(i % 1000) + std::string(4000, static_cast<char>(i))).ok()) ::_exit(4);
    }
  }
  // Kill it once the partial shard holds a few hundred KB. The deadline is generous: on a
  // loaded machine the child may wait a long time for a core.
  const std::string partial = path + kPartialSuffix;
  struct stat info;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool grown = false;
  while (!grown && std::chrono::steady_clock::now() < deadline) {
    grown = ::stat(partial.c_str(), &info) == 0 && info.st_size > 300000;
    if (!grown) ::usleep(1000);
  }
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  if (!grown) ADD_FAILURE() << "the child did not write 300 KB within 60 s";
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << status;
  EXPECT_NE(::stat(path.c_str(), &info), 0) << "an unfinished shard must not look finished";

  RecordReaderStats stats;
  absl::Status error;
  const std::vector<std::string> records = ReadAll(partial, {}, &stats, &error);
  ASSERT_OK(error);
  ASSERT_GT(records.size(), 50u);
  for (size_t i = 0; i < records.size(); ++i) {
    ASSERT_EQ(records[i], RecordContent(i % 1000) + std::string(4000, static_cast<char>(i))) << i;
  }
  ASSERT_EQ(::stat(partial.c_str(), &info), 0);
  EXPECT_EQ(stats.data_bytes + 16 * stats.records + stats.torn_tail_bytes, info.st_size);
}

}  // namespace
}  // namespace calico
