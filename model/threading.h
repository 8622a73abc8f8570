// The number of threads the model's kernels use (OpenMP; see parallel.h).
#ifndef CALICO_MODEL_THREADING_H_
#define CALICO_MODEL_THREADING_H_

namespace calico {

// Uses `num_threads` (>= 1) threads from now on for the kernels the calling thread runs
// (OpenMP keeps this setting per thread: threads started with std::thread keep the
// default, all cores or OMP_NUM_THREADS). Results are identical for a given thread
// count; they may differ in the last bits between thread counts. Call it before starting
// work, not while a model is running.
void SetModelThreads(int num_threads);

// The current thread count.
int ModelThreads();

}  // namespace calico

#endif  // CALICO_MODEL_THREADING_H_
