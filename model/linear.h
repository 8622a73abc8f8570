// Fully connected layer y = x W + b on row-major buffers: an Eigen GEMM, with a naive
// loop version beside it as the reference the tests compare against. Same conventions
// as layer_norm.h (backward adds into gradients).
#ifndef CALICO_MODEL_LINEAR_H_
#define CALICO_MODEL_LINEAR_H_

#include <cstdint>

namespace calico {

// y [rows, out] = x [rows, in] * w [in, out] + bias [out] (bias may be null).
template <typename T>
void LinearForward(const T* x, const T* w, const T* bias, int64_t rows, int64_t in, int64_t out,
                   T* y);

// The same product computed so that each output row depends only on its own input row:
// every element is computed with the same arithmetic, the bias added to one chain of
// multiply-adds over the inputs in order (fused where the build fuses them), whatever
// `rows`, the thread count or the buffers' addresses. The decoder uses it, so that a
// sequence's logits are bit for bit the same alone or in a decode batch with others
// (LinearForward's Eigen GEMM takes other paths, with other summation orders, for one row
// than for many, and by where threads split the work). model/linear_test.cc checks it.
void LinearForwardRowInvariant(const float* x, const float* w, const float* bias, int64_t rows,
                               int64_t in, int64_t out, float* y);

// The same with plain loops (reference for tests).
template <typename T>
void LinearForwardNaive(const T* x, const T* w, const T* bias, int64_t rows, int64_t in,
                        int64_t out, T* y);

// Given dy [rows, out]: dx += dy w^T (skipped if dx is null), dw += x^T dy,
// dbias += column sums of dy (skipped if dbias is null).
template <typename T>
void LinearBackward(const T* dy, const T* x, const T* w, int64_t rows, int64_t in, int64_t out,
                    T* dx, T* dw, T* dbias);

// The same with plain loops (reference for tests).
template <typename T>
void LinearBackwardNaive(const T* dy, const T* x, const T* w, int64_t rows, int64_t in,
                         int64_t out, T* dx, T* dw, T* dbias);

}  // namespace calico

#endif  // CALICO_MODEL_LINEAR_H_
