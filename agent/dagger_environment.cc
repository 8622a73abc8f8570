#include "agent/dagger_environment.h"

#include <utility>

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

}  // namespace calico
