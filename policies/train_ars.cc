// Trains a linear expert with augmented random search and writes it as a ".ars" file.
//   bazel run //policies:train_ars -- --task=mujoco/cheetah_run --out=$PWD/policies/experts/cheetah_run.ars
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "policies/ars.h"
#include "policies/linear_policy.h"

ABSL_FLAG(std::string, task, "", "MuJoCo task, e.g. mujoco/cheetah_run");
ABSL_FLAG(std::string, out, "", "where to write the .ars file (an absolute path under bazel run)");
ABSL_FLAG(int, iterations, 300, "ARS updates");
ABSL_FLAG(int, directions, 16, "random directions per update");
ABSL_FLAG(int, top_directions, 8, "best directions used per update");
ABSL_FLAG(double, step_size, 0.02, "step size alpha");
ABSL_FLAG(double, noise, 0.03, "perturbation scale nu");
ABSL_FLAG(int, episode_steps, 1000, "training rollout horizon");
ABSL_FLAG(int, eval_every, 10, "iterations between evaluations");
ABSL_FLAG(int, eval_episodes, 5, "episodes per evaluation");
ABSL_FLAG(uint64_t, seed, 0, "random seed");
ABSL_FLAG(std::string, features, "linear", "policy features: linear or quadratic");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  calico::ArsOptions options;
  options.task = absl::GetFlag(FLAGS_task);
  options.iterations = absl::GetFlag(FLAGS_iterations);
  options.directions = absl::GetFlag(FLAGS_directions);
  options.top_directions = absl::GetFlag(FLAGS_top_directions);
  options.step_size = absl::GetFlag(FLAGS_step_size);
  options.noise = absl::GetFlag(FLAGS_noise);
  options.episode_steps = absl::GetFlag(FLAGS_episode_steps);
  options.eval_every = absl::GetFlag(FLAGS_eval_every);
  options.eval_episodes = absl::GetFlag(FLAGS_eval_episodes);
  options.seed = absl::GetFlag(FLAGS_seed);
  options.features = absl::GetFlag(FLAGS_features);
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) {
    std::fprintf(stderr, "train_ars: --out is required (the .ars file to write)\n");
    return 1;
  }
  if (absl::Status status = options.Validate(); !status.ok()) {
    std::fprintf(stderr, "train_ars: %s\n", status.ToString().c_str());
    return 1;
  }
  auto params = calico::TrainArs(options, [&](const calico::ArsProgress& p) {
    const double rate = p.seconds > 0 ? p.env_steps / p.seconds : 0.0;
    const double eta = p.iteration > 0 ? p.seconds / p.iteration * (options.iterations - p.iteration) : 0.0;
    if (p.evaluated || p.iteration == 1) {
      std::printf("iter %5d/%d  rollout mean %7.1f  eval %7.1f  best %7.1f  %.0f steps/s  %.0fs elapsed  ETA %.0fs\n",
                  p.iteration, options.iterations, p.rollout_mean, p.evaluated ? p.eval_mean : -1.0,
                  p.best_eval_mean, rate, p.seconds, eta);
      std::fflush(stdout);
    }
  });
  if (!params.ok()) {
    std::fprintf(stderr, "train_ars: %s\n", params.status().ToString().c_str());
    return 1;
  }
  if (absl::Status status = calico::SaveLinearPolicyFile(*params, out); !status.ok()) {
    std::fprintf(stderr, "train_ars: %s\n", status.ToString().c_str());
    return 1;
  }
  auto final_eval = calico::EvaluateLinearPolicy(*params, options.task, 0, 10);
  std::printf("wrote %s; mean return over seeds 0..9: %.1f\n", out.c_str(), final_eval.ok() ? *final_eval : -1.0);
  return 0;
}
