// Gato-layout training batches for benchmarks: control episodes whose timesteps are
// mostly observation tokens, with loss only on the actions.
#ifndef CALICO_BENCH_GATO_BATCH_H_
#define CALICO_BENCH_GATO_BATCH_H_

#include "base/random.h"
#include "model/batch.h"
#include "model/model_config.pb.h"

namespace calico {

// Per timestep: 16 image patches (a 64x64 camera), 24 continuous observation tokens,
// '|', then 6 action tokens carrying loss (6 of 47 positions, 12.8%). Rows repeat this
// until seq_len positions. bench/compare_torch.py builds the same layout.
inline Batch GatoLayoutBatch(const ModelConfig& config, int64_t batch_size, int64_t seq_len,
                             uint64_t seed) {
  constexpr int kPatches = 16, kObs = 24, kActions = 6;
  constexpr int kStep = kPatches + kObs + 1 + kActions;
  Rng rng(seed);
  Batch b = Batch::Zeros(batch_size, seq_len);
  for (int64_t r = 0; r < batch_size; ++r) {
    for (int64_t t = 0; t < seq_len; ++t) {
      const int64_t i = r * seq_len + t;
      const int k = static_cast<int>(t % kStep);
      if (k < kPatches) {
        b.ids[i] = -1;
        b.patch_index[i] = static_cast<int32_t>(b.patch_row.size());
        b.patch_row.push_back(static_cast<int32_t>(32 * (k / 4) + rng.UniformInt(0, 32)));
        b.patch_col.push_back(static_cast<int32_t>(32 * (k % 4) + rng.UniformInt(0, 32)));
        for (int v = 0; v < 768; ++v) b.patches.push_back(static_cast<float>(rng.Uniform() * 0.5 - 0.25));
        b.local_position[i] = k;
      } else if (k < kPatches + kObs) {
        b.ids[i] = static_cast<int32_t>(512 + rng.UniformInt(0, 1024));  // continuous bins
        b.local_position[i] = k;
      } else if (k == kPatches + kObs) {
        b.ids[i] = 512 + 2048;  // '|'
      } else {
        b.ids[i] = static_cast<int32_t>(512 + rng.UniformInt(0, 1024));
        b.loss_mask[i] = t > 0;
      }
    }
  }
  return b;
}

}  // namespace calico

#endif  // CALICO_BENCH_GATO_BATCH_H_
