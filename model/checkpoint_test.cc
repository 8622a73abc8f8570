#include "model/checkpoint.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>

#include "base/file_io.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/config.h"
#include "model/test_batches.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

AdamWOptions Options() {
  AdamWOptions o;
  o.learning_rate = 1e-3;
  o.warmup_steps = 2;
  o.total_steps = 20;
  return o;
}

// One training step on a batch drawn from the trainer's own random stream.
void TrainStep(Trainer& trainer) {
  const Batch batch = RandomBatch(trainer.model().config(), 2, 16, trainer.rng().Next());
  ASSERT_OK(trainer.Step(batch).status());
}

TEST(CheckpointTest, ResumingContinuesBitIdentically) {
  const ModelConfig config = TinyConfig();
  ASSERT_OK_AND_ASSIGN(Trainer straight, Trainer::Create(config, Options(), 5));
  for (int i = 0; i < 6; ++i) TrainStep(straight);

  ASSERT_OK_AND_ASSIGN(Trainer first, Trainer::Create(config, Options(), 5));
  for (int i = 0; i < 3; ++i) TrainStep(first);
  const std::string path = TempPath("resume.ckpt");
  ASSERT_OK(SaveCheckpoint(first, path));
  // A different seed: everything must come from the checkpoint.
  ASSERT_OK_AND_ASSIGN(Trainer resumed, Trainer::Create(config, Options(), 99));
  ASSERT_OK(RestoreCheckpoint(path, &resumed));
  EXPECT_EQ(resumed.step(), 3);
  EXPECT_EQ(resumed.model().parameters(), first.model().parameters());
  for (int i = 0; i < 3; ++i) TrainStep(resumed);
  EXPECT_EQ(resumed.step(), 6);
  EXPECT_EQ(resumed.model().parameters(), straight.model().parameters());
  EXPECT_EQ(resumed.optimizer().second_moment(), straight.optimizer().second_moment());
  EXPECT_EQ(resumed.rng().state(), straight.rng().state());
  ASSERT_OK_AND_ASSIGN(ModelConfig stored, ReadCheckpointConfig(path));
  EXPECT_TRUE(ModelConfigDifferences(stored, config).empty());
}

TEST(CheckpointTest, DifferentConfigIsAnErrorListingTheDifferences) {
  ASSERT_OK_AND_ASSIGN(Trainer trainer, Trainer::Create(TinyConfig(), Options(), 1));
  const std::string path = TempPath("config.ckpt");
  ASSERT_OK(SaveCheckpoint(trainer, path));
  ModelConfig other = TinyConfig();
  other.set_width(16);
  other.set_head_dim(8);
  other.set_name("other");
  ASSERT_OK_AND_ASSIGN(Trainer wrong, Trainer::Create(other, Options(), 1));
  const std::vector<float> before = wrong.model().parameters();
  EXPECT_THAT(RestoreCheckpoint(path, &wrong),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("different model config (checkpoint vs model): width: 8 vs 16, "
                                 "head_dim: 4 vs 8")));
  EXPECT_EQ(wrong.model().parameters(), before);
}

TEST(CheckpointTest, CorruptTruncatedAndForeignFilesAreClearErrors) {
  ASSERT_OK_AND_ASSIGN(Trainer trainer, Trainer::Create(TinyConfig(), Options(), 1));
  TrainStep(trainer);
  const std::string path = TempPath("good.ckpt");
  ASSERT_OK(SaveCheckpoint(trainer, path));
  ASSERT_OK_AND_ASSIGN(std::string good, ReadFile(path));
  ASSERT_OK_AND_ASSIGN(Trainer target, Trainer::Create(TinyConfig(), Options(), 7));
  const std::vector<float> before = target.model().parameters();
  const std::string bad = TempPath("bad.ckpt");

  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x10;
  ASSERT_OK(WriteFileAtomically(bad, flipped));
  EXPECT_THAT(RestoreCheckpoint(bad, &target),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("checksum mismatch")));

  for (size_t keep : {size_t{3}, size_t{20}, good.size() / 2, good.size() - 1}) {
    ASSERT_OK(WriteFileAtomically(bad, good.substr(0, keep)));
    EXPECT_THAT(RestoreCheckpoint(bad, &target),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr("truncated"))) << keep;
  }
  ASSERT_OK(WriteFileAtomically(bad, "hello, this is not a checkpoint at all"));
  EXPECT_THAT(RestoreCheckpoint(bad, &target),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a calico checkpoint")));
  std::string version = good;
  version[8] = 7;
  ASSERT_OK(WriteFileAtomically(bad, version));
  EXPECT_THAT(RestoreCheckpoint(bad, &target),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("format version 7, expected 1")));
  // A file far larger than its header says is refused from its first bytes (a sparse
  // 64 GiB file here: reading it whole would take the machine's memory).
  const std::string huge = TempPath("huge.ckpt");
  ASSERT_OK(WriteFileAtomically(huge, good));
  ASSERT_EQ(::truncate(huge.c_str(), int64_t{64} << 30), 0);
  EXPECT_THAT(RestoreCheckpoint(huge, &target),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr(absl::StrCat("is too long: 68719476736 bytes, expected ", good.size()))));
  ::unlink(huge.c_str());
  // A corrupt size field in the header is named as such, whatever the file's size.
  std::string config_size = good;
  config_size[12] = static_cast<char>(0xff);
  config_size[15] = static_cast<char>(0x7f);
  ASSERT_OK(WriteFileAtomically(bad, config_size));
  EXPECT_THAT(RestoreCheckpoint(bad, &target),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("is corrupt or truncated: config of")));
  EXPECT_THAT(RestoreCheckpoint(TempPath("missing.ckpt"), &target),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing.ckpt")));
  EXPECT_EQ(target.model().parameters(), before);
  EXPECT_EQ(target.step(), 0);
}

// Runs `read` on a FIFO that a writer thread fills with `bytes`, then (if `endless`) with
// zeros until the reader closes it: the writer stops on EPIPE, so an endless stream ends
// as soon as the reader stops reading.
absl::Status ReadThroughAPipe(const std::string& bytes, bool endless,
                              const std::function<absl::Status(const std::string&)>& read) {
  const std::string fifo = TempPath("stream.ckpt");
  ::unlink(fifo.c_str());
  if (::mkfifo(fifo.c_str(), 0600) != 0) return absl::InternalError("mkfifo failed");
  ::signal(SIGPIPE, SIG_IGN);
  std::thread writer([&] {
    const int fd = ::open(fifo.c_str(), O_WRONLY);
    if (fd < 0) return;
    auto put = [fd](const char* data, size_t n) {
      while (n > 0) {
        const ssize_t wrote = ::write(fd, data, n);
        if (wrote < 0 && errno == EINTR) continue;
        if (wrote <= 0) return false;  // EPIPE: the reader is done
        data += wrote;
        n -= static_cast<size_t>(wrote);
      }
      return true;
    };
    if (put(bytes.data(), bytes.size()) && endless) {
      const std::string zeros(1 << 16, '\0');
      while (put(zeros.data(), zeros.size())) {
      }
    }
    ::close(fd);
  });
  absl::Status status = read(fifo);
  writer.join();
  ::unlink(fifo.c_str());
  return status;
}

// A checkpoint streamed through a pipe (--checkpoint=<(...)) has no size to check in
// advance: it is read as far as its header says and no further.
TEST(CheckpointTest, AStreamIsReadOnlyAsFarAsItsHeaderSays) {
  ASSERT_OK_AND_ASSIGN(Trainer trainer, Trainer::Create(TinyConfig(), Options(), 1));
  TrainStep(trainer);
  const std::string path = TempPath("streamed.ckpt");
  ASSERT_OK(SaveCheckpoint(trainer, path));
  ASSERT_OK_AND_ASSIGN(std::string good, ReadFile(path));
  ASSERT_OK_AND_ASSIGN(Trainer target, Trainer::Create(TinyConfig(), Options(), 7));
  auto restore = [&](const std::string& fifo) { return RestoreCheckpoint(fifo, &target); };

  EXPECT_THAT(ReadThroughAPipe(good.substr(0, good.size() / 2), false, restore),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr(absl::StrCat("is truncated: ", good.size() / 2, " bytes, expected ", good.size()))));
  EXPECT_THAT(ReadThroughAPipe(good + "tail", false, restore),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr(absl::StrCat("is too long: its header says ", good.size(), " bytes"))));
  // An endless stream of anything is refused from its first bytes (not read into memory).
  EXPECT_THAT(ReadThroughAPipe("", true, restore),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a calico checkpoint")));
  EXPECT_THAT(ReadThroughAPipe(good, true, restore), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("too long")));
  EXPECT_EQ(target.step(), 0);
  ASSERT_OK(ReadThroughAPipe(good, false, restore));
  EXPECT_EQ(target.step(), 1);
  EXPECT_EQ(target.model().parameters(), trainer.model().parameters());
}

}  // namespace
}  // namespace calico
