// Causal multi-head attention core: softmax(q k^T / sqrt(d) + causal mask) v, per batch
// row and head, with the hand-written backward. The fast kernels work on query blocks
// with Eigen GEMMs and skip the masked upper triangle; they keep only the per-row
// log-sum-exp for backward and recompute the probabilities there, so memory grows with
// T, not T^2. A naive loop version is kept as the reference. Same conventions as
// layer_norm.h, except that the backward OVERWRITES dq, dk and dv.
#ifndef CALICO_MODEL_ATTENTION_H_
#define CALICO_MODEL_ATTENTION_H_

#include <cstdint>

#include "model/rotary.h"

namespace calico {

// Shapes of one attention call.
struct AttentionShape {
  int64_t batch = 0;
  int64_t heads = 0;
  int64_t seq = 0;       // T
  int64_t head_dim = 0;  // D
};

// Splits qkv [B, T, 3 * H * D] (columns: all queries, all keys, all values; head h at
// h * D inside each) into q, k, v [B, H, T, D] and rotates q and k by their position t.
template <typename T>
void SplitHeadsRotary(const T* qkv, const AttentionShape& shape, const RotaryTable<T>& rotary,
                      T* q, T* k, T* v);

// Backward of SplitHeadsRotary: ADDS dq, dk, dv [B, H, T, D] into dqkv [B, T, 3 H D].
template <typename T>
void SplitHeadsRotaryBackward(const T* dq, const T* dk, const T* dv, const AttentionShape& shape,
                              const RotaryTable<T>& rotary, T* dqkv);

// out [B, T, H * D] (heads concatenated) and lse [B, H, T] (per-row log-sum-exp of the
// scaled scores) from q, k, v [B, H, T, D]. Position t attends to positions <= t.
template <typename T>
void CausalAttentionForward(const T* q, const T* k, const T* v, const AttentionShape& shape,
                            T* out, T* lse);

// The same with plain loops (reference for tests).
template <typename T>
void CausalAttentionForwardNaive(const T* q, const T* k, const T* v, const AttentionShape& shape,
                                 T* out, T* lse);

// Given dout [B, T, H * D] and the forward's inputs and outputs, writes dq, dk, dv
// [B, H, T, D].
template <typename T>
void CausalAttentionBackward(const T* dout, const T* q, const T* k, const T* v, const T* out,
                             const T* lse, const AttentionShape& shape, T* dq, T* dk, T* dv);

}  // namespace calico

#endif  // CALICO_MODEL_ATTENTION_H_
