// How the kernels split work over threads (OpenMP).
#ifndef CALICO_MODEL_PARALLEL_H_
#define CALICO_MODEL_PARALLEL_H_

#include <omp.h>

#include <cstdint>

namespace calico {

// Rough floating-point operations below which a loop runs on the calling thread. A
// parallel region costs microseconds on idle cores but up to a scheduler time slice
// (milliseconds) when the cores are shared with other processes, so only work worth
// ~40 us on one core goes parallel. A decode step's matrices (one row) stay below it.
inline constexpr int64_t kMinParallelWork = int64_t{1} << 22;

// Calls f(begin, end) on contiguous, disjoint slices covering [0, n): one slice per
// thread when `work` (in floating-point operations) is at least kMinParallelWork,
// otherwise f(0, n) on the calling thread. The slices depend only on n and the thread
// count, so results are deterministic for a given thread count.
template <typename F>
void ParallelFor(int64_t n, int64_t work, const F& f) {
  if (n <= 1 || work < kMinParallelWork || omp_get_max_threads() == 1) {
    if (n > 0) f(int64_t{0}, n);
    return;
  }
#pragma omp parallel
  {
    const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    const int64_t begin = n * t / nt, end = n * (t + 1) / nt;
    if (begin < end) f(begin, end);
  }
}

}  // namespace calico

#endif  // CALICO_MODEL_PARALLEL_H_
