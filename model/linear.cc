#include "model/linear.h"

#include "model/eigen_types.h"
#include "model/parallel.h"

namespace calico {

// Each thread runs a single-threaded Eigen GEMM on its own slice of output rows or
// columns: no output element is shared, so no reduction order depends on threads.

template <typename T>
void LinearForward(const T* x, const T* w, const T* bias, int64_t rows, int64_t in, int64_t out,
                   T* y) {
  const int64_t work = 2 * rows * in * out;
  if (rows >= 16) {
    ParallelFor(rows, work, [&](int64_t r0, int64_t r1) {
      MatrixMap<T> ym(y + r0 * out, r1 - r0, out);
      ym.noalias() = ConstMatrixMap<T>(x + r0 * in, r1 - r0, in) * ConstMatrixMap<T>(w, in, out);
      if (bias != nullptr) ym.rowwise() += ConstRowVectorMap<T>(bias, out);
    });
    return;
  }
  // Few rows (decoding): split the output columns instead.
  ParallelFor(out, work, [&](int64_t c0, int64_t c1) {
    StridedMatrixMap<T> ym(y + c0, rows, c1 - c0, Eigen::OuterStride<>(out));
    ym.noalias() = ConstMatrixMap<T>(x, rows, in) *
                   ConstStridedMatrixMap<T>(w + c0, in, c1 - c0, Eigen::OuterStride<>(out));
    if (bias != nullptr) ym.rowwise() += ConstRowVectorMap<T>(bias + c0, c1 - c0);
  });
}

template <typename T>
void LinearForwardNaive(const T* x, const T* w, const T* bias, int64_t rows, int64_t in,
                        int64_t out, T* y) {
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t o = 0; o < out; ++o) {
      double acc = bias != nullptr ? bias[o] : 0.0;
      for (int64_t i = 0; i < in; ++i) acc += double{x[r * in + i]} * w[i * out + o];
      y[r * out + o] = static_cast<T>(acc);
    }
  }
}

template <typename T>
void LinearBackward(const T* dy, const T* x, const T* w, int64_t rows, int64_t in, int64_t out,
                    T* dx, T* dw, T* dbias) {
  const int64_t work = 2 * rows * in * out;
  if (dx != nullptr) {
    ParallelFor(rows, work, [&](int64_t r0, int64_t r1) {
      MatrixMap<T>(dx + r0 * in, r1 - r0, in).noalias() +=
          ConstMatrixMap<T>(dy + r0 * out, r1 - r0, out) *
          ConstMatrixMap<T>(w, in, out).transpose();
    });
  }
  // dw [in, out] = x^T dy, split by output columns (sum over rows stays in one thread).
  ParallelFor(out, work, [&](int64_t c0, int64_t c1) {
    StridedMatrixMap<T>(dw + c0, in, c1 - c0, Eigen::OuterStride<>(out)).noalias() +=
        ConstMatrixMap<T>(x, rows, in).transpose() *
        ConstStridedMatrixMap<T>(dy + c0, rows, c1 - c0, Eigen::OuterStride<>(out));
    if (dbias != nullptr) {
      // Row by row in a plain loop: Eigen's column sums of a strided map took the vector
      // or the scalar path (rows paired, or one after another) by where dbias + c0 starts,
      // so a heap 16 bytes off changed the bias gradient's last bits
      // (model/alignment_test.cc).
      for (int64_t r = 0; r < rows; ++r) {
        const T* g = dy + r * out;
        for (int64_t c = c0; c < c1; ++c) dbias[c] += g[c];
      }
    }
  });
}

template <typename T>
void LinearBackwardNaive(const T* dy, const T* x, const T* w, int64_t rows, int64_t in,
                         int64_t out, T* dx, T* dw, T* dbias) {
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t o = 0; o < out; ++o) {
      const T g = dy[r * out + o];
      if (dbias != nullptr) dbias[o] += g;
      for (int64_t i = 0; i < in; ++i) {
        if (dx != nullptr) dx[r * in + i] += g * w[i * out + o];
        dw[i * out + o] += g * x[r * in + i];
      }
    }
  }
}

#define CALICO_INSTANTIATE_LINEAR(T)                                                         \
  template void LinearForward<T>(const T*, const T*, const T*, int64_t, int64_t, int64_t, T*); \
  template void LinearForwardNaive<T>(const T*, const T*, const T*, int64_t, int64_t, int64_t, \
                                      T*);                                                   \
  template void LinearBackward<T>(const T*, const T*, const T*, int64_t, int64_t, int64_t, T*, \
                                  T*, T*);                                                   \
  template void LinearBackwardNaive<T>(const T*, const T*, const T*, int64_t, int64_t,        \
                                       int64_t, T*, T*, T*);
CALICO_INSTANTIATE_LINEAR(float)
CALICO_INSTANTIATE_LINEAR(double)
#undef CALICO_INSTANTIATE_LINEAR

}  // namespace calico
