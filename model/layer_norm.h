// LayerNorm over the last axis, forward and hand-written backward.
//
// Kernels here and in the other layer headers are free functions on flat row-major
// buffers, instantiated for float (the model) and double (finite-difference tests).
// Backward functions ADD into their gradient outputs (llm.c style: the caller zeroes
// gradients once per step). They are thread-safe for distinct output buffers and
// deterministic for a given OpenMP thread count.
#ifndef CALICO_MODEL_LAYER_NORM_H_
#define CALICO_MODEL_LAYER_NORM_H_

#include <cstdint>

namespace calico {

// out = (x - mean) / sqrt(var + eps) * gamma + beta, per row.
// x, out: [rows, width]; gamma, beta: [width]; mean, rstd: [rows] (saved for backward).
template <typename T>
void LayerNormForward(const T* x, const T* gamma, const T* beta, int64_t rows, int64_t width,
                      T eps, T* out, T* mean, T* rstd);

// Gradients of LayerNormForward given dout [rows, width]: adds into dx [rows, width],
// dgamma and dbeta [width].
template <typename T>
void LayerNormBackward(const T* dout, const T* x, const T* gamma, const T* mean, const T* rstd,
                       int64_t rows, int64_t width, T* dx, T* dgamma, T* dbeta);

}  // namespace calico

#endif  // CALICO_MODEL_LAYER_NORM_H_
