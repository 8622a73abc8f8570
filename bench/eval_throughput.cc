// Evaluation throughput with the transformer in the loop: environment steps per second of
// the suite's two ways to run a task's episodes, side by side in one run on the same
// model and seeds:
//   one-at-a-time: RunEpisodes, one TransformerPolicy per worker thread (each env's
//                  observation is its own decode call), model kernels on one thread each;
//   batched:       RunEpisodesBatched, one TransformerActor for N environments (one decode
//                  batch per step), model kernels on all threads.
// Random weights of a preset (speed does not depend on the weights), greedy acting, so
// both runs take the same actions and the same number of steps.
//
//   bazel run --config=native //bench:eval_throughput -- small mujoco/cartpole_balance 8 512
//
// Arguments: preset, task, episodes (= environments in the batch), context length.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "agent/batch_episode_runner.h"
#include "agent/episode_runner.h"
#include "envs/all_tasks.h"
#include "model/threading.h"
#include "policies/test_models.h"
#include "policies/transformer_policy.h"

namespace calico {
namespace {

int Main(int argc, char** argv) {
  const std::string preset = argc > 1 ? argv[1] : "small";
  const std::string task = argc > 2 ? argv[2] : "mujoco/cartpole_balance";
  const int episodes = argc > 3 ? std::atoi(argv[3]) : 8;
  const int context = argc > 4 ? std::atoi(argv[4]) : 512;
  if (episodes < 1 || context < 16) {
    std::fprintf(stderr, "usage: eval_throughput PRESET TASK EPISODES CONTEXT\n");
    return 2;
  }
  absl::StatusOr<std::shared_ptr<const Transformer>> model = RandomPresetModel(preset, 1);
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", std::string(model.status().message()).c_str());
    return 1;
  }
  TransformerPolicyOptions policy_options;
  policy_options.context_length = context;
  EpisodeRunnerOptions run;
  run.task = task;
  run.episodes = episodes;
  run.first_seed = 1000;
  run.threads = 2;

  PolicyFactory single = [&](const std::string& t, const Environment& env) {
    return MakeTransformerPolicy(*model, t, env.observation_spec(), env.action_spec(), nullptr, policy_options);
  };
  BatchPolicyFactory batched = [&](const std::string& t, const Environment& env,
                                   int n) -> absl::StatusOr<std::unique_ptr<BatchPolicy>> {
    absl::StatusOr<std::unique_ptr<TransformerActor>> actor =
        TransformerActor::Create(*model, t, env.observation_spec(), env.action_spec(), nullptr, policy_options, n);
    if (!actor.ok()) return actor.status();
    return std::unique_ptr<BatchPolicy>(std::move(*actor));
  };
  // Two worker threads with one-thread kernels each, against one batch with two-thread
  // kernels: both use the machine's two cores.
  SetModelThreads(1);
  absl::StatusOr<EpisodeRunnerReport> one = RunEpisodes(AllTasks(), single, run, nullptr);
  SetModelThreads(2);
  absl::StatusOr<EpisodeRunnerReport> all = RunEpisodesBatched(AllTasks(), batched, episodes, run, nullptr);
  if (!one.ok() || !all.ok()) {
    std::fprintf(stderr, "%s %s\n", std::string(one.status().message()).c_str(),
                 std::string(all.status().message()).c_str());
    return 1;
  }
  const double one_rate = one->total_steps / one->seconds, all_rate = all->total_steps / all->seconds;
  std::printf("%s %s, %d episodes, context %d: %lld env-steps\n", preset.c_str(), task.c_str(), episodes, context,
              static_cast<long long>(all->total_steps));
  std::printf("  one at a time (2 threads x 1 policy): %8.1f env-steps/s (%.1f s)\n", one_rate, one->seconds);
  std::printf("  batched (%d envs, 1 decode batch):    %8.1f env-steps/s (%.1f s)\n", episodes, all_rate, all->seconds);
  std::printf("  batched / one at a time: %.2fx; same returns: %s\n", all_rate / one_rate,
              one->mean_return == all->mean_return ? "yes" : "NO");
  return one->mean_return == all->mean_return ? 0 : 1;
}

}  // namespace
}  // namespace calico

int main(int argc, char** argv) { return calico::Main(argc, argv); }
