#include "model/trainer.h"

#include <cmath>
#include <limits>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/config.h"
#include "model/threading.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

// A tiny synthetic sequence task: each row counts upwards modulo 16 from a random
// start, in ids [100, 116); every position after the first is a target. The first
// token of each row is unpredictable, the rest follow from the previous token.
Batch CountingBatch(Rng& rng, int64_t batch_size, int64_t seq_len) {
  Batch b = Batch::Zeros(batch_size, seq_len);
  for (int64_t r = 0; r < batch_size; ++r) {
    const int64_t start = rng.UniformInt(0, 16);
    for (int64_t t = 0; t < seq_len; ++t) {
      b.ids[r * seq_len + t] = static_cast<int32_t>(100 + (start + t) % 16);
      b.loss_mask[r * seq_len + t] = t > 0;
      b.local_position[r * seq_len + t] = static_cast<int32_t>(t % 4);
    }
  }
  return b;
}

TEST(TrainerTest, NanoLearnsACountingTask) {
  ASSERT_OK_AND_ASSIGN(ModelConfig nano, ModelPreset("nano"));
  AdamWOptions options;
  options.learning_rate = 3e-3;
  options.warmup_steps = 10;
  options.total_steps = 150;
  ASSERT_OK_AND_ASSIGN(Trainer trainer, Trainer::Create(nano, options, 1));
  // One thread: this batch is too small to gain from two, and on a loaded machine
  // each parallel region can wait a scheduler time slice.
  SetModelThreads(1);
  double first = 0, last = 0;
  for (int i = 0; i < 150; ++i) {
    ASSERT_OK_AND_ASSIGN(StepResult r, trainer.Step(CountingBatch(trainer.rng(), 8, 32)));
    EXPECT_EQ(r.step, i);
    if (i == 0) first = r.loss;
    last = r.loss;
  }
  EXPECT_GT(first, 7.0);  // ~log(2624) at initialisation
  EXPECT_LT(last, 0.05);
  EXPECT_EQ(trainer.step(), 150);
  SetModelThreads(2);
}

TEST(TrainerTest, NonFiniteLossIsAnErrorNamingTheStepAndChangesNothing) {
  ASSERT_OK_AND_ASSIGN(ModelConfig nano, ModelPreset("nano"));
  ASSERT_OK_AND_ASSIGN(Trainer trainer, Trainer::Create(nano, AdamWOptions(), 2));
  ASSERT_OK(trainer.Step(CountingBatch(trainer.rng(), 2, 8)).status());
  trainer.model().parameters()[trainer.model().layout().head_weight] =
      std::numeric_limits<float>::infinity();
  const std::vector<float> before = trainer.model().parameters();
  const std::vector<float> m = trainer.optimizer().first_moment();
  EXPECT_THAT(trainer.Step(CountingBatch(trainer.rng(), 2, 8)),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("update 2: loss is")));
  EXPECT_EQ(trainer.step(), 1);
  EXPECT_EQ(trainer.optimizer().first_moment(), m);
  for (size_t i = 0; i < before.size(); ++i) {
    ASSERT_TRUE(before[i] == trainer.model().parameters()[i] ||
                (std::isnan(before[i]) && std::isnan(trainer.model().parameters()[i])));
  }
}

TEST(TrainerTest, InvalidBatchIsAnError) {
  ASSERT_OK_AND_ASSIGN(ModelConfig nano, ModelPreset("nano"));
  ASSERT_OK_AND_ASSIGN(Trainer trainer, Trainer::Create(nano, AdamWOptions(), 2));
  Batch b = Batch::Zeros(1, 4);
  b.loss_mask[2] = 1;
  b.ids[2] = 5000;
  EXPECT_THAT(trainer.Step(b), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("token id 5000 is outside [0, 2624)")));
  EXPECT_EQ(trainer.step(), 0);
}

}  // namespace
}  // namespace calico
