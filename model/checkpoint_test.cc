#include "model/checkpoint.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"
#include "base/file_io.h"
#include "base/fnv1a.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/config.h"
#include "model/parameters.h"
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

// A checkpoint whose checksum holds but whose values could not come from training (NaN,
// infinity, a negative second moment) is refused naming the array and the tensor.
TEST(CheckpointTest, NonFiniteValuesWithAValidChecksumAreRefusedByTensor) {
  ASSERT_OK_AND_ASSIGN(Trainer trainer, Trainer::Create(TinyConfig(), Options(), 1));
  TrainStep(trainer);
  const std::string path = TempPath("finite.ckpt");
  ASSERT_OK(SaveCheckpoint(trainer, path));
  ASSERT_OK_AND_ASSIGN(const std::string good, ReadFile(path));
  const ParameterLayout& layout = trainer.model().layout();
  const int64_t count = layout.size();
  // The three arrays end 8 bytes (the checksum) before the end of the file.
  const size_t params_at = good.size() - 8 - 3 * static_cast<size_t>(count) * sizeof(float);
  const TensorInfo& tensor = layout.tensors().at(1);
  ASSERT_GT(tensor.size, 3);
  ASSERT_OK_AND_ASSIGN(Trainer target, Trainer::Create(TinyConfig(), Options(), 7));
  const std::vector<float> before = target.model().parameters();
  struct Case {
    int array;  // 0 parameters, 1 first moments, 2 second moments
    float value;
    std::string message;
  };
  const Case cases[] = {
      {0, std::nanf(""), "its parameters hold nan at " + tensor.name + "[3] (expected finite)"},
      {1, -INFINITY, "its AdamW first moments hold -inf at " + tensor.name + "[3]"},
      {2, -1.0f, "its AdamW second moments hold -1 at " + tensor.name + "[3] (expected finite and >= 0)"},
  };
  for (const Case& c : cases) {
    std::string edited = good;
    const size_t at = params_at + (static_cast<size_t>(c.array) * count + tensor.offset + 3) * sizeof(float);
    std::memcpy(edited.data() + at, &c.value, sizeof(float));
    const uint64_t checksum = Fnv1a64(absl::string_view(edited.data(), edited.size() - 8));
    std::memcpy(edited.data() + edited.size() - 8, &checksum, 8);
    const std::string bad = TempPath("nonfinite.ckpt");
    ASSERT_OK(WriteFileAtomically(bad, edited));
    EXPECT_THAT(RestoreCheckpoint(bad, &target), StatusIs(absl::StatusCode::kDataLoss, HasSubstr(c.message)))
        << c.message;
    EXPECT_THAT(ReadCheckpointConfig(bad).status(), StatusIs(absl::StatusCode::kDataLoss, HasSubstr(c.message)));
  }
  EXPECT_EQ(target.model().parameters(), before);
  // The untouched file restores.
  ASSERT_OK(RestoreCheckpoint(path, &target));
}

// A checkpoint given as a pipe or a device is refused by name without being opened: the
// commands read a checkpoint twice (config, then parameters), which a stream cannot give,
// and opening a FIFO without a writer would block.
TEST(CheckpointTest, PipesAndDevicesAreRefusedWithoutBeingOpened) {
  ASSERT_OK_AND_ASSIGN(Trainer target, Trainer::Create(TinyConfig(), Options(), 7));
  const std::string fifo = TempPath("stream.ckpt");
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_THAT(RestoreCheckpoint(fifo, &target),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("checkpoint " + fifo + " is not a regular file (a pipe or a device)")));
  EXPECT_THAT(ReadCheckpointConfig("/dev/null"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is not a regular file")));
  ::unlink(fifo.c_str());
  EXPECT_EQ(target.step(), 0);
}

}  // namespace
}  // namespace calico
