// Test helper: small random batches with every kind of position (tokens with and
// without local positions, image patches, targets).
#ifndef CALICO_MODEL_TEST_BATCHES_H_
#define CALICO_MODEL_TEST_BATCHES_H_

#include "base/random.h"
#include "model/batch.h"
#include "model/model_config.pb.h"

namespace calico {

// A [B, T] batch for `config`: about a quarter of positions are image patches, local
// positions on most, and loss on about a third of the token positions t >= 1.
inline Batch RandomBatch(const ModelConfig& config, int64_t batch_size, int64_t seq_len,
                         uint64_t seed) {
  Rng rng(seed);
  Batch b = Batch::Zeros(batch_size, seq_len);
  for (int64_t i = 0; i < b.num_positions(); ++i) {
    const int64_t t = i % seq_len;
    if (rng.Uniform() < 0.25) {
      b.ids[i] = -1;
      b.patch_index[i] = static_cast<int32_t>(b.patch_row.size());
      b.patch_row.push_back(static_cast<int32_t>(rng.UniformInt(0, config.patch_position_buckets())));
      b.patch_col.push_back(static_cast<int32_t>(rng.UniformInt(0, config.patch_position_buckets())));
      for (int k = 0; k < 768; ++k) b.patches.push_back(static_cast<float>(rng.Uniform() * 0.5 - 0.25));
    } else {
      b.ids[i] = static_cast<int32_t>(rng.UniformInt(0, config.vocab_size()));
      b.loss_mask[i] = t >= 1 && rng.Uniform() < 0.35;
    }
    b.local_position[i] =
        rng.Uniform() < 0.8 ? static_cast<int32_t>(rng.UniformInt(0, config.max_local_positions())) : -1;
  }
  if (b.num_targets() == 0) {
    b.ids[1] = 1;
    b.patch_index[1] = -1;
    b.loss_mask[1] = 1;
  }
  return b;
}

// A tiny config for gradient checks: 2 layers, 2 heads of 4, width 8, vocabulary 20.
inline ModelConfig TinyConfig() {
  ModelConfig c;
  c.set_name("tiny");
  c.set_num_layers(2);
  c.set_num_heads(2);
  c.set_width(8);
  c.set_ff_width(16);
  c.set_head_dim(4);
  c.set_vocab_size(20);
  c.set_context_length(32);
  c.set_max_local_positions(6);
  c.set_patch_position_buckets(4);
  c.set_rope_base(10000.0f);
  c.set_norm_epsilon(1e-5f);
  return c;
}

}  // namespace calico

#endif  // CALICO_MODEL_TEST_BATCHES_H_
