// Per-step acting latency of the transformer policy: the time of Policy::Act (tokenise,
// append the observation and '|', decode every action token), environment steps not
// included, with random weights of a preset (latency does not depend on the weights).
//
//   bazel run --config=native //bench:acting_latency -- small mujoco/cheetah_run 2000 1024
//
// Arguments: preset, task, steps, context length (positions in the KV cache; once the
// episode fills it, every step also drops the oldest timestep), and optionally a number
// of environments N > 1. Prints median, p90, p99 and mean in milliseconds; with N, also
// the environment steps per second (policy and environment) of a TransformerActor
// stepping N environments in one decode batch against N TransformerPolicies in turn.
//
//   bazel run --config=native //bench:acting_latency -- nano mujoco/cheetah_run 300 1024 8
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "envs/all_tasks.h"
#include "model/threading.h"
#include "policies/test_models.h"
#include "policies/transformer_policy.h"
#include "tokenizers/text/text_tokenizer.h"

namespace calico {
namespace {

int Main(int argc, char** argv) {
  const std::string preset = argc > 1 ? argv[1] : "small";
  const std::string task = argc > 2 ? argv[2] : "mujoco/cheetah_run";
  const int steps = argc > 3 ? std::atoi(argv[3]) : 2000;
  const int context = argc > 4 ? std::atoi(argv[4]) : 1024;
  SetModelThreads(1);
  std::string text_path = "tokenizers/text/calico_text.model";
  if (const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY")) text_path = std::string(ws) + "/" + text_path;
  auto text = TextTokenizer::Load(text_path);
  auto model = RandomPresetModel(preset, 1);
  auto env = AllTasks().Make(task);
  if (!text.ok() || !model.ok() || !env.ok()) {
    std::fprintf(stderr, "setup failed: %s %s %s\n", std::string(text.status().message()).c_str(),
                 std::string(model.status().message()).c_str(), std::string(env.status().message()).c_str());
    return 1;
  }
  TransformerPolicyOptions options;
  options.context_length = context;
  auto policy = TransformerPolicy::Create(*model, task, (*env)->observation_spec(), (*env)->action_spec(),
                                          text->get(), options);
  if (!policy.ok()) {
    std::fprintf(stderr, "%s\n", std::string(policy.status().message()).c_str());
    return 1;
  }
  std::vector<double> ms;
  uint64_t seed = 0;
  (*policy)->Reset(seed);
  absl::StatusOr<TimeStep> ts = (*env)->Reset(seed);
  for (int i = 0; i < steps && ts.ok(); ++i) {
    if (ts->last()) {
      (*policy)->Reset(++seed);
      ts = (*env)->Reset(seed);
    }
    const auto start = std::chrono::steady_clock::now();
    absl::StatusOr<NamedArrays> action = (*policy)->Act(*ts);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    if (!action.ok()) {
      std::fprintf(stderr, "step %d: %s\n", i, std::string(action.status().message()).c_str());
      return 1;
    }
    ts = (*env)->Step(*action);
  }
  if (!ts.ok() || ms.empty()) {
    std::fprintf(stderr, "environment: %s\n", std::string(ts.status().message()).c_str());
    return 1;
  }
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  auto q = [&](double p) { return sorted[std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()))]; };
  double mean = 0;
  for (double v : ms) mean += v / ms.size();
  std::printf("%s %s context %d: %zu steps, act median %.3f ms, p90 %.3f, p99 %.3f, "
              "mean %.3f, dropped %lld timesteps in the last episode\n",
              preset.c_str(), task.c_str(), context, ms.size(),
              q(0.5), q(0.9), q(0.99), mean, static_cast<long long>((*policy)->dropped_timesteps()));
  const int num_envs = argc > 5 ? std::atoi(argv[5]) : 1;
  if (num_envs > 1) {
    // Batched: one TransformerActor, every round one Act call for all environments.
    auto actor = TransformerActor::Create(*model, task, (*env)->observation_spec(), (*env)->action_spec(),
                                          text->get(), options, num_envs);
    if (!actor.ok()) {
      std::fprintf(stderr, "%s\n", std::string(actor.status().message()).c_str());
      return 1;
    }
    std::vector<std::unique_ptr<Environment>> envs;
    std::vector<TimeStep> ts(num_envs);
    for (int e = 0; e < num_envs; ++e) {
      envs.push_back(std::move(AllTasks().Make(task).value()));
      (*actor)->Reset(e, e);
      ts[e] = envs[e]->Reset(e).value();
    }
    const int rounds = steps / num_envs;
    auto start = std::chrono::steady_clock::now();
    for (int round = 0; round < rounds; ++round) {
      std::vector<int> which(num_envs);
      std::vector<const TimeStep*> timesteps(num_envs);
      for (int e = 0; e < num_envs; ++e) {
        which[e] = e;
        timesteps[e] = &ts[e];
      }
      std::vector<NamedArrays> actions = (*actor)->Act(which, timesteps).value();
      for (int e = 0; e < num_envs; ++e) {
        ts[e] = envs[e]->Step(actions[e]).value();
        if (ts[e].last()) {
          (*actor)->Reset(e, e + 1000);
          ts[e] = envs[e]->Reset(e + 1000).value();
        }
      }
    }
    const double batched = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // One at a time: the same number of environment steps, N policies in turn.
    std::vector<std::unique_ptr<TransformerPolicy>> policies;
    for (int e = 0; e < num_envs; ++e) {
      policies.push_back(std::move(TransformerPolicy::Create(*model, task, (*env)->observation_spec(),
                                                             (*env)->action_spec(), text->get(), options)
                                       .value()));
      policies[e]->Reset(e);
      ts[e] = envs[e]->Reset(e).value();
    }
    start = std::chrono::steady_clock::now();
    for (int round = 0; round < rounds; ++round) {
      for (int e = 0; e < num_envs; ++e) {
        NamedArrays action = policies[e]->Act(ts[e]).value();
        ts[e] = envs[e]->Step(action).value();
        if (ts[e].last()) {
          policies[e]->Reset(e + 1000);
          ts[e] = envs[e]->Reset(e + 1000).value();
        }
      }
    }
    const double single = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double total = static_cast<double>(rounds) * num_envs;
    std::printf("%d environments, %d rounds: batched %.1f env-steps/s, one at a time %.1f env-steps/s (%.2fx)\n",
                num_envs, rounds, total / batched, total / single, single / batched);
  }
  return 0;
}

}  // namespace
}  // namespace calico

int main(int argc, char** argv) { return calico::Main(argc, argv); }
