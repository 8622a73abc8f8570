#include "replay/episode.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "envs/array_proto.h"
#include "replay/episode.pb.h"

namespace calico {
namespace {

absl::Status Prefixed(const absl::Status& status, absl::string_view prefix) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(prefix, status.message()));
}

StepTypeProto ToProto(StepType type) {
  switch (type) {
    case StepType::kFirst:
      return FIRST;
    case StepType::kMid:
      return MID;
    case StepType::kLast:
      return LAST;
  }
  return STEP_TYPE_UNSPECIFIED;
}

}  // namespace

int64_t Episode::length() const {
  // Vision-language episodes take no actions at all.
  if (action_spec.empty() || steps.empty()) return 0;
  return static_cast<int64_t>(steps.size()) - 1;
}

absl::Status ValidateEpisode(const Episode& episode) {
  if (episode.task.empty()) return absl::InvalidArgumentError("episode has no task name");
  const std::string where = absl::StrCat("episode of '", episode.task, "'");
  RETURN_IF_ERROR(Prefixed(ValidateSpecs(episode.observation_spec, "observation"), where + ": "));
  RETURN_IF_ERROR(Prefixed(ValidateSpecs(episode.action_spec, "action"), where + ": "));
  const size_t n = episode.steps.size();
  if (n < 2) return absl::InvalidArgumentError(absl::StrCat(where, ": has ", n, " steps; expected at least 2"));
  if (episode.step_types.size() != n || episode.rewards.size() != n || episode.discounts.size() != n) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": step types, rewards and discounts must have ", n, " entries"));
  }
  double total = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const std::string at = absl::StrCat(where, ": step ", i, ": ");
    const StepType expected = i == 0 ? StepType::kFirst : (i + 1 == n ? StepType::kLast : StepType::kMid);
    if (episode.step_types[i] != expected) {
      return absl::InvalidArgumentError(absl::StrCat(at, "step type is ", StepTypeName(episode.step_types[i]),
                                                     "; expected ", StepTypeName(expected)));
    }
    const double reward = episode.rewards[i], discount = episode.discounts[i];
    if (!std::isfinite(reward)) return absl::InvalidArgumentError(absl::StrCat(at, "reward is not finite"));
    if (!(discount >= 0.0 && discount <= 1.0)) {
      return absl::InvalidArgumentError(absl::StrCat(at, "discount ", discount, " is outside [0, 1]"));
    }
    if (i > 0) total += reward;
    RETURN_IF_ERROR(Prefixed(CheckArrays(episode.observation_spec, episode.steps[i].observation, "observation"), at));
    const bool last = i + 1 == n;
    if (episode.action_spec.empty()) {
      // A vision-language episode: observation-only steps.
      if (episode.steps[i].action.has_value()) {
        return absl::InvalidArgumentError(
            absl::StrCat(at, "carries an action, but the task has no action spec (a vision-language episode)"));
      }
      continue;
    }
    if (last && episode.steps[i].action.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(at, "the last step must not carry an action"));
    }
    if (!last) {
      if (!episode.steps[i].action.has_value()) return absl::InvalidArgumentError(absl::StrCat(at, "has no action"));
      RETURN_IF_ERROR(Prefixed(CheckArrays(episode.action_spec, *episode.steps[i].action, "action"), at));
    }
  }
  if (std::fabs(total - episode.episode_return) > 1e-6 * (1.0 + std::fabs(total))) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": stored return ", episode.episode_return,
                                                   " differs from the sum of rewards ", total));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> SerializeEpisode(const Episode& episode) {
  RETURN_IF_ERROR(ValidateEpisode(episode));
  EpisodeProto proto;
  proto.set_format_version(kEpisodeFormatVersion);
  proto.set_task(episode.task);
  for (const auto& [key, spec] : episode.observation_spec) *proto.add_observation_spec() = SpecToProto(spec);
  for (const auto& [key, spec] : episode.action_spec) *proto.add_action_spec() = SpecToProto(spec);
  for (size_t i = 0; i < episode.steps.size(); ++i) {
    StepProto* step = proto.add_steps();
    step->set_step_type(ToProto(episode.step_types[i]));
    step->set_reward(episode.rewards[i]);
    step->set_discount(episode.discounts[i]);
    for (const auto& [key, array] : episode.steps[i].observation) *step->add_observation() = ArrayToProto(key, array);
    if (episode.steps[i].action.has_value()) {
      for (const auto& [key, array] : *episode.steps[i].action) *step->add_action() = ArrayToProto(key, array);
    }
  }
  EpisodeMetadata* metadata = proto.mutable_metadata();
  metadata->set_episode_return(episode.episode_return);
  metadata->set_length(episode.length());
  metadata->set_policy(episode.policy);
  metadata->set_seed(episode.seed);
  std::string bytes;
  if (!proto.SerializeToString(&bytes)) return absl::InternalError("cannot serialise the episode");
  return bytes;
}

absl::StatusOr<Episode> ParseEpisode(absl::string_view bytes, absl::string_view source) {
  EpisodeProto proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(absl::StrCat(source, ": not an EpisodeProto"));
  }
  if (proto.format_version() != kEpisodeFormatVersion) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": episode format version ", proto.format_version(),
                                                   "; this calico reads version ", kEpisodeFormatVersion));
  }
  const std::string prefix = absl::StrCat(source, ": ");
  Episode episode;
  episode.task = proto.task();
  absl::StatusOr<SpecMap> obs_spec = SpecMapFromProtos(proto.observation_spec(), "observation");
  RETURN_IF_ERROR(Prefixed(obs_spec.status(), prefix));
  episode.observation_spec = std::move(*obs_spec);
  absl::StatusOr<SpecMap> action_spec = SpecMapFromProtos(proto.action_spec(), "action");
  RETURN_IF_ERROR(Prefixed(action_spec.status(), prefix));
  episode.action_spec = std::move(*action_spec);
  for (int i = 0; i < proto.steps_size(); ++i) {
    const StepProto& step = proto.steps(i);
    const std::string at = absl::StrCat(prefix, "step ", i, ": ");
    StepType type;
    switch (step.step_type()) {
      case FIRST:
        type = StepType::kFirst;
        break;
      case MID:
        type = StepType::kMid;
        break;
      case LAST:
        type = StepType::kLast;
        break;
      default:
        return absl::InvalidArgumentError(absl::StrCat(at, "unknown step type ", static_cast<int>(step.step_type())));
    }
    Timestep timestep;
    absl::StatusOr<NamedArrays> observation = NamedArraysFromProtos(step.observation(), "observation");
    RETURN_IF_ERROR(Prefixed(observation.status(), at));
    timestep.observation = std::move(*observation);
    if (step.action_size() > 0) {
      absl::StatusOr<NamedArrays> action = NamedArraysFromProtos(step.action(), "action");
      RETURN_IF_ERROR(Prefixed(action.status(), at));
      timestep.action = std::move(*action);
    }
    episode.steps.push_back(std::move(timestep));
    episode.step_types.push_back(type);
    episode.rewards.push_back(step.reward());
    episode.discounts.push_back(step.discount());
  }
  episode.episode_return = proto.metadata().episode_return();
  episode.policy = proto.metadata().policy();
  episode.seed = proto.metadata().seed();
  RETURN_IF_ERROR(Prefixed(ValidateEpisode(episode), prefix));
  if (proto.metadata().length() != episode.length()) {
    return absl::InvalidArgumentError(absl::StrCat(prefix, "metadata says ", proto.metadata().length(),
                                                   " actions but the episode has ", episode.length()));
  }
  return episode;
}

EpisodeRecorder::EpisodeRecorder(std::string task, const SpecMap& observation_spec, const SpecMap& action_spec,
                                 std::string policy, uint64_t seed) {
  episode_.task = std::move(task);
  episode_.observation_spec = observation_spec;
  episode_.action_spec = action_spec;
  episode_.policy = std::move(policy);
  episode_.seed = seed;
}

absl::Status EpisodeRecorder::Add(const TimeStep& timestep, const NamedArrays* action) {
  if (!episode_.step_types.empty() && episode_.step_types.back() == StepType::kLast) {
    return absl::FailedPreconditionError("the episode already ended with a LAST step");
  }
  Timestep step;
  step.observation = timestep.observation;
  if (action != nullptr) step.action = *action;
  episode_.steps.push_back(std::move(step));
  episode_.step_types.push_back(timestep.step_type);
  episode_.rewards.push_back(timestep.reward);
  episode_.discounts.push_back(timestep.discount);
  if (!timestep.first()) episode_.episode_return += timestep.reward;
  return absl::OkStatus();
}

absl::StatusOr<Episode> EpisodeRecorder::Finish() {
  RETURN_IF_ERROR(ValidateEpisode(episode_));
  return std::move(episode_);
}

}  // namespace calico
