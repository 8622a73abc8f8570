#include "model/embedding.h"

#include "model/parallel.h"

namespace calico {

template <typename T>
void EmbeddingForward(const T* table, const int32_t* index, int64_t n, int64_t width, T* out) {
#pragma omp parallel for schedule(static) if (n * width >= kMinParallelWork)
  for (int64_t i = 0; i < n; ++i) {
    if (index[i] < 0) continue;
    const T* row = table + int64_t{index[i]} * width;
    T* o = out + i * width;
    for (int64_t j = 0; j < width; ++j) o[j] += row[j];
  }
}

template <typename T>
void EmbeddingBackward(const T* dout, const int32_t* index, int64_t n, int64_t width,
                       T* dtable) {
  for (int64_t i = 0; i < n; ++i) {
    if (index[i] < 0) continue;
    T* row = dtable + int64_t{index[i]} * width;
    const T* d = dout + i * width;
    for (int64_t j = 0; j < width; ++j) row[j] += d[j];
  }
}

template void EmbeddingForward<float>(const float*, const int32_t*, int64_t, int64_t, float*);
template void EmbeddingForward<double>(const double*, const int32_t*, int64_t, int64_t, double*);
template void EmbeddingBackward<float>(const float*, const int32_t*, int64_t, int64_t, float*);
template void EmbeddingBackward<double>(const double*, const int32_t*, int64_t, int64_t,
                                        double*);

}  // namespace calico
