#include "policies/arcade_measure.h"

#include <chrono>
#include <cmath>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "envs/arcade/arcade_tasks.h"
#include "policies/arcade_experts.h"
#include "policies/random_policy.h"
#include "policies/rollout.h"

namespace calico {

absl::StatusOr<ReturnStats> MeasureArcadePlayer(const std::string& task, ArcadePlayer player, int episodes,
                                                const ProgressCallback& progress) {
  if (episodes < 1) {
    return absl::InvalidArgumentError(absl::StrCat("episodes must be at least 1, got ", episodes));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<ArcadeEnvironment> env, MakeArcadeEnvironment(task));
  std::unique_ptr<Policy> policy;
  if (player == ArcadePlayer::kExpert) {
    ASSIGN_OR_RETURN(policy, MakeArcadeExpert(task));
  } else {
    ASSIGN_OR_RETURN(policy, RandomPolicy::Create(env->action_spec()));
  }
  ReturnStats stats;
  stats.episodes = episodes;
  std::vector<double> returns;
  const auto start = std::chrono::steady_clock::now();
  for (int seed = 0; seed < episodes; ++seed) {
    ASSIGN_OR_RETURN(EpisodeResult result, RunEpisode(*env, *policy, static_cast<uint64_t>(seed)));
    returns.push_back(result.episode_return);
    stats.total_steps += result.steps;
    if (progress) progress(seed + 1, episodes);
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double sum = 0, squares = 0;
  for (double r : returns) sum += r;
  stats.mean_return = sum / episodes;
  for (double r : returns) squares += (r - stats.mean_return) * (r - stats.mean_return);
  stats.std_return = std::sqrt(squares / episodes);
  stats.mean_length = static_cast<double>(stats.total_steps) / episodes;
  return stats;
}

std::string ReferenceLine(const std::string& task, const ReturnStats& random, const ReturnStats& expert) {
  return absl::StrFormat("%s %.4f %.4f %d", task, random.mean_return, expert.mean_return, expert.episodes);
}

}  // namespace calico
