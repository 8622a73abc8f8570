// KvCache: the keys and values of every layer for a batch of independent sequences
// (many environments at once), so decoding appends one position at a time instead of
// recomputing the whole context.
#ifndef CALICO_MODEL_KV_CACHE_H_
#define CALICO_MODEL_KV_CACHE_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "model/model_config.pb.h"

namespace calico {

// Not thread-safe. Keys are stored after rotation by their absolute position; since
// rotary scores depend only on position differences, dropping old positions leaves
// every remaining key valid, and later positions keep counting upwards.
class KvCache {
 public:
  // Room for `capacity` positions in each of `num_sequences` sequences. Errors: invalid
  // config, non-positive sizes, a cache larger than this process's memory
  // (ResourceExhausted, with its size).
  static absl::StatusOr<KvCache> Create(const ModelConfig& config, int num_sequences,
                                        int capacity);
  // The bytes Create allocates for the keys and values (a double: no overflow).
  static double Bytes(const ModelConfig& config, int num_sequences, int capacity);

  int num_sequences() const { return num_sequences_; }
  int capacity() const { return capacity_; }
  // Positions currently cached for `seq`.
  int length(int seq) const { return length_[seq]; }
  // Absolute (rotary) position the next appended position of `seq` gets.
  int64_t next_position(int seq) const { return next_position_[seq]; }

  // Removes cached positions [begin, begin + count) of `seq`, e.g. the oldest timesteps
  // after a prompt, when the cache is full. Remaining positions keep their absolute
  // positions: distances among those after the gap (and from them to new positions)
  // are unchanged, while positions before the gap (a prompt) stay as far in the past
  // as they were. Errors: `seq` or the range out of bounds.
  absl::Status Drop(int seq, int begin, int count);
  // Empties `seq` and restarts its positions at 0.
  void Reset(int seq);

  // Key / value rows of (layer, seq, head), [capacity, head_dim] each.
  float* keys(int layer, int seq, int head) { return keys_.data() + Offset(layer, seq, head); }
  float* values(int layer, int seq, int head) { return values_.data() + Offset(layer, seq, head); }

  // Marks `count` more positions of `seq` as cached (the decoder wrote their rows).
  void Advance(int seq, int count) {
    length_[seq] += count;
    next_position_[seq] += count;
  }

  // Whether the cache has the layer and head shape of `config`.
  bool Fits(const ModelConfig& config) const {
    return config.num_layers() == layers_ && config.num_heads() == heads_ &&
           config.head_dim() == head_dim_;
  }

  int64_t bytes() const { return 4 * static_cast<int64_t>(keys_.size() + values_.size()); }

 private:
  KvCache(const ModelConfig& config, int num_sequences, int capacity);
  int64_t Offset(int layer, int seq, int head) const {
    return ((int64_t{layer} * num_sequences_ + seq) * heads_ + head) * capacity_ * head_dim_;
  }

  int layers_, heads_, head_dim_, num_sequences_, capacity_;
  std::vector<float> keys_, values_;  // [layers, sequences, heads, capacity, head_dim]
  std::vector<int> length_;           // [sequences]
  std::vector<int64_t> next_position_;  // [sequences]
};

}  // namespace calico

#endif  // CALICO_MODEL_KV_CACHE_H_
