// Rotary position embedding (RoFormer, Su et al. 2021) in the "rotate halves" layout:
// element i of a head is paired with element i + head_dim/2 and the pair is rotated by
// position * base^(-2i/head_dim). Rotations compose additively, so a query at position m
// and a key at position n interact only through m - n: cached keys stay valid when older
// positions are dropped from a KV cache.
#ifndef CALICO_MODEL_ROTARY_H_
#define CALICO_MODEL_ROTARY_H_

#include <cstdint>
#include <vector>

namespace calico {

// cos and sin of every (position, pair) angle for positions [first, first + count).
// Angles are computed in double and rounded once, so the same absolute position gives
// bit-identical tables whichever way it was requested. Immutable after construction,
// hence thread-safe.
template <typename T>
class RotaryTable {
 public:
  RotaryTable(int64_t first_position, int64_t count, int head_dim, double base);

  // Rotates x [head_dim] in place by the angles of `position` (which must be inside the
  // table); `inverse` rotates backwards (the transpose, used by backward passes).
  void Rotate(T* x, int64_t position, bool inverse) const;

  int head_dim() const { return head_dim_; }

 private:
  int64_t first_;
  int head_dim_;
  std::vector<T> cos_;  // [count, head_dim / 2]
  std::vector<T> sin_;  // [count, head_dim / 2]
};

}  // namespace calico

#endif  // CALICO_MODEL_ROTARY_H_
