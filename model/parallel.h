// When the kernels' OpenMP loops go parallel.
#ifndef CALICO_MODEL_PARALLEL_H_
#define CALICO_MODEL_PARALLEL_H_

#include <cstdint>

namespace calico {

// Rough floating-point operations below which a loop runs on the calling thread: waking
// a team costs microseconds, more when the cores are shared, and the tiny calls of
// decoding and tests would spend most of their time in it.
inline constexpr int64_t kMinParallelWork = 1 << 16;

}  // namespace calico

#endif  // CALICO_MODEL_PARALLEL_H_
