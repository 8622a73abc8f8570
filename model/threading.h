// The number of threads the model's kernels use (OpenMP; see parallel.h).
#ifndef CALICO_MODEL_THREADING_H_
#define CALICO_MODEL_THREADING_H_

namespace calico {

// Uses `num_threads` (>= 1) threads from now on, process-wide. Results are identical for
// a given thread count; they may differ in the last bits between thread counts. Call it
// before starting work, not while a model is running.
void SetModelThreads(int num_threads);

// The current thread count.
int ModelThreads();

}  // namespace calico

#endif  // CALICO_MODEL_THREADING_H_
