#include "model/trainer.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace calico {

absl::StatusOr<Trainer> Trainer::Create(const ModelConfig& config, const AdamWOptions& options,
                                        uint64_t seed) {
  ASSIGN_OR_RETURN(Transformer model, Transformer::Create(config, seed));
  ASSIGN_OR_RETURN(AdamW optimizer, AdamW::Create(options, model.layout()));
  // A stream distinct from the one that initialised the parameters.
  return Trainer(std::move(model), std::move(optimizer), seed ^ 0x5DEECE66DULL);
}

absl::StatusOr<StepResult> Trainer::Step(const Batch& batch) {
  StepResult result;
  result.step = optimizer_.step();
  ASSIGN_OR_RETURN(result.loss, model_.ForwardBackward(batch));
  if (!std::isfinite(result.loss)) {
    return absl::FailedPreconditionError(
        absl::StrCat("update ", result.step + 1, ": loss is ", result.loss,
                     "; parameters left as they were before this update"));
  }
  result.learning_rate = LearningRateAt(optimizer_.options(), result.step);
  absl::StatusOr<double> norm = optimizer_.Update(model_.gradients(), &model_.parameters());
  if (!norm.ok()) {
    // The optimiser's message names the update.
    return absl::FailedPreconditionError(
        absl::StrCat(norm.status().message(), "; parameters left as they were before this update"));
  }
  result.grad_norm = *norm;
  return result;
}

}  // namespace calico
