// GELU with the tanh approximation (GPT-2's; PyTorch's approximate="tanh"),
// element-wise. Same conventions as layer_norm.h.
#ifndef CALICO_MODEL_GELU_H_
#define CALICO_MODEL_GELU_H_

#include <cstdint>

namespace calico {

// out[i] = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) for i in [0, n).
template <typename T>
void GeluForward(const T* x, int64_t n, T* out);

// dx[i] += dout[i] * GELU'(x[i]).
template <typename T>
void GeluBackward(const T* dout, const T* x, int64_t n, T* dx);

}  // namespace calico

#endif  // CALICO_MODEL_GELU_H_
