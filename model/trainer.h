// Trainer: one model, its AdamW state and the run's random stream; Step() does one
// training update. Checkpoints (checkpoint.h) save and restore exactly this.
#ifndef CALICO_MODEL_TRAINER_H_
#define CALICO_MODEL_TRAINER_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "base/random.h"
#include "model/adamw.h"
#include "model/batch.h"
#include "model/transformer.h"

namespace calico {

// What one update did.
struct StepResult {
  int64_t step = 0;          // the update's number (0-based)
  double loss = 0;           // mean cross-entropy before the update
  double grad_norm = 0;      // global gradient norm before clipping
  double learning_rate = 0;  // the rate the update used
};

// Not thread-safe. The same seed, batches and thread count give bit-identical
// parameters.
class Trainer {
 public:
  // A fresh model (Transformer::Create with `seed`) and optimiser. Errors: invalid config
  // or options.
  static absl::StatusOr<Trainer> Create(const ModelConfig& config, const AdamWOptions& options,
                                        uint64_t seed);

  // Forward, backward, gradient clipping and the AdamW update. Errors: an invalid batch
  // (InvalidArgument), or a non-finite loss or gradient norm (FailedPrecondition naming
  // the step, e.g. "step 17: loss is nan"); on any error parameters, optimiser state and
  // step are unchanged, so the last good checkpoint stays valid.
  absl::StatusOr<StepResult> Step(const Batch& batch);

  Transformer& model() { return model_; }
  const Transformer& model() const { return model_; }
  AdamW& optimizer() { return optimizer_; }
  const AdamW& optimizer() const { return optimizer_; }
  // The run's random stream (for batch sampling and the like); part of checkpoints, so
  // a resumed run draws the same numbers.
  Rng& rng() { return rng_; }
  const Rng& rng() const { return rng_; }
  // Updates done so far.
  int64_t step() const { return optimizer_.step(); }

 private:
  Trainer(Transformer model, AdamW optimizer, uint64_t seed)
      : model_(std::move(model)), optimizer_(std::move(optimizer)), rng_(seed) {}

  Transformer model_;
  AdamW optimizer_;
  Rng rng_;
};

}  // namespace calico

#endif  // CALICO_MODEL_TRAINER_H_
