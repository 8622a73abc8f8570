// Measuring arcade policies: mean and spread of the return of the expert and of the
// random policy over seeded episodes, as the reference points of a task's score.
#ifndef CALICO_POLICIES_ARCADE_MEASURE_H_
#define CALICO_POLICIES_ARCADE_MEASURE_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"

namespace calico {

// Which policy to run.
enum class ArcadePlayer { kRandom, kExpert };

// Returns of one policy over seeds 0..episodes-1.
struct ReturnStats {
  int episodes = 0;
  double mean_return = 0.0;
  double std_return = 0.0;  // population standard deviation
  double mean_length = 0.0;  // agent steps per episode
  int64_t total_steps = 0;
  double seconds = 0.0;      // wall time of the episodes, policy included
};

// Called after each episode with (episodes done, episodes in all), for progress lines.
using ProgressCallback = std::function<void(int, int)>;

// Runs `player` on `task` for seeds 0..episodes-1 (RunEpisode gives the policy and the
// environment the same seed). Errors for an unknown task or episodes < 1.
absl::StatusOr<ReturnStats> MeasureArcadePlayer(const std::string& task, ArcadePlayer player, int episodes,
                                                const ProgressCallback& progress = nullptr);

// One line of envs/arcade/reference_returns.txt: "task random_mean expert_mean episodes",
// means with 4 decimals.
std::string ReferenceLine(const std::string& task, const ReturnStats& random, const ReturnStats& expert);

}  // namespace calico

#endif  // CALICO_POLICIES_ARCADE_MEASURE_H_
