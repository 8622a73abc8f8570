#include "model/gelu.h"

#include <cmath>

#include "model/parallel.h"

namespace calico {
namespace {
constexpr double kSqrt2OverPi = 0.7978845608028654;
constexpr double kCubic = 0.044715;
}  // namespace

template <typename T>
void GeluForward(const T* x, int64_t n, T* out) {
  const T k = static_cast<T>(kSqrt2OverPi), c = static_cast<T>(kCubic);
#pragma omp parallel for schedule(static) if (n * 16 >= kMinParallelWork)
  for (int64_t i = 0; i < n; ++i) {
    const T v = x[i];
    out[i] = T(0.5) * v * (T(1) + std::tanh(k * (v + c * v * v * v)));
  }
}

template <typename T>
void GeluBackward(const T* dout, const T* x, int64_t n, T* dx) {
  const T k = static_cast<T>(kSqrt2OverPi), c = static_cast<T>(kCubic);
#pragma omp parallel for schedule(static) if (n * 16 >= kMinParallelWork)
  for (int64_t i = 0; i < n; ++i) {
    const T v = x[i];
    const T t = std::tanh(k * (v + c * v * v * v));
    const T grad = T(0.5) * (T(1) + t) + T(0.5) * v * (T(1) - t * t) * k * (T(1) + T(3) * c * v * v);
    dx[i] += dout[i] * grad;
  }
}

template void GeluForward<float>(const float*, int64_t, float*);
template void GeluForward<double>(const double*, int64_t, double*);
template void GeluBackward<float>(const float*, const float*, int64_t, float*);
template void GeluBackward<double>(const double*, const double*, int64_t, double*);

}  // namespace calico
