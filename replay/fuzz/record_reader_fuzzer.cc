// libFuzzer target: arbitrary bytes as a record file, read in both strict and skipping
// mode, every record then parsed as an episode. Must never crash, hang or leak.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "replay/episode.h"
#include "replay/record_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = ::memfd_create("calico_fuzz_records", 0);
  if (fd < 0) return 0;
  size_t written = 0;
  while (written < size) {
    const ssize_t n = ::write(fd, data + written, size - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  for (bool skip : {false, true}) {
    calico::RecordReaderOptions options;
    options.skip_corrupt = skip;
    options.max_record_bytes = 1 << 20;
    options.buffer_bytes = 4096;
    auto reader = calico::RecordReader::Open(path, options);
    if (!reader.ok()) continue;
    std::string record;
    while (true) {
      absl::StatusOr<bool> more = (*reader)->Next(&record);
      if (!more.ok() || !*more) break;
      (void)calico::ParseEpisode(record, "fuzz");
    }
  }
  ::close(fd);
  return 0;
}
