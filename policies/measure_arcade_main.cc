// measure_arcade: mean/std return of the arcade experts and of RandomPolicy over seeds
// 0..N-1, with episode lengths, wall time and game steps per second.
//
//   bazel run //policies:measure_arcade -- --episodes=50 [--tasks=arcade/breakout,...]
//       [--reference_out=envs/arcade/reference_returns.txt]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/file_io.h"
#include "envs/arcade/arcade_tasks.h"
#include "policies/arcade_measure.h"

ABSL_FLAG(int, episodes, 50, "seeded episodes per task and policy (seeds 0..N-1)");
ABSL_FLAG(std::string, tasks, "", "comma-separated arcade tasks (default: all 10)");
ABSL_FLAG(std::string, reference_out, "",
          "if set, write 'task random_mean expert_mean episodes' lines here (relative paths are "
          "taken from the workspace root under bazel run)");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int episodes = absl::GetFlag(FLAGS_episodes);
  std::vector<std::string> tasks = calico::ArcadeTaskNames();
  if (!absl::GetFlag(FLAGS_tasks).empty()) tasks = absl::StrSplit(absl::GetFlag(FLAGS_tasks), ',');

  for (const std::string& task : tasks) {
    const auto parsed = calico::ParseArcadeTask(task);
    if (!parsed.ok()) {
      std::fprintf(stderr, "measure_arcade: --tasks: %s\n", parsed.status().ToString().c_str());
      return 1;
    }
  }
  if (episodes < 1) {
    std::fprintf(stderr, "measure_arcade: --episodes must be at least 1, got %d\n", episodes);
    return 1;
  }
  // Progress goes to a terminal only, one line rewritten in place.
  const bool show_progress = isatty(fileno(stderr));

  std::vector<std::string> lines;
  std::printf("%-28s %-7s %10s %9s %10s %9s %12s\n", "task", "policy", "mean", "std", "mean_len", "wall_s",
              "steps/s");
  int64_t all_steps = 0;
  double all_seconds = 0;
  for (const std::string& task : tasks) {
    calico::ReturnStats stats[2];
    for (int p = 0; p < 2; ++p) {
      const auto player = p == 0 ? calico::ArcadePlayer::kRandom : calico::ArcadePlayer::kExpert;
      const char* name = p == 0 ? "random" : "expert";
      const auto start = std::chrono::steady_clock::now();
      auto progress = [&](int done, int total) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double eta = elapsed / done * (total - done);
        std::fprintf(stderr, "\r\033[K%s %s: episode %d/%d, %.1f episodes/s, ETA %.0f s", task.c_str(), name, done,
                     total, done / std::max(1e-9, elapsed), eta);
        if (done == total) std::fprintf(stderr, "\r\033[K");
      };
      auto measured = calico::MeasureArcadePlayer(task, player, episodes,
                                                  show_progress ? calico::ProgressCallback(progress) : nullptr);
      if (!measured.ok()) {
        std::fprintf(stderr, "measure_arcade: %s\n", measured.status().ToString().c_str());
        return 1;
      }
      stats[p] = *measured;
      all_steps += stats[p].total_steps;
      all_seconds += stats[p].seconds;
      std::printf("%-28s %-7s %10.3f %9.3f %10.1f %9.2f %12.0f\n", task.c_str(), name, stats[p].mean_return,
                  stats[p].std_return, stats[p].mean_length, stats[p].seconds,
                  stats[p].total_steps / std::max(1e-9, stats[p].seconds));
      std::fflush(stdout);
    }
    lines.push_back(calico::ReferenceLine(task, stats[0], stats[1]));
  }
  std::printf("total: %lld steps in %.1f s (%.0f steps/s, policies included)\n", static_cast<long long>(all_steps),
              all_seconds, all_steps / std::max(1e-9, all_seconds));

  std::string out = absl::GetFlag(FLAGS_reference_out);
  if (!out.empty()) {
    const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY");
    if (out[0] != '/' && workspace != nullptr) out = std::string(workspace) + "/" + out;
    std::string text;  // one "task random_mean expert_mean episodes" line per task, nothing else
    for (const std::string& line : lines) absl::StrAppend(&text, line, "\n");
    const absl::Status written = calico::WriteFileAtomically(out, text);
    if (!written.ok()) {
      std::fprintf(stderr, "measure_arcade: %s\n", written.ToString().c_str());
      return 1;
    }
    std::printf("wrote %s\n", out.c_str());
  }
  return 0;
}
