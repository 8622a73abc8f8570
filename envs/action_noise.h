// ActionNoiseEnvironment: an environment that executes a perturbed copy of every action
// it is given. Collecting expert demonstrations through it gives the expert's own
// (clean) actions as labels in states its noise-free trajectories never visit, so a
// policy cloned from the data learns to recover from its own mistakes (DART: Laskey et
// al., 2017, "Injecting noise for robust imitation learning"). A noise-free expert
// parks the system at its goal and then acts near zero for most of an episode; those
// data teach a cloned policy to act near zero everywhere.
#ifndef CALICO_ENVS_ACTION_NOISE_H_
#define CALICO_ENVS_ACTION_NOISE_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/random.h"
#include "envs/array.h"
#include "envs/environment.h"
#include "envs/specs.h"

namespace calico {

struct ActionNoiseOptions {
  // Continuous (float32) action elements: Gaussian noise with this standard deviation
  // as a fraction of half the element's bound range, then clipped into the bounds.
  // Discrete (int32) actions: the probability of replacing the action by a uniformly
  // random valid one. 0: no noise.
  double scale = 0.0;

  // scale is finite and in [0, 1].
  absl::Status Validate() const;
};

// Wraps `inner`; not thread-safe (like every Environment). The noise is drawn from a
// generator seeded by Reset's seed, so episodes stay reproducible. Actions are checked
// against the spec before they are perturbed, so bad input is reported as it would be
// without the wrapper.
class ActionNoiseEnvironment : public Environment {
 public:
  // Errors: invalid options, a null environment, or an action spec whose continuous
  // elements are unbounded (the noise is sized by the bounds).
  static absl::StatusOr<std::unique_ptr<Environment>> Wrap(std::unique_ptr<Environment> inner,
                                                           ActionNoiseOptions options);

  const SpecMap& observation_spec() const override { return inner_->observation_spec(); }
  const SpecMap& action_spec() const override { return inner_->action_spec(); }
  absl::StatusOr<TimeStep> Reset(uint64_t seed) override;
  absl::StatusOr<TimeStep> Step(const NamedArrays& action) override;
  absl::StatusOr<Array> Render(int height, int width) override { return inner_->Render(height, width); }

  // The action the last Step executed (after the noise).
  const NamedArrays& last_executed_action() const { return executed_; }

 private:
  ActionNoiseEnvironment(std::unique_ptr<Environment> inner, ActionNoiseOptions options)
      : inner_(std::move(inner)), options_(options) {}

  // A standard normal sample (Box-Muller).
  double Gaussian();

  std::unique_ptr<Environment> inner_;
  ActionNoiseOptions options_;
  Rng rng_{0};
  NamedArrays executed_;
};

}  // namespace calico

#endif  // CALICO_ENVS_ACTION_NOISE_H_
