#include "model/decoder.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/config.h"
#include "model/test_batches.h"
#include "model/threading.h"

namespace calico {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// Positions [begin, end) of row `row` of `batch` as a [1, end - begin] batch.
Batch Slice(const Batch& batch, int64_t row, int64_t begin, int64_t end) {
  Batch out = Batch::Zeros(1, end - begin);
  for (int64_t t = begin; t < end; ++t) {
    const int64_t i = row * batch.seq_len + t;
    out.ids[t - begin] = batch.ids[i];
    out.local_position[t - begin] = batch.local_position[i];
    if (batch.patch_index[i] >= 0) {
      const int32_t p = batch.patch_index[i];
      out.patch_index[t - begin] = static_cast<int32_t>(out.patch_row.size());
      out.patch_row.push_back(batch.patch_row[p]);
      out.patch_col.push_back(batch.patch_col[p]);
      out.patches.insert(out.patches.end(), batch.patches.begin() + p * 768,
                         batch.patches.begin() + (p + 1) * 768);
    }
  }
  return out;
}

// Full-forward logits at every position t of `batch` row 0 that precedes a token: the
// loss mask is set on every token position t + 1. Returns {t: logits}.
std::map<int64_t, std::vector<float>> FullLogits(Transformer& model, Batch batch) {
  std::map<int64_t, std::vector<float>> out;
  std::vector<int64_t> where;
  for (int64_t t = 1; t < batch.seq_len; ++t) {
    batch.loss_mask[t] = batch.ids[t] >= 0;
    if (batch.loss_mask[t]) where.push_back(t - 1);
  }
  std::vector<float> logits;
  EXPECT_OK(model.Forward(batch, &logits).status());
  const int64_t V = model.config().vocab_size();
  for (size_t i = 0; i < where.size(); ++i) {
    out[where[i]] = std::vector<float>(logits.begin() + i * V, logits.begin() + (i + 1) * V);
  }
  return out;
}

void ExpectNear(const std::vector<float>& a, const std::vector<float>& b, double tol,
                const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = std::abs(double{a[i]} - b[i]);
    worst = std::isnan(d) ? std::numeric_limits<double>::infinity() : std::max(worst, d);  // NaN fails
    if (std::isinf(worst)) break;
  }
  EXPECT_LE(worst, tol) << what;
}

class DecoderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = TinyConfig();
    config_.set_context_length(64);
    auto model = Transformer::Create(config_, 3);
    ASSERT_OK(model.status());
    model_ = std::make_unique<Transformer>(std::move(model).value());
    // Larger weights than the initialisation, so attention is far from uniform.
    Rng rng(4);
    for (const TensorInfo& t : model_->layout().tensors()) {
      for (int64_t i = 0; i < t.size; ++i) {
        const float r = static_cast<float>(rng.Uniform() - 0.5);
        model_->parameters()[t.offset + i] = t.is_norm_scale ? 1 + r : r;
      }
    }
  }

  ModelConfig config_;
  std::unique_ptr<Transformer> model_;
};

TEST_F(DecoderTest, IncrementalDecodingMatchesTheFullForwardPass) {
  Batch batch = RandomBatch(config_, 1, 40, 21);
  const auto full = FullLogits(*model_, batch);
  ASSERT_GT(full.size(), 20u);
  ASSERT_OK_AND_ASSIGN(KvCache cache, KvCache::Create(config_, 1, 64));
  Decoder decoder(model_.get());
  std::vector<float> logits;
  // A prefill of 10 positions, then one position at a time.
  ASSERT_OK(decoder.Append({0}, {Slice(batch, 0, 0, 10)}, &cache, &logits));
  if (full.count(9)) ExpectNear(logits, full.at(9), 2e-5, "prefill");
  int compared = 0;
  for (int64_t t = 10; t < 40; ++t) {
    ASSERT_OK(decoder.Append({0}, {Slice(batch, 0, t, t + 1)}, &cache, &logits));
    if (!full.count(t)) continue;
    ExpectNear(logits, full.at(t), 2e-5, "position " + std::to_string(t));
    ++compared;
  }
  EXPECT_GT(compared, 15);
  EXPECT_EQ(cache.length(0), 40);
}

TEST_F(DecoderTest, SequencesInOneBatchAreIndependent) {
  const Batch a = RandomBatch(config_, 1, 12, 31), b = RandomBatch(config_, 1, 12, 32);
  ASSERT_OK_AND_ASSIGN(KvCache together, KvCache::Create(config_, 3, 16));
  ASSERT_OK_AND_ASSIGN(KvCache alone, KvCache::Create(config_, 1, 16));
  Decoder decoder(model_.get());
  std::vector<float> both, single;
  // Different prefill lengths in one call, then single steps for both.
  ASSERT_OK(decoder.Append({2, 0}, {Slice(a, 0, 0, 5), Slice(b, 0, 0, 8)}, &together, &both));
  ASSERT_OK(decoder.Append({2, 0}, {Slice(a, 0, 5, 6), Slice(b, 0, 8, 9)}, &together, &both));
  ASSERT_OK(decoder.Append({0}, {Slice(b, 0, 0, 9)}, &alone, &single));
  const int64_t V = config_.vocab_size();
  ExpectNear(std::vector<float>(both.begin() + V, both.end()), single, 2e-5, "sequence b");
  EXPECT_EQ(together.length(1), 0);
  EXPECT_EQ(together.length(2), 6);
}

TEST_F(DecoderTest, DroppingOldPositionsKeepsCachedKeysValid) {
  // One layer: its cached keys and values depend only on their own position's input,
  // so after a drop the cache holds exactly what a fresh pass over the remaining
  // positions would compute, up to the rotation. (With more layers, deeper keys also
  // remember the dropped context, as in any rolling KV cache.)
  config_.set_num_layers(1);
  ASSERT_OK_AND_ASSIGN(Transformer one_layer, Transformer::Create(config_, 5));
  Rng rng(6);
  for (float& p : one_layer.parameters()) p = static_cast<float>(rng.Uniform() - 0.5);
  const Batch batch = RandomBatch(config_, 1, 30, 41);
  ASSERT_OK_AND_ASSIGN(KvCache cache, KvCache::Create(config_, 1, 24));
  Decoder decoder(&one_layer);
  std::vector<float> logits;
  ASSERT_OK(decoder.Append({0}, {Slice(batch, 0, 0, 24)}, &cache, &logits));
  EXPECT_THAT(decoder.Append({0}, {Slice(batch, 0, 24, 25)}, &cache, &logits),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("holds 24 of 24")));
  // Drop the oldest 10 positions and continue: the remaining keys sit at absolute
  // positions 10.., and since rotary scores depend only on distances, the result must
  // equal a fresh forward pass over positions 10..30 numbered from 0.
  ASSERT_OK(cache.Drop(0, 0, 10));
  EXPECT_EQ(cache.length(0), 14);
  EXPECT_EQ(cache.next_position(0), 24);
  const Batch joined = Slice(batch, 0, 10, 30);
  const auto full = FullLogits(one_layer, joined);
  int compared = 0;
  for (int64_t t = 24; t < 30; ++t) {
    ASSERT_OK(decoder.Append({0}, {Slice(batch, 0, t, t + 1)}, &cache, &logits));
    const int64_t joined_t = t - 10;
    if (!full.count(joined_t)) continue;
    // Rotations by different absolute angles round differently: not bit-identical.
    ExpectNear(logits, full.at(joined_t), 1e-4, "position " + std::to_string(t));
    ++compared;
  }
  EXPECT_GT(compared, 2);
}

TEST_F(DecoderTest, BadRequestsAreErrorsAndLeaveTheCacheUnchanged) {
  ASSERT_OK_AND_ASSIGN(KvCache cache, KvCache::Create(config_, 2, 8));
  Decoder decoder(model_.get());
  std::vector<float> logits;
  Batch bad = Batch::Zeros(1, 2);
  bad.ids[1] = 20;
  EXPECT_THAT(decoder.Append({1}, {bad}, &cache, &logits),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("decoder request 0: batch[0, 1]: token id 20 is outside")));
  EXPECT_THAT(decoder.Append({2}, {Batch::Zeros(1, 1)}, &cache, &logits),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sequence 2 is outside [0, 2)")));
  EXPECT_THAT(decoder.Append({0, 0}, {Batch::Zeros(1, 1), Batch::Zeros(1, 1)}, &cache, &logits),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("appears twice")));
  EXPECT_THAT(cache.Drop(0, 0, 1), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("holds 0")));
  ModelConfig other = config_;
  other.set_num_layers(3);
  ASSERT_OK_AND_ASSIGN(KvCache wrong, KvCache::Create(other, 1, 8));
  EXPECT_THAT(decoder.Append({0}, {Batch::Zeros(1, 1)}, &wrong, &logits),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("another model config")));
  EXPECT_EQ(cache.length(0), 0);
  EXPECT_EQ(cache.length(1), 0);
}

// A cache larger than the process may hold is refused with its size before allocating:
// 4,096 sequences of 2^20 positions of this config are half a terabyte.
TEST_F(DecoderTest, ACacheLargerThanMemoryIsRefusedWithItsSize) {
  EXPECT_GT(KvCache::Bytes(config_, 4096, 1 << 20), 5e11);
  EXPECT_EQ(KvCache::Bytes(config_, 8, 64), 2 * KvCache::Bytes(config_, 4, 64));
  EXPECT_THAT(KvCache::Create(config_, 4096, 1 << 20),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       AllOf(HasSubstr("KV cache: 4096 sequences of 1048576 positions"), HasSubstr("GiB"),
                             HasSubstr("a smaller --batch"))));
  EXPECT_OK(KvCache::Create(config_, 4, 64).status());
}

// A config the size of `small`'s layers (width 256, 8 heads of 32, feed-forward 1024), so
// the matrices take the same kernel paths as in acting, with 2 layers and a short vocabulary
// to stay quick.
ModelConfig SmallWidthConfig() {
  ModelConfig c = TinyConfig();
  c.set_num_heads(8);
  c.set_width(256);
  c.set_ff_width(1024);
  c.set_head_dim(32);
  c.set_vocab_size(700);
  c.set_context_length(64);
  return c;
}

// One sequence's inputs for the invariance test: a prefill, then appends of 1 and 3
// positions, as acting feeds an episode (observation tokens, then one action token).
std::vector<Batch> Appends(const ModelConfig& config, uint64_t seed) {
  const Batch batch = RandomBatch(config, 1, 24, seed);
  std::vector<Batch> out;
  int64_t t = 0;
  for (int64_t n : {10, 1, 3, 1, 1, 3, 1, 1, 3}) {
    out.push_back(Slice(batch, 0, t, t + n));
    t += n;
  }
  return out;
}

// The first index where `a` and `b` differ in any bit, or -1 (also -1 for two equal NaNs).
int64_t FirstDifference(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0) return static_cast<int64_t>(i);
  }
  return -1;
}

// Decodes `group` (indices into `inputs`) together, member m in cache sequence
// `sequences - 1 - m` so that slots differ from a lone run's, and returns each
// member's logits after every append: [member][append] -> logits.
std::vector<std::vector<std::vector<float>>> DecodeTogether(const Transformer& model,
                                                            const std::vector<std::vector<Batch>>& inputs,
                                                            const std::vector<int>& group, int sequences) {
  std::vector<std::vector<std::vector<float>>> out(group.size());
  absl::StatusOr<KvCache> cache = KvCache::Create(model.config(), sequences, 64);
  EXPECT_OK(cache.status());
  if (!cache.ok()) return out;
  Decoder decoder(&model);
  const int64_t V = model.config().vocab_size();
  for (size_t step = 0; step < inputs[0].size(); ++step) {
    std::vector<int> seqs;
    std::vector<Batch> batch;
    for (size_t m = 0; m < group.size(); ++m) {
      seqs.push_back(sequences - 1 - static_cast<int>(m));
      batch.push_back(inputs[group[m]][step]);
    }
    std::vector<float> logits;
    const absl::Status status = decoder.Append(seqs, batch, &*cache, &logits);
    EXPECT_OK(status);
    if (!status.ok()) return out;
    for (size_t m = 0; m < group.size(); ++m) {
      out[m].emplace_back(logits.begin() + m * V, logits.begin() + (m + 1) * V);
    }
  }
  return out;
}

// Acting samples from these logits, so a sequence's logits must not depend on which
// other sequences share its decode call, on its cache slot, or on the thread count:
// otherwise an evaluation episode's return would depend on --batch and the machine's
// cores. Bit for bit, not within a tolerance: a sampled draw near a bin boundary turns
// on the last bit.
TEST(DecoderBatchInvarianceTest, LogitsAreTheSameBitForBitInEveryBatchAndThreadCount) {
  const ModelConfig config = SmallWidthConfig();
  ASSERT_OK_AND_ASSIGN(Transformer model, Transformer::Create(config, 7));
  constexpr int kSequences = 17;
  std::vector<std::vector<Batch>> inputs;
  for (int s = 0; s < kSequences; ++s) inputs.push_back(Appends(config, 100 + s));
  const int threads_before = ModelThreads();
  SetModelThreads(1);
  std::vector<std::vector<std::vector<float>>> alone;
  for (int s = 0; s < kSequences; ++s) alone.push_back(DecodeTogether(model, inputs, {s}, 1)[0]);
  // Groups whose row counts cross the kernels' thresholds (16 rows, the parallel work
  // size) and split the columns and rows over threads at different places.
  const std::vector<std::vector<int>> groups = {
      {0, 1}, {2, 3, 4, 5, 6, 7, 8, 9}, {1, 3, 5, 7, 9, 11, 13, 15, 0, 2, 4, 6, 8, 10, 12},
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};
  int compared = 0;
  for (int threads : {1, 2}) {
    SetModelThreads(threads);
    for (const std::vector<int>& group : groups) {
      const auto together = DecodeTogether(model, inputs, group, kSequences);
      for (size_t m = 0; m < group.size(); ++m) {
        for (size_t step = 0; step < alone[group[m]].size(); ++step) {
          ASSERT_EQ(FirstDifference(together[m][step], alone[group[m]][step]), -1)
              << "sequence " << group[m] << " append " << step << " in a group of " << group.size()
              << " on " << threads << " threads";
          ++compared;
        }
      }
    }
  }
  SetModelThreads(threads_before);
  EXPECT_EQ(compared, 2 * (2 + 8 + 15 + 17) * 9);
}

}  // namespace
}  // namespace calico
