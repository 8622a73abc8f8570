// Augmented random search (ARS V2-t, Mania et al. 2018) over linear policies: perturb the
// weights in random directions, roll out +/- each, step along the best directions'
// reward differences, normalise observations with running statistics.
#ifndef CALICO_POLICIES_ARS_H_
#define CALICO_POLICIES_ARS_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "policies/linear_policy.h"

namespace calico {

// Plain value type.
struct ArsOptions {
  std::string task;             // a registered MuJoCo task, e.g. "mujoco/cheetah_run"
  int iterations = 300;         // parameter updates
  int directions = 16;          // N: random directions per update (2N rollouts)
  int top_directions = 8;       // b: best directions used in the update (<= N)
  double step_size = 0.02;      // alpha
  double noise = 0.03;          // nu: perturbation scale
  int episode_steps = 1000;     // rollout horizon during training, in [1, 1000]
  int eval_every = 10;          // iterations between evaluations of the current policy
  int eval_episodes = 5;        // seeded episodes per evaluation (full length)
  uint64_t seed = 0;            // directions and episode seeds derive from it
  std::string features = "linear";  // policy features: "linear" or "quadratic"

  // Positive counts, top_directions <= directions, positive step and noise, a horizon in
  // [1, 1000], a task name and a known feature kind.
  absl::Status Validate() const;
};

// Reported after every iteration.
struct ArsProgress {
  int iteration = 0;          // 1-based
  double rollout_mean = 0.0;  // mean return of this iteration's perturbed rollouts
  bool evaluated = false;     // whether eval_mean is set this iteration
  double eval_mean = 0.0;     // mean return of the unperturbed policy on the eval seeds
  double best_eval_mean = 0.0;
  double seconds = 0.0;       // since the start
  int64_t env_steps = 0;      // since the start
};

// Trains a linear policy for `options.task` and returns the parameters with the best
// evaluation (evaluated every eval_every iterations and after the last one). Deterministic
// for a given options (single-threaded). `progress` may be null.
absl::StatusOr<LinearPolicyParams> TrainArs(const ArsOptions& options,
                                            const std::function<void(const ArsProgress&)>& progress);

// Mean return of `params` over episodes with seeds first_seed .. first_seed+episodes-1.
absl::StatusOr<double> EvaluateLinearPolicy(const LinearPolicyParams& params, const std::string& task,
                                            uint64_t first_seed, int episodes);

}  // namespace calico

#endif  // CALICO_POLICIES_ARS_H_
