// Measures, per MuJoCo task, the mean and std return of the expert and of RandomPolicy over
// seeds 0..N-1, plus the physics and pixel rendering speed; optionally writes the
// reference returns file.
//   bazel run //policies:measure_mujoco -- --episodes=50 --out=$PWD/envs/mujoco/reference_returns.txt
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/file_io.h"
#include "envs/mujoco/mujoco_env.h"
#include "policies/mujoco_experts.h"
#include "policies/random_policy.h"
#include "policies/rollout.h"

ABSL_FLAG(int, episodes, 50, "seeded episodes per task and policy (seeds 0..N-1)");
ABSL_FLAG(std::string, tasks, "", "comma-separated tasks (default: the 8 state tasks)");
ABSL_FLAG(std::string, out, "", "if set, write 'task random_mean expert_mean episodes' lines here");
ABSL_FLAG(bool, speed, true, "also measure physics steps/s and 64x64 frames/s");

namespace calico {
namespace {

struct Stats {
  double mean = 0.0, std = 0.0, seconds = 0.0;
};

absl::StatusOr<Stats> Measure(const std::string& task, bool expert, int episodes) {
  std::vector<double> returns;
  const auto start = std::chrono::steady_clock::now();
  for (int seed = 0; seed < episodes; ++seed) {
    auto env = MakeMujocoEnvironment(task);
    if (!env.ok()) return env.status();
    absl::StatusOr<std::unique_ptr<Policy>> policy =
        expert ? MakeMujocoExpert(task)
               : absl::StatusOr<std::unique_ptr<Policy>>(RandomPolicy::Create((*env)->action_spec()));
    if (!policy.ok()) return policy.status();
    auto result = RunEpisode(**env, **policy, seed);
    if (!result.ok()) return result.status();
    returns.push_back(result->episode_return);
  }
  Stats stats;
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (double r : returns) stats.mean += r / returns.size();
  for (double r : returns) stats.std += (r - stats.mean) * (r - stats.mean) / returns.size();
  stats.std = std::sqrt(stats.std);
  return stats;
}

int Run() {
  const int episodes = absl::GetFlag(FLAGS_episodes);
  if (episodes < 1) {
    std::fprintf(stderr, "measure_mujoco: --episodes must be >= 1\n");
    return 1;
  }
  std::vector<std::string> tasks;
  if (absl::GetFlag(FLAGS_tasks).empty()) {
    tasks = MujocoExpertTasks();
  } else {
    tasks = absl::StrSplit(absl::GetFlag(FLAGS_tasks), ',', absl::SkipEmpty());
  }
  std::string reference = absl::StrCat(
      "# task random_mean expert_mean episodes\n",
      "# Mean returns over seeds 0..episodes-1 (bazel run //policies:measure_mujoco -- --episodes=", episodes,
      " --out=...).\n",
      "# A _pixels task has its state task's numbers: same seeds, same physics, and the experts\n",
      "# read only the state observations (mujoco_experts_test checks a whole episode matches).\n");
  std::printf("%-28s %10s %8s %10s %8s %8s\n", "task", "random", "std", "expert", "std", "seconds");
  for (const std::string& task : tasks) {
    auto random = Measure(task, false, episodes);
    auto expert = Measure(task, true, episodes);
    if (!random.ok() || !expert.ok()) {
      std::fprintf(stderr, "measure_mujoco: %s: %s\n", task.c_str(),
                   (!random.ok() ? random.status() : expert.status()).ToString().c_str());
      return 1;
    }
    std::printf("%-28s %10.1f %8.1f %10.1f %8.1f %8.1f\n", task.c_str(), random->mean, random->std, expert->mean,
                expert->std, random->seconds + expert->seconds);
    std::fflush(stdout);
    absl::StrAppendFormat(&reference, "%s %.4f %.4f %d\n", task, random->mean, expert->mean, episodes);
    absl::StrAppendFormat(&reference, "%s_pixels %.4f %.4f %d\n", task, random->mean, expert->mean, episodes);
  }
  if (absl::GetFlag(FLAGS_speed)) {
    // Physics: zero actions through the Environment interface (state observations only).
    for (const std::string& task : tasks) {
      auto env = MakeMujocoEnvironment(task);
      if (!env.ok()) return 1;
      const int64_t n = (*env)->action_spec().at("action").num_elements();
      const NamedArrays zero = {{"action", Array::Float({n}, std::vector<float>(n, 0.0f))}};
      const auto start = std::chrono::steady_clock::now();
      int steps = 0;
      for (int episode = 0; episode < 3; ++episode) {
        auto step = (*env)->Reset(episode);
        while (step.ok() && !step->last()) {
          step = (*env)->Step(zero);
          ++steps;
        }
      }
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      auto pixels_env = MakeMujocoEnvironment(task);
      if (!pixels_env.ok() || !(*pixels_env)->Reset(0).ok()) return 1;
      const auto render_start = std::chrono::steady_clock::now();
      const int frames = 300;
      for (int i = 0; i < frames; ++i) {
        if (!(*pixels_env)->Render(kMujocoPixelsSize, kMujocoPixelsSize).ok()) return 1;
      }
      const double render_seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - render_start).count();
      std::printf("%-28s %9.0f env steps/s  %7.0f frames/s (64x64)\n", task.c_str(), steps / seconds,
                  frames / render_seconds);
    }
  }
  const std::string out = absl::GetFlag(FLAGS_out);
  if (!out.empty()) {
    if (absl::Status status = WriteFileAtomically(out, reference); !status.ok()) {
      std::fprintf(stderr, "measure_mujoco: %s\n", status.ToString().c_str());
      return 1;
    }
    std::printf("wrote %s\n", out.c_str());
  }
  return 0;
}

}  // namespace
}  // namespace calico

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return calico::Run();
}
