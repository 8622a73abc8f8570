#include "model/cross_entropy.h"

#include <cmath>
#include <vector>

#include "model/parallel.h"

namespace calico {

template <typename T>
double SoftmaxCrossEntropy(const T* logits, const int32_t* target, int64_t rows,
                           int64_t classes, double scale, T* dlogits) {
  std::vector<double> row_loss(rows);
#pragma omp parallel for schedule(static) if (rows * classes >= kMinParallelWork)
  for (int64_t r = 0; r < rows; ++r) {
    const T* l = logits + r * classes;
    double max = l[0];
    for (int64_t c = 1; c < classes; ++c) max = l[c] > max ? l[c] : max;
    double sum = 0;
    for (int64_t c = 0; c < classes; ++c) sum += std::exp(l[c] - max);
    const double log_z = max + std::log(sum);
    row_loss[r] = log_z - l[target[r]];
    if (dlogits != nullptr) {
      T* d = dlogits + r * classes;
      for (int64_t c = 0; c < classes; ++c) {
        d[c] = static_cast<T>(scale * std::exp(double{l[c]} - log_z));
      }
      d[target[r]] -= static_cast<T>(scale);
    }
  }
  // Summed in row order on one thread: the same loss for any thread count.
  double loss = 0;
  for (double v : row_loss) loss += v;
  return loss * scale;
}

template double SoftmaxCrossEntropy<float>(const float*, const int32_t*, int64_t, int64_t,
                                           double, float*);
template double SoftmaxCrossEntropy<double>(const double*, const int32_t*, int64_t, int64_t,
                                            double, double*);

}  // namespace calico
