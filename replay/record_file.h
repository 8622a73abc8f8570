// Record files in TFRecord framing, so TensorFlow, RLDS and plain Python can read calico
// data:
//
//   uint64 length (little-endian) | uint32 masked_crc32c(length) | data | uint32 masked_crc32c(data)
//
// RecordWriter appends to "<path>.partial" and renames it to <path> only in Finish(), after
// an fsync: a finished shard is complete, and a writer killed mid-way leaves a .partial
// file whose complete records all read back (each record is written with one write(2)).
// RecordReader streams a file, reports a torn tail (the file ends inside a record) with
// its offset and size and stops there, and treats a CRC mismatch as an error naming the
// file and offset, or, if asked, skips the bad record and counts it.
#ifndef CALICO_REPLAY_RECORD_FILE_H_
#define CALICO_REPLAY_RECORD_FILE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace calico {

// Suffix of a shard that is still being written (or whose writer died).
inline constexpr char kPartialSuffix[] = ".partial";
// Framing bytes around each record's data.
inline constexpr int kRecordHeaderBytes = 12;
inline constexpr int kRecordFooterBytes = 4;

// Appends records to one shard. Not thread-safe.
class RecordWriter {
 public:
  // Creates "<path>.partial" (truncating one left by a dead writer); `path` itself must not
  // exist, so a finished shard is never overwritten.
  static absl::StatusOr<std::unique_ptr<RecordWriter>> Create(const std::string& path);
  ~RecordWriter();

  // Appends one record (header, data and footer in one write). When the write fails
  // (a full disk, a file size limit), the bytes of the record already written are cut
  // off again, so the file still ends after the last complete record and the writer can
  // go on or finish; if that cut fails too, the writer is broken and Finish refuses.
  absl::Status Write(absl::string_view data);

  // Fsyncs, closes and renames "<path>.partial" to `path`. Further writes are errors.
  absl::Status Finish();

  // Closes and deletes "<path>.partial" (a shard that ended up holding nothing worth
  // keeping). Further writes are errors.
  absl::Status Discard();

  int64_t records() const { return records_; }
  int64_t bytes() const { return bytes_; }
  const std::string& path() const { return path_; }

 private:
  RecordWriter(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  std::string path_;
  int fd_;
  int64_t records_ = 0;
  int64_t bytes_ = 0;
  bool broken_ = false;  // a failed write could not be cut off: the file ends mid-record
  std::string frame_;  // reused buffer for one framed record
};

struct RecordReaderOptions {
  // false: a CRC mismatch is an error. true: skip the bad record (resynchronising on
  // the next valid header when the length itself is corrupt) and count it.
  bool skip_corrupt = false;
  // A length above this is treated as corruption, so a damaged header cannot make the
  // reader allocate absurd amounts of memory.
  uint64_t max_record_bytes = uint64_t{1} << 30;
  size_t buffer_bytes = 4 << 20;

  absl::Status Validate() const;
};

// What a reader met so far.
struct RecordReaderStats {
  int64_t records = 0;           // good records returned
  int64_t data_bytes = 0;        // their data bytes
  int64_t corrupt_records = 0;   // skipped bad records (skip_corrupt only)
  int64_t corrupt_bytes = 0;     // bytes skipped with them
  bool torn_tail = false;        // the file ends inside a record
  int64_t torn_tail_offset = 0;  // where that record starts
  int64_t torn_tail_bytes = 0;   // bytes dropped there
};

// Streams the records of one file. Not thread-safe.
class RecordReader {
 public:
  static absl::StatusOr<std::unique_ptr<RecordReader>> Open(const std::string& path,
                                                           const RecordReaderOptions& options = {});
  ~RecordReader();

  // Reads the next record into `record`: true if one was read, false at the end of the
  // file (or at a torn tail, see stats()). A CRC mismatch is a DataLoss error naming the
  // file and offset unless skip_corrupt is set.
  absl::StatusOr<bool> Next(std::string* record);

  // Offset of the next unread byte.
  int64_t offset() const { return offset_; }
  const RecordReaderStats& stats() const { return stats_; }
  const std::string& path() const { return path_; }

  // "torn tail at offset X: N bytes dropped" or "" when the file ended cleanly.
  std::string TornTailMessage() const;

 private:
  RecordReader(std::string path, int fd, RecordReaderOptions options);
  // Makes at least `n` bytes available at buffer_[pos_]; false if the file has fewer.
  absl::StatusOr<bool> Fill(size_t n);
  // Skips ahead to the next offset whose header and data both check out.
  absl::StatusOr<bool> Resync();
  absl::Status Corrupt(const std::string& what, int64_t at) const;
  // Records the unread rest of the file as a torn tail and skips it.
  void DropTornTail();

  std::string path_;
  int fd_;
  RecordReaderOptions options_;
  std::string buffer_;
  size_t pos_ = 0;   // first unread byte in buffer_
  size_t end_ = 0;   // one past the last valid byte in buffer_
  bool eof_ = false;
  int64_t file_size_ = 0;  // at Open: a record cannot run past it
  int64_t offset_ = 0;  // file offset of buffer_[pos_]
  RecordReaderStats stats_;
};

}  // namespace calico

#endif  // CALICO_REPLAY_RECORD_FILE_H_
