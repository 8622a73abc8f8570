// AdamW (Loshchilov & Hutter) with decoupled weight decay, global gradient-norm
// clipping and a linear warm-up then cosine decay learning-rate schedule (DESIGN.md
// "Model presets": beta 0.9/0.95, eps 1e-8, weight decay 0.1, clip 1.0, decay by 10x).
#ifndef CALICO_MODEL_ADAMW_H_
#define CALICO_MODEL_ADAMW_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "model/parameters.h"

namespace calico {

struct AdamWOptions {
  double learning_rate = 3e-4;  // peak, reached at the end of warm-up
  double beta1 = 0.9;
  double beta2 = 0.95;
  double epsilon = 1e-8;
  // Decoupled: p -= lr * weight_decay * p, only on tensors with TensorInfo::decay.
  double weight_decay = 0.1;
  int64_t warmup_steps = 100;
  // Cosine decay ends here at learning_rate * final_learning_rate_fraction and stays.
  int64_t total_steps = 10000;
  double final_learning_rate_fraction = 0.1;
  // Gradients are scaled down so their global L2 norm is at most this (0: no clipping).
  double max_grad_norm = 1.0;

  // InvalidArgument naming the field if a value is out of range.
  absl::Status Validate() const;
};

// The learning rate for update number `step` (0-based): learning_rate * (step + 1) /
// warmup_steps during warm-up, then a half cosine from learning_rate down to
// learning_rate * final_learning_rate_fraction at total_steps.
double LearningRateAt(const AdamWOptions& options, int64_t step);

// Optimiser state (first and second moments, step count) for one parameter layout.
// Not thread-safe. Deterministic: the same gradients give the same parameters.
class AdamW {
 public:
  // Errors: options fail Validate().
  static absl::StatusOr<AdamW> Create(const AdamWOptions& options, const ParameterLayout& layout);

  // One update of `params` from `grads` (both [layout.size()]). Returns the global
  // gradient norm before clipping. A non-finite norm is an InvalidArgument error and
  // leaves params and state untouched.
  absl::StatusOr<double> Update(const std::vector<float>& grads, std::vector<float>* params);

  const AdamWOptions& options() const { return options_; }
  // Updates done so far.
  int64_t step() const { return step_; }
  const std::vector<float>& first_moment() const { return m_; }
  const std::vector<float>& second_moment() const { return v_; }
  // Moves the end of the cosine for the updates still to come (a training run that fits
  // its schedule to a time budget). Errors: total_steps below warmup_steps.
  absl::Status SetTotalSteps(int64_t total_steps);
  // Replaces the state (checkpoint loading); sizes must match the layout.
  absl::Status SetState(int64_t step, std::vector<float> m, std::vector<float> v);

 private:
  AdamW(const AdamWOptions& options, const ParameterLayout& layout);

  AdamWOptions options_;
  std::vector<uint8_t> decay_;  // [num params] 1 where weight decay applies
  std::vector<float> m_, v_;    // [num params]
  int64_t step_ = 0;
};

}  // namespace calico

#endif  // CALICO_MODEL_ADAMW_H_
