// Choosing each control task's action temperature on validation episodes: which decoding
// suits a task depends on the task (greedy balances a pole, sampling gets a game's
// player out of a state where waiting is the likeliest action), so `calico eval
// --choose_temperature` tries each candidate on seeds the suite does not score and acts
// at the best one on the scored episodes.
#ifndef CALICO_AGENT_TEMPERATURE_CHOICE_H_
#define CALICO_AGENT_TEMPERATURE_CHOICE_H_

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/batch_episode_runner.h"
#include "agent/scores.h"
#include "agent/suite.pb.h"
#include "envs/task_registry.h"

namespace calico {

// The validation seeds' default start: away from the datasets' seeds (from 0) and the
// committed suites' held-out ones (from 1,000,000).
inline constexpr uint64_t kDefaultChoiceSeed = 2000000;

struct TemperatureChoiceOptions {
  std::vector<double> candidates;  // distinct, each in [0, 1e6] (0: greedy)
  int episodes = 10;               // per task and candidate
  uint64_t first_seed = kDefaultChoiceSeed;  // validation episode i plays seed first_seed + i
  int threads = 2;
  int batch_envs = 16;

  // At least one candidate, each finite in [0, 1e6] and none twice; episodes in
  // [1, 1,000,000]; seeds that do not wrap past 2^64 - 1 and do not meet the seeds the
  // suite scores (first_seed .. first_seed + episodes - 1 of each of its tasks), which
  // would choose on the episodes being measured.
  absl::Status Validate(const SuiteConfig& suite) const;
};

// Makes a checkpoint's batch policy that acts at `temperature` in every task.
using TemperaturePolicyFactory = std::function<absl::StatusOr<BatchPolicyFactory>(double temperature)>;

// For each of `tasks` (control tasks of `registry`), runs options.episodes validation
// episodes at every candidate temperature and chooses the candidate with the highest
// mean return (the earliest listed on ties). Progress (each episode, as calico eval
// shows it, and a line per task and candidate) goes to `progress` if not null. Errors name the task and the candidate.
absl::StatusOr<std::vector<TemperatureChoice>> ChooseActionTemperatures(const TaskRegistry& registry,
                                                                      const std::vector<std::string>& tasks,
                                                                      const TemperaturePolicyFactory& make_policy,
                                                                      const TemperatureChoiceOptions& options,
                                                                      std::ostream* progress);

}  // namespace calico

#endif  // CALICO_AGENT_TEMPERATURE_CHOICE_H_
