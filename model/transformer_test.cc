#include "model/transformer.h"

#include <cmath>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/config.h"
#include "model/test_batches.h"
#include "model/threading.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

// Parameters uniform in +-0.3 (norm scales 1 +- 0.3): large enough that every gradient
// is well above float rounding in the finite differences below.
void RandomizeParameters(Transformer& model, uint64_t seed) {
  Rng rng(seed);
  for (const TensorInfo& t : model.layout().tensors()) {
    for (int64_t i = 0; i < t.size; ++i) {
      const float r = static_cast<float>(0.6 * rng.Uniform() - 0.3);
      model.parameters()[t.offset + i] = t.is_norm_scale ? 1 + r : r;
    }
  }
}

TEST(TransformerTest, InvalidConfigIsAnError) {
  ModelConfig config = TinyConfig();
  config.set_head_dim(3);
  EXPECT_THAT(Transformer::Create(config, 1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("num_heads * head_dim")));
}

TEST(TransformerTest, BadBatchesAreErrorsNamingThePosition) {
  ASSERT_OK_AND_ASSIGN(Transformer model, Transformer::Create(TinyConfig(), 1));
  Batch batch = RandomBatch(TinyConfig(), 2, 6, 3);
  batch.ids[7] = 20;
  batch.patch_index[7] = -1;
  EXPECT_THAT(model.Forward(batch), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("batch[1, 1]: token id 20 is outside [0, 20)")));
  batch = RandomBatch(TinyConfig(), 2, 6, 3);
  batch.local_position[2] = 6;
  EXPECT_THAT(model.Forward(batch),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("batch[0, 2]: local position 6")));
  batch = Batch::Zeros(1, 33);
  EXPECT_THAT(model.Forward(batch),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("exceeds the model's context_length 32")));
  batch = Batch::Zeros(1, 4);
  EXPECT_THAT(model.Forward(batch),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no position has loss_mask")));
  batch.loss_mask[0] = 1;
  EXPECT_THAT(model.Forward(batch),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("loss at position 0")));
  batch = Batch::Zeros(1, 4);
  batch.ids[2] = -1;
  batch.patch_index[2] = 0;
  EXPECT_THAT(model.Forward(batch),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("patch index 0 is outside [0, 0)")));
  batch = RandomBatch(TinyConfig(), 1, 8, 4);
  ASSERT_GT(batch.num_patches(), 0);
  batch.patches[5] = std::nanf("");
  EXPECT_THAT(model.Forward(batch),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not finite")));
}

TEST(TransformerTest, TrainingBytesBoundHoldsWhatATrainingStepAllocates) {
  ASSERT_OK_AND_ASSIGN(ModelConfig nano, ModelPreset("nano"));
  for (const bool all_targets : {false, true}) {
    ASSERT_OK_AND_ASSIGN(Transformer model, Transformer::Create(nano, 7));
    Batch batch = RandomBatch(nano, 3, 64, 5);
    if (all_targets) {  // no patches, a target at every position but the first of a row
      batch = Batch::Zeros(3, 64);
      for (int64_t i = 0; i < batch.num_positions(); ++i) {
        batch.ids[i] = static_cast<int32_t>(i % nano.vocab_size());
        batch.loss_mask[i] = i % 64 != 0;
      }
    }
    ASSERT_OK(model.ForwardBackward(batch).status());
    // Parameters, gradients and AdamW's two moments: 4 floats per parameter.
    const int64_t held = model.activation_bytes() + 16 * model.layout().size();
    const int64_t bound = Transformer::TrainingBytesBound(nano, 3, 64);
    EXPECT_LE(held, bound) << (all_targets ? "all targets" : "random batch");
    if (all_targets) {
      EXPECT_LE(bound, 3 * held) << "an upper bound, but not a loose one";
    }
  }
  EXPECT_GT(Transformer::TrainingBytesBound(nano, 6, 64), Transformer::TrainingBytesBound(nano, 3, 64));
  EXPECT_EQ(Transformer::TrainingBytesBound(nano, int64_t{1} << 40, int64_t{1} << 40), INT64_MAX);
}

TEST(TransformerTest, FreshModelPredictsNearlyUniformly) {
  ASSERT_OK_AND_ASSIGN(ModelConfig nano, ModelPreset("nano"));
  ASSERT_OK_AND_ASSIGN(Transformer model, Transformer::Create(nano, 7));
  ASSERT_OK_AND_ASSIGN(double loss, model.Forward(RandomBatch(nano, 2, 40, 5)));
  EXPECT_NEAR(loss, std::log(2624.0), 0.1);
}

TEST(TransformerTest, LogitsOnlyAtTargetsAndCausal) {
  ASSERT_OK_AND_ASSIGN(Transformer model, Transformer::Create(TinyConfig(), 2));
  RandomizeParameters(model, 9);
  Batch batch = RandomBatch(TinyConfig(), 2, 12, 6);
  std::vector<float> logits;
  ASSERT_OK_AND_ASSIGN(double loss, model.Forward(batch, &logits));
  EXPECT_EQ(logits.size(), batch.num_targets() * 20);
  // Changing the last position of row 0 (a non-target input) changes no prediction,
  // since no target is predicted from it and nothing later reads it.
  batch.loss_mask[11] = 0;
  std::vector<float> before;
  ASSERT_OK_AND_ASSIGN(loss, model.Forward(batch, &before));
  batch.ids[11] = (batch.ids[11] + 1) % 20;
  if (batch.ids[11] < 0) batch.ids[11] = 3;
  batch.patch_index[11] = -1;
  std::vector<float> after;
  ASSERT_OK_AND_ASSIGN(double loss2, model.Forward(batch, &after));
  EXPECT_EQ(before, after);
  EXPECT_EQ(loss, loss2);
}

TEST(TransformerTest, GradientsMatchFiniteDifferences) {
  const ModelConfig config = TinyConfig();
  ASSERT_OK_AND_ASSIGN(Transformer model, Transformer::Create(config, 3));
  RandomizeParameters(model, 10);
  const Batch batch = RandomBatch(config, 2, 9, 11);
  ASSERT_GT(batch.num_patches(), 0);
  ASSERT_OK(model.ForwardBackward(batch).status());
  const std::vector<float> grads = model.gradients();
  Rng pick(12);
  int checked = 0, failures = 0, large = 0;
  for (const TensorInfo& t : model.layout().tensors()) {
    // Several entries of every tensor; float FD with step 1e-2 (loss ~3, so rounding
    // error ~1e-5 in the quotient and truncation ~1e-4 relative).
    for (int s = 0; s < 6; ++s) {
      const int64_t i = t.offset + pick.UniformInt(0, t.size);
      const float saved = model.parameters()[i];
      const float h = 1e-2f;
      model.parameters()[i] = saved + h;
      ASSERT_OK_AND_ASSIGN(double plus, model.Forward(batch));
      model.parameters()[i] = saved - h;
      ASSERT_OK_AND_ASSIGN(double minus, model.Forward(batch));
      model.parameters()[i] = saved;
      const double numeric = (plus - minus) / (2 * h);
      ++checked;
      large += std::abs(numeric) > 1e-2;
      if (std::abs(numeric - grads[i]) > 2e-4 + 2e-2 * std::abs(numeric)) {
        ++failures;
        ADD_FAILURE() << t.name << " index " << i - t.offset << ": analytic " << grads[i]
                      << " numeric " << numeric;
      }
    }
  }
  EXPECT_EQ(failures, 0) << "of " << checked;
  // The check means something only if most gradients are far above the tolerance.
  EXPECT_GT(large, checked / 2) << "of " << checked;
}

TEST(TransformerTest, SameThreadCountGivesIdenticalResults) {
  ASSERT_OK_AND_ASSIGN(ModelConfig nano, ModelPreset("nano"));
  // Large enough that GEMMs, attention and the element-wise loops all go parallel.
  const Batch batch = RandomBatch(nano, 4, 256, 13);
  std::vector<std::vector<float>> grads;
  std::vector<double> losses;
  for (int threads : {2, 2, 1}) {
    SetModelThreads(threads);
    ASSERT_OK_AND_ASSIGN(Transformer model, Transformer::Create(nano, 4));
    ASSERT_OK_AND_ASSIGN(double loss, model.ForwardBackward(batch));
    losses.push_back(loss);
    grads.push_back(model.gradients());
  }
  SetModelThreads(2);
  EXPECT_EQ(losses[0], losses[1]);
  EXPECT_EQ(grads[0], grads[1]);
  EXPECT_NEAR(losses[0], losses[2], 1e-5);
}

}  // namespace
}  // namespace calico
