#include "model/adamw.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "model/parallel.h"

namespace calico {

absl::Status AdamWOptions::Validate() const {
  auto bad = [](const char* field, double value, const char* expected) {
    return absl::InvalidArgumentError(
        absl::StrCat("AdamW options: ", field, " is ", value, ", expected ", expected));
  };
  if (!(learning_rate > 0 && std::isfinite(learning_rate))) return bad("learning_rate", learning_rate, "> 0");
  if (!(beta1 >= 0 && beta1 < 1)) return bad("beta1", beta1, "in [0, 1)");
  if (!(beta2 >= 0 && beta2 < 1)) return bad("beta2", beta2, "in [0, 1)");
  if (!(epsilon > 0)) return bad("epsilon", epsilon, "> 0");
  if (!(weight_decay >= 0)) return bad("weight_decay", weight_decay, ">= 0");
  if (warmup_steps < 0) return bad("warmup_steps", warmup_steps, ">= 0");
  if (total_steps < warmup_steps) {
    return bad("total_steps", total_steps, "at least warmup_steps");
  }
  if (!(final_learning_rate_fraction >= 0 && final_learning_rate_fraction <= 1)) {
    return bad("final_learning_rate_fraction", final_learning_rate_fraction, "in [0, 1]");
  }
  if (!(max_grad_norm >= 0)) return bad("max_grad_norm", max_grad_norm, ">= 0");
  return absl::OkStatus();
}

double LearningRateAt(const AdamWOptions& o, int64_t step) {
  if (step < o.warmup_steps) return o.learning_rate * (step + 1) / o.warmup_steps;
  const double floor = o.learning_rate * o.final_learning_rate_fraction;
  if (step >= o.total_steps) return floor;
  const double progress =
      static_cast<double>(step - o.warmup_steps) / std::max<int64_t>(1, o.total_steps - o.warmup_steps);
  return floor + 0.5 * (o.learning_rate - floor) * (1 + std::cos(M_PI * progress));
}

AdamW::AdamW(const AdamWOptions& options, const ParameterLayout& layout)
    : options_(options),
      decay_(layout.size(), 0),
      m_(layout.size(), 0.0f),
      v_(layout.size(), 0.0f) {
  for (const TensorInfo& t : layout.tensors()) {
    if (t.decay) std::fill(decay_.begin() + t.offset, decay_.begin() + t.offset + t.size, 1);
  }
}

absl::StatusOr<AdamW> AdamW::Create(const AdamWOptions& options, const ParameterLayout& layout) {
  if (absl::Status s = options.Validate(); !s.ok()) return s;
  return AdamW(options, layout);
}

absl::Status AdamW::SetTotalSteps(int64_t total_steps) {
  AdamWOptions options = options_;
  options.total_steps = total_steps;
  if (absl::Status s = options.Validate(); !s.ok()) return s;
  options_ = options;
  return absl::OkStatus();
}

absl::Status AdamW::SetState(int64_t step, std::vector<float> m, std::vector<float> v) {
  if (m.size() != m_.size() || v.size() != v_.size() || step < 0) {
    return absl::InvalidArgumentError(absl::StrCat("AdamW state: step ", step, ", moments of ",
                                                   m.size(), " and ", v.size(),
                                                   " values, expected ", m_.size(), " each"));
  }
  step_ = step;
  m_ = std::move(m);
  v_ = std::move(v);
  return absl::OkStatus();
}

absl::StatusOr<double> AdamW::Update(const std::vector<float>& grads, std::vector<float>* params) {
  const int64_t n = static_cast<int64_t>(m_.size());
  if (grads.size() != n || params->size() != n) {
    return absl::InvalidArgumentError(absl::StrCat("AdamW: ", grads.size(), " gradients and ",
                                                   params->size(), " parameters, expected ", n));
  }
  // Summed on one thread in index order: the same norm for any thread count.
  double sum_sq = 0;
  for (int64_t i = 0; i < n; ++i) sum_sq += double{grads[i]} * grads[i];
  const double norm = std::sqrt(sum_sq);
  if (!std::isfinite(norm)) {
    return absl::InvalidArgumentError(
        absl::StrCat("update ", step_ + 1, ": gradient norm is ", norm));
  }
  const float clip = options_.max_grad_norm > 0 && norm > options_.max_grad_norm
                         ? static_cast<float>(options_.max_grad_norm / norm)
                         : 1.0f;
  const double lr = LearningRateAt(options_, step_);
  ++step_;
  const float b1 = static_cast<float>(options_.beta1), b2 = static_cast<float>(options_.beta2);
  const float c1 = static_cast<float>(1.0 / (1.0 - std::pow(options_.beta1, step_)));
  const float c2 = static_cast<float>(1.0 / (1.0 - std::pow(options_.beta2, step_)));
  const float lr_f = static_cast<float>(lr), eps = static_cast<float>(options_.epsilon);
  const float decay = static_cast<float>(1.0 - lr * options_.weight_decay);
  float* p = params->data();
#pragma omp parallel for schedule(static) if (n * 8 >= kMinParallelWork)
  for (int64_t i = 0; i < n; ++i) {
    const float g = grads[i] * clip;
    m_[i] = b1 * m_[i] + (1 - b1) * g;
    v_[i] = b2 * v_[i] + (1 - b2) * g * g;
    if (decay_[i]) p[i] *= decay;
    p[i] -= lr_f * (m_[i] * c1) / (std::sqrt(v_[i] * c2) + eps);
  }
  return norm;
}

}  // namespace calico
