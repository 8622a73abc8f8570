// Batch: the model's input, fixed shape [B, T], in the layout of tokenizers'
// TokenStream (the model depends on no tokenizer code: it knows only ids, patches and
// positions).
#ifndef CALICO_MODEL_BATCH_H_
#define CALICO_MODEL_BATCH_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "model/model_config.pb.h"

namespace calico {

// Plain value type, not synchronised.
struct Batch {
  int64_t batch_size = 0;  // B
  int64_t seq_len = 0;     // T
  // Per position, each [B, T] row-major:
  std::vector<int32_t> ids;             // token id in [0, vocab_size); -1 at image positions
  std::vector<int32_t> patch_index;     // row of `patches` at image positions; -1 elsewhere
  std::vector<int32_t> local_position;  // in [0, max_local_positions); -1 for none (actions, '|')
  std::vector<uint8_t> loss_mask;       // 1: ids[b, t] is a target predicted from position t - 1
  // Per patch (patches are shared by the whole batch):
  std::vector<float> patches;      // [num_patches, 768], (row, col, channel) inside a patch
  std::vector<int32_t> patch_row;  // [num_patches] row position bucket in [0, buckets)
  std::vector<int32_t> patch_col;  // [num_patches] column position bucket in [0, buckets)

  // An all-zero batch of shape [B, T] with no patches: ids 0, no local positions, no loss.
  static Batch Zeros(int64_t batch_size, int64_t seq_len);

  int64_t num_positions() const { return batch_size * seq_len; }
  int64_t num_patches() const { return static_cast<int64_t>(patch_row.size()); }
  // Number of positions with loss_mask set.
  int64_t num_targets() const;
};

// OK if `batch` fits `config`; otherwise InvalidArgument naming the position
// ("batch[b, t]") or patch and what was expected: buffer sizes, T <= context_length,
// ids in range, exactly one of id / patch per position, local positions and patch
// buckets in range, finite patch values, loss only on token positions t >= 1. With
// `require_targets`, a batch without any target is an error too (nothing to learn).
absl::Status ValidateBatch(const Batch& batch, const ModelConfig& config, bool require_targets);

}  // namespace calico

#endif  // CALICO_MODEL_BATCH_H_
