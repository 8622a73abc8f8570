// Transformer: calico's decoder-only model (DESIGN.md "The token stream"), forward and
// hand-written backward over flat parameter, gradient and activation buffers.
//
//   x = token_embedding[id] or patch_embedding(patch) (+ local_embedding[local])
//   per block: x += proj(attention(rotary(qkv(LN1(x)))));  x += fc2(GELU(fc(LN2(x))))
//   logits = LN_final(x) head_weight, only at positions t - 1 of targets t.
#ifndef CALICO_MODEL_TRANSFORMER_H_
#define CALICO_MODEL_TRANSFORMER_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "model/batch.h"
#include "model/model_config.pb.h"
#include "model/parameters.h"

namespace calico {

struct TransformerActivations;

// Owns parameters, gradients and activation buffers. Not thread-safe (one call at a
// time); its kernels use ModelThreads() threads. Movable, not copyable.
class Transformer {
 public:
  // A model with freshly initialised parameters (InitializeParameters with `seed`).
  // InvalidArgument if `config` fails ValidateModelConfig.
  static absl::StatusOr<Transformer> Create(const ModelConfig& config, uint64_t seed);

  Transformer(Transformer&&);
  Transformer& operator=(Transformer&&);
  ~Transformer();

  const ModelConfig& config() const { return config_; }
  const ParameterLayout& layout() const { return layout_; }
  // [layout().size()]; callers may write (optimiser, checkpoint loading).
  std::vector<float>& parameters() { return params_; }
  const std::vector<float>& parameters() const { return params_; }
  // [layout().size()]: d loss / d parameters of the last ForwardBackward.
  const std::vector<float>& gradients() const { return grads_; }

  // Mean cross-entropy over the batch's targets. If `logits` is not null it receives the
  // head's output at each target's preceding position, [num_targets, vocab_size], in
  // (b, t) order. Errors: the batch fails ValidateBatch (with require_targets).
  absl::StatusOr<double> Forward(const Batch& batch, std::vector<float>* logits = nullptr);

  // Forward, then backward: gradients() is overwritten with d loss / d parameters.
  absl::StatusOr<double> ForwardBackward(const Batch& batch);

  // Bytes held in activation and scratch buffers (for memory reports).
  int64_t activation_bytes() const;

  // An upper bound on the bytes a training run of `config` (valid) holds for the model:
  // parameters, gradients and both AdamW moments, plus the activation and scratch
  // buffers of a batch of `batch` rows x `seq` positions as if every position were an
  // image patch and a target (so logits at every position). To refuse a batch that
  // cannot fit before any work starts.
  static int64_t TrainingBytesBound(const ModelConfig& config, int64_t batch, int64_t seq);

 private:
  Transformer(const ModelConfig& config);

  // Forward; with `backward`, the head's logits buffer ends holding d loss / d logits.
  absl::StatusOr<double> ForwardImpl(const Batch& batch, bool backward,
                                     std::vector<float>* logits);
  void Embed(const Batch& batch);
  double Head(const Batch& batch, bool backward, std::vector<float>* logits);
  void Backward(const Batch& batch);

  ModelConfig config_;
  ParameterLayout layout_;
  std::vector<float> params_;  // [layout_.size()]
  std::vector<float> grads_;   // [layout_.size()]
  std::unique_ptr<TransformerActivations> acts_;
};

}  // namespace calico

#endif  // CALICO_MODEL_TRANSFORMER_H_
