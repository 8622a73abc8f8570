// Decoder: incremental inference with a KvCache. Appending positions costs only their
// own rows, and the output head runs only where a caller decodes (the last new position
// of each sequence).
#ifndef CALICO_MODEL_DECODER_H_
#define CALICO_MODEL_DECODER_H_

#include <vector>

#include "absl/status/status.h"
#include "model/batch.h"
#include "model/kv_cache.h"
#include "model/transformer.h"

namespace calico {

// Reads the model's parameters (which must outlive it and not change during a call);
// owns scratch buffers, so not thread-safe: use one Decoder per thread.
class Decoder {
 public:
  explicit Decoder(const Transformer* model) : model_(model) {}

  // Appends inputs[i], a [1, n_i] Batch (n_i >= 1; loss_mask ignored), to sequence
  // sequences[i] of `cache`, every request in one pass, and writes the logits at each
  // request's last new position to `logits`, [requests, vocab_size]. Errors (the cache
  // is left unchanged): mismatched or empty requests, an unknown or repeated sequence,
  // an input that fails ValidateBatch (named by request), a cache built for another
  // config, or a sequence without room for n_i more positions (drop old ones first).
  absl::Status Append(const std::vector<int>& sequences, const std::vector<Batch>& inputs,
                      KvCache* cache, std::vector<float>* logits);

 private:
  const Transformer* model_;
  // Scratch, [rows, ...]: see Append.
  std::vector<float> x_, ln_, mean_, rstd_, qkv_, att_, mid_, fc_, fc_act_;
  std::vector<float> patch_out_, patch_normed_, patch_act_, patch_mean_, patch_rstd_, patch_emb_;
};

}  // namespace calico

#endif  // CALICO_MODEL_DECODER_H_
