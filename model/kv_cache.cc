#include "model/kv_cache.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/memory_limit.h"
#include "base/status_macros.h"
#include "model/config.h"

namespace calico {

KvCache::KvCache(const ModelConfig& config, int num_sequences, int capacity)
    : layers_(config.num_layers()),
      heads_(config.num_heads()),
      head_dim_(config.head_dim()),
      num_sequences_(num_sequences),
      capacity_(capacity),
      keys_(static_cast<size_t>(layers_) * num_sequences * heads_ * capacity * head_dim_),
      values_(keys_.size()),
      length_(num_sequences, 0),
      next_position_(num_sequences, 0) {}

double KvCache::Bytes(const ModelConfig& config, int num_sequences, int capacity) {
  return 2.0 * config.num_layers() * num_sequences * config.num_heads() * capacity * config.head_dim() *
         sizeof(float);
}

absl::StatusOr<KvCache> KvCache::Create(const ModelConfig& config, int num_sequences,
                                        int capacity) {
  RETURN_IF_ERROR(ValidateModelConfig(config));
  if (num_sequences <= 0 || capacity <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("KV cache: ", num_sequences,
                                                   " sequences of capacity ", capacity,
                                                   ", expected positive sizes"));
  }
  // A cache the process cannot hold fails here with its size, not with bad_alloc.
  const double bytes = Bytes(config, num_sequences, capacity);
  if (const MemoryLimit memory = ProcessMemoryLimit(); memory.bytes > 0 && bytes > memory.bytes) {
    return absl::ResourceExhaustedError(absl::StrFormat(
        "KV cache: %d sequences of %d positions with model %s need %.1f GiB, more than the %.1f GiB of %s; "
        "decode fewer sequences at once (e.g. a smaller --batch)",
        num_sequences, capacity, config.name(), bytes / 1073741824.0, memory.bytes / 1073741824.0,
        memory.source));
  }
  return KvCache(config, num_sequences, capacity);
}

absl::Status KvCache::Drop(int seq, int begin, int count) {
  if (seq < 0 || seq >= num_sequences_) {
    return absl::OutOfRangeError(
        absl::StrCat("KV cache: sequence ", seq, " is outside [0, ", num_sequences_, ")"));
  }
  if (begin < 0 || count < 0 || begin + count > length_[seq]) {
    return absl::OutOfRangeError(absl::StrCat("KV cache: cannot drop positions [", begin, ", ",
                                              begin + count, ") of sequence ", seq,
                                              ", which holds ", length_[seq]));
  }
  const int tail = length_[seq] - begin - count;
  for (int l = 0; l < layers_; ++l) {
    for (int h = 0; h < heads_; ++h) {
      for (float* base : {keys(l, seq, h), values(l, seq, h)}) {
        std::copy_n(base + int64_t{begin + count} * head_dim_, int64_t{tail} * head_dim_,
                    base + int64_t{begin} * head_dim_);
      }
    }
  }
  length_[seq] -= count;
  return absl::OkStatus();
}

void KvCache::Reset(int seq) {
  length_[seq] = 0;
  next_position_[seq] = 0;
}

}  // namespace calico
