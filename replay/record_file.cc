#include "replay/record_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "replay/crc32c.h"

namespace calico {
namespace {

void PutLe64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
void PutLe32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
uint64_t GetLe64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
uint32_t GetLe32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

absl::Status ErrnoStatus(absl::string_view what, const std::string& path) {
  const int err = errno;
  const std::string message = absl::StrCat(what, " '", path, "': ", std::strerror(err));
  return err == ENOENT ? absl::NotFoundError(message) : absl::InternalError(message);
}

// True when `header` (12 bytes) holds a length whose CRC checks out.
bool HeaderValid(const char* header, uint64_t* length) {
  *length = GetLe64(header);
  return MaskCrc(Crc32c(header, 8)) == GetLe32(header + 8);
}

}  // namespace

// ---------------------------------------------------------------------------- writer

absl::StatusOr<std::unique_ptr<RecordWriter>> RecordWriter::Create(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) == 0) {
    return absl::AlreadyExistsError(absl::StrCat("record file '", path, "' already exists; shards are never overwritten"));
  }
  const std::string partial = path + kPartialSuffix;
  const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("cannot create record file", partial);
  return std::unique_ptr<RecordWriter>(new RecordWriter(path, fd));
}

RecordWriter::~RecordWriter() {
  if (fd_ >= 0) ::close(fd_);  // an unfinished shard stays as "<path>.partial"
}

absl::Status RecordWriter::Write(absl::string_view data) {
  if (fd_ < 0) return absl::FailedPreconditionError(absl::StrCat("record file '", path_, "' is already finished"));
  if (broken_) {
    return absl::FailedPreconditionError(
        absl::StrCat("record file '", path_, kPartialSuffix, "' ends inside a record a failed write left"));
  }
  frame_.resize(kRecordHeaderBytes + data.size() + kRecordFooterBytes);
  char* p = frame_.data();
  PutLe64(p, data.size());
  PutLe32(p + 8, MaskCrc(Crc32c(p, 8)));
  std::memcpy(p + kRecordHeaderBytes, data.data(), data.size());
  PutLe32(p + kRecordHeaderBytes + data.size(), MaskCrc(Crc32c(data.data(), data.size())));
  size_t written = 0;
  while (written < frame_.size()) {
    const ssize_t n = ::write(fd_, p + written, frame_.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      absl::Status failed = ErrnoStatus("cannot write record file", path_ + kPartialSuffix);
      // Cut the torn record off, so the file keeps only whole records.
      if (written > 0 && (::ftruncate(fd_, bytes_) != 0 || ::lseek(fd_, bytes_, SEEK_SET) != bytes_)) broken_ = true;
      return failed;
    }
    written += static_cast<size_t>(n);
  }
  ++records_;
  bytes_ += static_cast<int64_t>(frame_.size());
  return absl::OkStatus();
}

absl::Status RecordWriter::Finish() {
  if (fd_ < 0) return absl::FailedPreconditionError(absl::StrCat("record file '", path_, "' is already finished"));
  if (broken_) {
    return absl::DataLossError(absl::StrCat("record file '", path_, kPartialSuffix,
                                            "' ends inside a record a failed write left; it stays unfinished"));
  }
  const std::string partial = path_ + kPartialSuffix;
  if (::fsync(fd_) != 0) return ErrnoStatus("cannot fsync record file", partial);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return ErrnoStatus("cannot close record file", partial);
  if (::rename(partial.c_str(), path_.c_str()) != 0) return ErrnoStatus("cannot rename record file to", path_);
  const size_t slash = path_.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path_.substr(0, slash + 1);
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return absl::OkStatus();
}

absl::Status RecordWriter::Discard() {
  if (fd_ < 0) return absl::FailedPreconditionError(absl::StrCat("record file '", path_, "' is already finished"));
  const std::string partial = path_ + kPartialSuffix;
  const int fd = fd_;
  fd_ = -1;
  ::close(fd);
  if (::unlink(partial.c_str()) != 0) return ErrnoStatus("cannot delete record file", partial);
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------- reader

absl::Status RecordReaderOptions::Validate() const {
  if (max_record_bytes == 0) return absl::InvalidArgumentError("max_record_bytes must be positive");
  if (buffer_bytes < 4096) return absl::InvalidArgumentError("buffer_bytes must be at least 4096");
  return absl::OkStatus();
}

RecordReader::RecordReader(std::string path, int fd, RecordReaderOptions options)
    : path_(std::move(path)), fd_(fd), options_(options) {
  buffer_.resize(options_.buffer_bytes);
}

RecordReader::~RecordReader() { ::close(fd_); }

absl::StatusOr<std::unique_ptr<RecordReader>> RecordReader::Open(const std::string& path,
                                                                 const RecordReaderOptions& options) {
  absl::Status valid = options.Validate();
  if (!valid.ok()) return valid;
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) return ErrnoStatus("cannot open record file", path);
  if (S_ISDIR(info.st_mode)) return absl::InvalidArgumentError(absl::StrCat("'", path, "' is a directory, not a record file"));
  // A device would never end and a FIFO would block in open().
  if (!S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat("'", path, "' is not a regular file, so not a record file"));
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open record file", path);
  auto reader = std::unique_ptr<RecordReader>(new RecordReader(path, fd, options));
  reader->file_size_ = static_cast<int64_t>(info.st_size);
  return reader;
}

absl::StatusOr<bool> RecordReader::Fill(size_t n) {
  if (end_ - pos_ >= n) return true;
  if (pos_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  // Grown with a buffer's worth of room beyond `n`, so the reads that follow stay
  // buffer-sized instead of one byte at a time.
  if (buffer_.size() < n) buffer_.resize(n + options_.buffer_bytes);
  while (end_ < n && !eof_) {
    const ssize_t got = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
    if (got < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot read record file", path_);
    }
    if (got == 0) eof_ = true;
    end_ += static_cast<size_t>(got);
  }
  return end_ - pos_ >= n;
}

absl::Status RecordReader::Corrupt(const std::string& what, int64_t at) const {
  return absl::DataLossError(absl::StrCat("record file '", path_, "': ", what, " at offset ", at,
                                          " (CRC mismatch; the file is damaged)"));
}

std::string RecordReader::TornTailMessage() const {
  if (!stats_.torn_tail) return "";
  return absl::StrCat("record file '", path_, "': torn tail at offset ", stats_.torn_tail_offset, ": ",
                      stats_.torn_tail_bytes, " bytes dropped (an unfinished last record)");
}

absl::StatusOr<bool> RecordReader::Resync() {
  // Try every later offset as a record start; the first whose length and data CRCs both
  // check out is where reading resumes. Bytes before a candidate are dropped from the
  // buffer as the scan passes them, so a damaged region of any size is scanned with
  // buffer-sized reads in bounded memory.
  int64_t skipped = 0;
  while (true) {
    ++pos_;
    ++offset_;
    ++skipped;
    absl::StatusOr<bool> have_header = Fill(kRecordHeaderBytes);
    if (!have_header.ok()) return have_header.status();
    if (!*have_header) break;
    uint64_t length;
    if (!HeaderValid(buffer_.data() + pos_, &length) || length > options_.max_record_bytes) continue;
    const size_t need = kRecordHeaderBytes + length + kRecordFooterBytes;
    if (offset_ + static_cast<int64_t>(need) > file_size_) continue;  // runs past the end of the file
    absl::StatusOr<bool> have_record = Fill(need);
    if (!have_record.ok()) return have_record.status();
    if (!*have_record) continue;
    const char* data = buffer_.data() + pos_ + kRecordHeaderBytes;
    if (MaskCrc(Crc32c(data, length)) != GetLe32(data + length)) continue;
    ++stats_.corrupt_records;
    stats_.corrupt_bytes += skipped;
    return true;
  }
  // Nothing valid follows: the rest of the file is one bad record.
  ++stats_.corrupt_records;
  stats_.corrupt_bytes += skipped + static_cast<int64_t>(end_ - pos_);
  offset_ += static_cast<int64_t>(end_ - pos_);
  pos_ = end_;
  return false;
}

void RecordReader::DropTornTail() {
  // Everything from here to the end of the file (part of which may not have been read).
  const int64_t rest = std::max(file_size_ - offset_, static_cast<int64_t>(end_ - pos_));
  stats_.torn_tail = true;
  stats_.torn_tail_offset = offset_;
  stats_.torn_tail_bytes = rest;
  offset_ += rest;
  pos_ = end_;
  eof_ = true;
}

absl::StatusOr<bool> RecordReader::Next(std::string* record) {
  while (true) {
    absl::StatusOr<bool> have_header = Fill(kRecordHeaderBytes);
    if (!have_header.ok()) return have_header.status();
    if (!*have_header) {
      if (end_ > pos_) DropTornTail();
      return false;
    }
    uint64_t length;
    const bool header_valid = HeaderValid(buffer_.data() + pos_, &length);
    if (!header_valid || length > options_.max_record_bytes) {
      const std::string what = header_valid ? absl::StrCat("record length ", length, " above the limit of ",
                                                           options_.max_record_bytes, " bytes")
                                            : std::string("corrupt record length");
      if (!options_.skip_corrupt) {
        return header_valid ? absl::DataLossError(absl::StrCat("record file '", path_, "': ", what, " at offset ", offset_))
                            : Corrupt(what, offset_);
      }
      absl::StatusOr<bool> resynced = Resync();
      if (!resynced.ok()) return resynced.status();
      if (!*resynced) return false;
      continue;
    }
    const size_t need = kRecordHeaderBytes + length + kRecordFooterBytes;
    // A length past the end of the file is a torn tail: known without allocating it.
    if (offset_ + static_cast<int64_t>(need) > file_size_) {
      DropTornTail();
      return false;
    }
    absl::StatusOr<bool> have_record = Fill(need);
    if (!have_record.ok()) return have_record.status();
    if (!*have_record) {
      DropTornTail();
      return false;
    }
    const char* data = buffer_.data() + pos_ + kRecordHeaderBytes;
    if (MaskCrc(Crc32c(data, length)) != GetLe32(data + length)) {
      if (!options_.skip_corrupt) return Corrupt(absl::StrCat("corrupt data of a ", length, "-byte record"), offset_);
      ++stats_.corrupt_records;
      stats_.corrupt_bytes += static_cast<int64_t>(need);
      pos_ += need;
      offset_ += static_cast<int64_t>(need);
      continue;
    }
    record->assign(data, length);
    pos_ += need;
    offset_ += static_cast<int64_t>(need);
    ++stats_.records;
    stats_.data_bytes += static_cast<int64_t>(length);
    return true;
  }
}

}  // namespace calico
