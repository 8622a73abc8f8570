#include "agent/dagger_environment.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace calico {
namespace {

// Whether two actions that both fit one spec hold the same values.
bool SameAction(const NamedArrays& a, const NamedArrays& b) {
  for (const auto& [key, x] : a) {
    const auto it = b.find(key);
    if (it == b.end()) return false;
    const Array& y = it->second;
    if (x.floats != y.floats || x.ints != y.ints || x.bytes != y.bytes || x.text != y.text) return false;
  }
  return a.size() == b.size();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Environment>> DaggerEnvironment::Wrap(std::unique_ptr<Environment> inner,
                                                                     std::unique_ptr<Policy> learner) {
  if (inner == nullptr) return absl::InvalidArgumentError("dagger: no environment to wrap");
  if (learner == nullptr) return absl::InvalidArgumentError("dagger: no learner policy to act");
  return std::unique_ptr<Environment>(new DaggerEnvironment(std::move(inner), std::move(learner)));
}

absl::StatusOr<TimeStep> DaggerEnvironment::Reset(uint64_t seed) {
  in_episode_ = false;
  executed_.clear();
  overruled_ = 0;
  ASSIGN_OR_RETURN(current_, inner_->Reset(seed));
  learner_->Reset(seed);
  in_episode_ = !current_.last();
  return current_;
}

absl::StatusOr<TimeStep> DaggerEnvironment::Step(const NamedArrays& action) {
  if (!in_episode_) {
    return absl::FailedPreconditionError("dagger: Step without an episode in progress (call Reset first)");
  }
  RETURN_IF_ERROR(CheckArrays(action_spec(), action, "action"));
  absl::StatusOr<NamedArrays> learned = learner_->Act(current_);
  if (!learned.ok()) {
    return absl::Status(learned.status().code(), absl::StrCat("dagger: the learner failed to act: ",
                                                              learned.status().message()));
  }
  if (absl::Status fits = CheckArrays(action_spec(), *learned, "learner action"); !fits.ok()) {
    return absl::InternalError(absl::StrCat("dagger: ", fits.message()));
  }
  executed_ = *std::move(learned);
  overruled_ += !SameAction(action, executed_);
  absl::StatusOr<TimeStep> next = inner_->Step(executed_);
  if (!next.ok()) {
    in_episode_ = false;
    return next.status();
  }
  current_ = *next;
  in_episode_ = !current_.last();
  return next;
}

absl::StatusOr<std::unique_ptr<DaggerBatchPolicy>> DaggerBatchPolicy::Create(
    std::unique_ptr<BatchPolicy> learner, std::vector<std::unique_ptr<Policy>> labellers, SpecMap action_spec) {
  if (learner == nullptr) return absl::InvalidArgumentError("dagger: no learner policy to act");
  if (static_cast<int>(labellers.size()) != learner->num_envs()) {
    return absl::InvalidArgumentError(absl::StrCat("dagger: ", labellers.size(), " labelling policies for ",
                                                   learner->num_envs(), " learner slots; expected one per slot"));
  }
  for (const std::unique_ptr<Policy>& labeller : labellers) {
    if (labeller == nullptr) return absl::InvalidArgumentError("dagger: a slot has no labelling policy");
  }
  return std::unique_ptr<DaggerBatchPolicy>(
      new DaggerBatchPolicy(std::move(learner), std::move(labellers), std::move(action_spec)));
}

void DaggerBatchPolicy::Reset(int env, uint64_t seed) {
  labellers_[env]->Reset(seed);
  learner_->Reset(env, seed);
  labels_[env].clear();
  seeds_[env] = seed;
}

absl::StatusOr<std::vector<NamedArrays>> DaggerBatchPolicy::Act(const std::vector<int>& envs,
                                                                const std::vector<const TimeStep*>& timesteps) {
  if (envs.size() != timesteps.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("dagger: ", envs.size(), " slots and ", timesteps.size(), " timesteps"));
  }
  for (size_t k = 0; k < envs.size(); ++k) {
    if (envs[k] < 0 || envs[k] >= num_envs()) {
      return absl::InvalidArgumentError(absl::StrCat("dagger: slot ", envs[k], " of ", num_envs()));
    }
    absl::StatusOr<NamedArrays> label = labellers_[envs[k]]->Act(*timesteps[k]);
    absl::Status fits = label.ok() ? CheckArrays(action_spec_, *label, "action") : label.status();
    if (!fits.ok()) {
      return absl::Status(fits.code(), absl::StrCat("dagger: the label at seed ", seeds_[envs[k]], ": ", fits.message()));
    }
    labels_[envs[k]] = *std::move(label);
  }
  absl::StatusOr<std::vector<NamedArrays>> learned = learner_->Act(envs, timesteps);
  if (!learned.ok()) {
    return absl::Status(learned.status().code(),
                        absl::StrCat("dagger: the learner failed to act: ", learned.status().message()));
  }
  if (learned->size() != envs.size()) {
    return absl::InternalError(
        absl::StrCat("dagger: the learner returned ", learned->size(), " actions for ", envs.size(), " slots"));
  }
  for (size_t k = 0; k < envs.size(); ++k) {
    if (absl::Status fits = CheckArrays(action_spec_, (*learned)[k], "learner action"); !fits.ok()) {
      return absl::InternalError(absl::StrCat("dagger: ", fits.message()));
    }
    *overruled_ += !SameAction(labels_[envs[k]], (*learned)[k]);
  }
  return learned;
}

}  // namespace calico
