// Structured initialisation of the embedding rows of value tokens. Each of the 1024
// continuous bins and 1024 discrete values has its own learned row, and a row is only
// trained when its id appears; with N(0, 0.02) rows, bin 500 starts as unrelated to bin
// 501, and a model must see every bin many times before it can read values. Starting
// bin rows as a smooth function of the bin (random Fourier features of the bin's place
// in [0, 1]) and discrete rows as a sum of one random vector per set bit (board cells
// are bitmasks of object kinds) lets the first updates generalise to bins and values
// not yet seen. The output head's columns for the same ids start as the same code, so a
// model can emit a value through the code it reads values with. Only the starting point
// changes: rows and columns stay free parameters.
#ifndef CALICO_AGENT_VALUE_EMBEDDINGS_H_
#define CALICO_AGENT_VALUE_EMBEDDINGS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "model/transformer.h"
#include "tokenizers/vocabulary.h"

namespace calico {

// Overwrites the token-embedding rows (and the head's columns) of `vocab`'s continuous
// and discrete ids with the structured values above, drawn from `seed`; every element
// keeps the N(0, 0.02^2)
// variance of the default initialisation. Error: a model whose vocab_size differs from
// vocab.size().
absl::Status InitializeValueEmbeddings(const Vocabulary& vocab, uint64_t seed, Transformer* model);

}  // namespace calico

#endif  // CALICO_AGENT_VALUE_EMBEDDINGS_H_
