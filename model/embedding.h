// Table lookups (token, local position, patch row/column embeddings): rows of a table
// added to the output, with the scatter-add backward. Same conventions as layer_norm.h.
#ifndef CALICO_MODEL_EMBEDDING_H_
#define CALICO_MODEL_EMBEDDING_H_

#include <cstdint>

namespace calico {

// out[i] += table[index[i]] for every i in [0, n) with index[i] >= 0; a negative index
// means "no embedding here" (image positions for tokens, actions for local positions).
// table: [table_rows, width]; out: [n, width]. Indices must be < table_rows (the caller
// validates them).
template <typename T>
void EmbeddingForward(const T* table, const int32_t* index, int64_t n, int64_t width, T* out);

// dtable[index[i]] += dout[i] for every i with index[i] >= 0 (in order, one thread, so
// repeated indices sum deterministically).
template <typename T>
void EmbeddingBackward(const T* dout, const int32_t* index, int64_t n, int64_t width, T* dtable);

}  // namespace calico

#endif  // CALICO_MODEL_EMBEDDING_H_
