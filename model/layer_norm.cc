#include "model/layer_norm.h"

#include <cmath>

#include "model/parallel.h"

namespace calico {

template <typename T>
void LayerNormForward(const T* x, const T* gamma, const T* beta, int64_t rows, int64_t width,
                      T eps, T* out, T* mean, T* rstd) {
#pragma omp parallel for schedule(static) if (rows * width * 4 >= kMinParallelWork)
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * width;
    // Accumulate in double: a float sum over 2048 values loses digits the test would see.
    double sum = 0;
    for (int64_t i = 0; i < width; ++i) sum += xr[i];
    const double m = sum / width;
    double var = 0;
    for (int64_t i = 0; i < width; ++i) var += (xr[i] - m) * (xr[i] - m);
    var /= width;
    const T s = static_cast<T>(1.0 / std::sqrt(var + eps));
    const T mt = static_cast<T>(m);
    T* o = out + r * width;
    for (int64_t i = 0; i < width; ++i) o[i] = (xr[i] - mt) * s * gamma[i] + beta[i];
    mean[r] = mt;
    rstd[r] = s;
  }
}

template <typename T>
void LayerNormBackward(const T* dout, const T* x, const T* gamma, const T* mean, const T* rstd,
                       int64_t rows, int64_t width, T* dx, T* dgamma, T* dbeta) {
#pragma omp parallel for schedule(static) if (rows * width * 4 >= kMinParallelWork)
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * width;
    const T* dr = dout + r * width;
    double mean_dxhat = 0, mean_dxhat_xhat = 0;
    for (int64_t i = 0; i < width; ++i) {
      const T xhat = (xr[i] - mean[r]) * rstd[r];
      const T dxhat = dr[i] * gamma[i];
      mean_dxhat += dxhat;
      mean_dxhat_xhat += dxhat * xhat;
    }
    const T a = static_cast<T>(mean_dxhat / width);
    const T b = static_cast<T>(mean_dxhat_xhat / width);
    T* dxr = dx + r * width;
    for (int64_t i = 0; i < width; ++i) {
      const T xhat = (xr[i] - mean[r]) * rstd[r];
      dxr[i] += rstd[r] * (dr[i] * gamma[i] - a - xhat * b);
    }
  }
  // Parameter gradients sum over rows: one thread, fixed order, so results do not
  // depend on scheduling.
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * width;
    const T* dr = dout + r * width;
    for (int64_t i = 0; i < width; ++i) {
      dgamma[i] += dr[i] * (xr[i] - mean[r]) * rstd[r];
      dbeta[i] += dr[i];
    }
  }
}

template void LayerNormForward<float>(const float*, const float*, const float*, int64_t, int64_t,
                                      float, float*, float*, float*);
template void LayerNormForward<double>(const double*, const double*, const double*, int64_t,
                                       int64_t, double, double*, double*, double*);
template void LayerNormBackward<float>(const float*, const float*, const float*, const float*,
                                       const float*, int64_t, int64_t, float*, float*, float*);
template void LayerNormBackward<double>(const double*, const double*, const double*,
                                        const double*, const double*, int64_t, int64_t, double*,
                                        double*, double*);

}  // namespace calico
