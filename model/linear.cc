#include "model/linear.h"

#include "model/eigen_types.h"

namespace calico {

template <typename T>
void LinearForward(const T* x, const T* w, const T* bias, int64_t rows, int64_t in, int64_t out,
                   T* y) {
  MatrixMap<T> ym(y, rows, out);
  ym.noalias() = ConstMatrixMap<T>(x, rows, in) * ConstMatrixMap<T>(w, in, out);
  if (bias != nullptr) ym.rowwise() += ConstRowVectorMap<T>(bias, out);
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
  ConstMatrixMap<T> dym(dy, rows, out);
  if (dx != nullptr) {
    MatrixMap<T>(dx, rows, in).noalias() += dym * ConstMatrixMap<T>(w, in, out).transpose();
  }
  MatrixMap<T>(dw, in, out).noalias() += ConstMatrixMap<T>(x, rows, in).transpose() * dym;
  if (dbias != nullptr) RowVectorMap<T>(dbias, out) += dym.colwise().sum();
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
