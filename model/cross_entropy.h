// Softmax cross-entropy over rows of logits, fused with its backward. Same conventions
// as layer_norm.h.
#ifndef CALICO_MODEL_CROSS_ENTROPY_H_
#define CALICO_MODEL_CROSS_ENTROPY_H_

#include <cstdint>

namespace calico {

// loss = scale * sum_r -log softmax(logits[r])[target[r]].
// logits: [rows, classes]; target: [rows], each in [0, classes) (the caller validates).
// If dlogits is non-null it receives (overwrites) d loss / d logits = scale *
// (softmax - onehot) [rows, classes]; it may alias logits. Returns the loss in double.
template <typename T>
double SoftmaxCrossEntropy(const T* logits, const int32_t* target, int64_t rows,
                           int64_t classes, double scale, T* dlogits);

}  // namespace calico

#endif  // CALICO_MODEL_CROSS_ENTROPY_H_
