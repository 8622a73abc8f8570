// The image patch encoder's residual block (DESIGN.md "The token stream"): one
// pre-activation ResNet-v2 unit on each 16x16x3 patch,
//   out = x + conv3x3(GELU(GroupNorm(x))),
// GroupNorm with one group (statistics over all 768 values of the patch, a scale and
// shift per channel), a 3x3 convolution from 3 to 3 channels with zero padding 1 and a
// bias. Patches are [768] in (row, col, channel) order. The block's output then goes
// through a linear map to the width (linear.h) plus row and column embeddings
// (embedding.h). Same conventions as layer_norm.h.
#ifndef CALICO_MODEL_PATCH_BLOCK_H_
#define CALICO_MODEL_PATCH_BLOCK_H_

#include <cstdint>

namespace calico {

// Parameters of the block. gn_scale, gn_shift, conv_bias: [3];
// conv_weight: [out channel 3, ky 3, kx 3, in channel 3].
template <typename T>
struct PatchBlockParams {
  const T* gn_scale;
  const T* gn_shift;
  const T* conv_weight;
  const T* conv_bias;
};

// Gradients of the same parameters (added into).
template <typename T>
struct PatchBlockGrads {
  T* gn_scale;
  T* gn_shift;
  T* conv_weight;
  T* conv_bias;
};

// Values of conv_weight.
inline constexpr int kPatchConvWeights = 3 * 3 * 3 * 3;

// x, out: [patches, 768]. Saves for backward: mean, rstd [patches] and the activation
// act = GELU(GroupNorm(x)) [patches, 768], and normed = GroupNorm(x) [patches, 768].
template <typename T>
void PatchBlockForward(const T* x, const PatchBlockParams<T>& params, int64_t patches, T eps,
                       T* out, T* mean, T* rstd, T* normed, T* act);

// Given dout [patches, 768]: adds parameter gradients into `grads` and, if dx is not
// null, the input gradient into dx [patches, 768].
template <typename T>
void PatchBlockBackward(const T* dout, const T* x, const PatchBlockParams<T>& params,
                        int64_t patches, const T* mean, const T* rstd, const T* normed,
                        const T* act, const PatchBlockGrads<T>& grads, T* dx);

}  // namespace calico

#endif  // CALICO_MODEL_PATCH_BLOCK_H_
