// DaggerEnvironment: an environment whose actions come from a learner while the policy
// stepping it (the expert) only labels the states. Collecting expert episodes through it
// records the expert's action in the states the learner's own play reaches, which is
// what a cloned policy needs to recover from its mistakes (DAgger: Ross, Gordon and
// Bagnell, 2011, "A reduction of imitation learning and structured prediction to no-regret
// online learning"; here with beta = 0 after the first round, the demonstrations).
// ActionNoiseEnvironment (envs/action_noise.h) is the cheaper cousin: there the executed
// action is the expert's own, perturbed.
#ifndef CALICO_AGENT_DAGGER_ENVIRONMENT_H_
#define CALICO_AGENT_DAGGER_ENVIRONMENT_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "envs/array.h"
#include "envs/environment.h"
#include "envs/specs.h"
#include "policies/batch_policy.h"
#include "policies/policy.h"

namespace calico {

// Wraps `inner` and owns `learner`; not thread-safe (like every Environment and Policy).
// Reset(seed) resets the learner with the same seed. Step(action) checks `action` (the
// label) against the action spec, asks the learner for its action in the current state,
// checks that too, and executes the learner's. The learner sees every timestep, so its
// memory of the episode (a transformer's KV cache) holds what really happened.
class DaggerEnvironment : public Environment {
 public:
  // Errors: a null environment or learner.
  static absl::StatusOr<std::unique_ptr<Environment>> Wrap(std::unique_ptr<Environment> inner,
                                                           std::unique_ptr<Policy> learner);

  const SpecMap& observation_spec() const override { return inner_->observation_spec(); }
  const SpecMap& action_spec() const override { return inner_->action_spec(); }
  absl::StatusOr<TimeStep> Reset(uint64_t seed) override;
  // Errors: Step before Reset or after the episode's LAST step, an action (label) that does
  // not fit the spec, the learner's error or an action of the learner that does not fit.
  absl::StatusOr<TimeStep> Step(const NamedArrays& action) override;
  absl::StatusOr<Array> Render(int height, int width) override { return inner_->Render(height, width); }

  // The action the last Step executed (the learner's).
  const NamedArrays& last_executed_action() const { return executed_; }
  // Steps of this episode where the label differed from the executed action.
  int64_t overruled_steps() const { return overruled_; }

 private:
  DaggerEnvironment(std::unique_ptr<Environment> inner, std::unique_ptr<Policy> learner)
      : inner_(std::move(inner)), learner_(std::move(learner)) {}

  std::unique_ptr<Environment> inner_;
  std::unique_ptr<Policy> learner_;
  TimeStep current_;        // the timestep the next Step acts on
  bool in_episode_ = false;  // Reset done and LAST not reached
  NamedArrays executed_;
  int64_t overruled_ = 0;
};

// DAgger batched: a learner BatchPolicy (one decode batch per step for a transformer) acts
// in every slot, and one labelling policy per slot (the expert) labels the states it
// reaches. Act returns the learner's actions, which the runner executes, and
// RecordedAction the labels, which RunEpisodesBatched's on_step records; per episode the
// same as DaggerEnvironment around the same learner, labelled by the same expert.
// Not thread-safe.
class DaggerBatchPolicy : public BatchPolicy {
 public:
  // Errors: a null learner or labeller, or not one labeller per learner slot.
  static absl::StatusOr<std::unique_ptr<DaggerBatchPolicy>> Create(std::unique_ptr<BatchPolicy> learner,
                                                                  std::vector<std::unique_ptr<Policy>> labellers,
                                                                  SpecMap action_spec);

  int num_envs() const override { return learner_->num_envs(); }
  // Resets the slot's labeller and the learner's slot with the same seed.
  void Reset(int env, uint64_t seed) override;
  // Errors: a label that does not fit the action spec or a labeller's error (naming the
  // slot's seed), the learner's error, or an action of the learner that does not fit.
  absl::StatusOr<std::vector<NamedArrays>> Act(const std::vector<int>& envs,
                                               const std::vector<const TimeStep*>& timesteps) override;
  const NamedArrays* RecordedAction(int env) const override { return &labels_[env]; }

  // Steps (all slots, since creation) where the label differed from the executed action.
  int64_t overruled_steps() const { return *overruled_; }
  // The same count, readable after the policy is gone (a runner owns and destroys it).
  std::shared_ptr<const int64_t> overruled_count() const { return overruled_; }

 private:
  DaggerBatchPolicy(std::unique_ptr<BatchPolicy> learner, std::vector<std::unique_ptr<Policy>> labellers,
                    SpecMap action_spec)
      : learner_(std::move(learner)),
        labellers_(std::move(labellers)),
        action_spec_(std::move(action_spec)),
        labels_(labellers_.size()),
        seeds_(labellers_.size(), 0) {}

  std::unique_ptr<BatchPolicy> learner_;
  std::vector<std::unique_ptr<Policy>> labellers_;  // one per slot
  SpecMap action_spec_;
  std::vector<NamedArrays> labels_;  // per slot, of its last Act
  std::vector<uint64_t> seeds_;      // per slot, of its episode (for errors)
  std::shared_ptr<int64_t> overruled_ = std::make_shared<int64_t>(0);
};

}  // namespace calico

#endif  // CALICO_AGENT_DAGGER_ENVIRONMENT_H_
