// BatchPolicy: one policy acting in several environments of one task at once, so a
// model can serve all of them with one batched call per step (evaluation throughput).
#ifndef CALICO_POLICIES_BATCH_POLICY_H_
#define CALICO_POLICIES_BATCH_POLICY_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "envs/array.h"
#include "envs/environment.h"
#include "policies/policy.h"

namespace calico {

// Environment slots are numbered [0, num_envs()); each slot runs one episode at a time.
// Not thread-safe.
class BatchPolicy {
 public:
  virtual ~BatchPolicy() = default;

  // Number of environment slots.
  virtual int num_envs() const = 0;

  // Starts an episode in slot `env`; the slot's randomness comes from `seed`.
  virtual void Reset(int env, uint64_t seed) = 0;

  // The actions of slots `envs` (distinct, in [0, num_envs())) for their `timesteps`
  // (none LAST), in the same order. Slot i must act exactly as it would alone, so results
  // do not depend on which other slots share the call.
  virtual absl::StatusOr<std::vector<NamedArrays>> Act(const std::vector<int>& envs,
                                                       const std::vector<const TimeStep*>& timesteps) = 0;

  // The action to record for slot `env`'s step after its last Act, when that is not the
  // action the slot executes (DAgger: the expert's label of the state the learner acts
  // in); null, the default: the executed action is the one recorded.
  virtual const NamedArrays* RecordedAction(int env) const { return nullptr; }
};

// A BatchPolicy over independent single-environment policies (one per slot): for
// policies without a batched form, and for tests.
class PolicyBatch : public BatchPolicy {
 public:
  // `policies` must be non-empty and hold no null.
  explicit PolicyBatch(std::vector<std::unique_ptr<Policy>> policies) : policies_(std::move(policies)) {}

  int num_envs() const override { return static_cast<int>(policies_.size()); }
  void Reset(int env, uint64_t seed) override { policies_[env]->Reset(seed); }
  absl::StatusOr<std::vector<NamedArrays>> Act(const std::vector<int>& envs,
                                               const std::vector<const TimeStep*>& timesteps) override;

 private:
  std::vector<std::unique_ptr<Policy>> policies_;
};

}  // namespace calico

#endif  // CALICO_POLICIES_BATCH_POLICY_H_
