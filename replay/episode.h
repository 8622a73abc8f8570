// Episode: one recorded episode in memory, its (de)serialisation to EpisodeProto bytes
// with full validation, and EpisodeRecorder, which builds one from a running rollout.
#ifndef CALICO_REPLAY_EPISODE_H_
#define CALICO_REPLAY_EPISODE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "envs/environment.h"
#include "envs/specs.h"
#include "tokenizers/sequence_builder.h"

namespace calico {

// Version written into every EpisodeProto.
inline constexpr uint32_t kEpisodeFormatVersion = 1;

// A plain value type. steps[i] holds observation i and the action taken after it (none
// on the last step); step_types/rewards/discounts are parallel to steps. A
// vision-language episode has an empty action spec and no action on any step (each step
// is an image and its text).
struct Episode {
  std::string task;
  SpecMap observation_spec;
  SpecMap action_spec;
  std::vector<Timestep> steps;
  std::vector<StepType> step_types;
  std::vector<double> rewards;
  std::vector<double> discounts;
  double episode_return = 0.0;
  std::string policy;
  uint64_t seed = 0;

  // Number of actions taken (steps - 1; 0 for a vision-language episode).
  int64_t length() const;
};

// Checks everything a reader relies on: a task name, valid specs, at least one step,
// parallel arrays of equal length, FIRST then MID... then LAST (a stored episode is
// complete), every observation and action fitting its spec, an action on every step
// but the last and none on it (with an empty action spec: no action on any step), finite rewards and discounts in [0, 1], and a return
// equal to the sum of rewards. Errors name the step and key.
absl::Status ValidateEpisode(const Episode& episode);

// Validates then serialises to EpisodeProto bytes.
absl::StatusOr<std::string> SerializeEpisode(const Episode& episode);

// Parses and validates EpisodeProto bytes. `source` (e.g. "shard-00001 record 7") starts
// every error message.
absl::StatusOr<Episode> ParseEpisode(absl::string_view bytes, absl::string_view source);

// Builds an Episode from a rollout: feed it every TimeStep with the action taken after
// it (policies/rollout.h's StepObserver has this shape). Not thread-safe.
class EpisodeRecorder {
 public:
  EpisodeRecorder(std::string task, const SpecMap& observation_spec, const SpecMap& action_spec,
                  std::string policy, uint64_t seed);

  // Adds a step; `action` is null on the LAST step.
  absl::Status Add(const TimeStep& timestep, const NamedArrays* action);

  // The finished, validated episode (the last step added must be LAST).
  absl::StatusOr<Episode> Finish();

 private:
  Episode episode_;
};

}  // namespace calico

#endif  // CALICO_REPLAY_EPISODE_H_
