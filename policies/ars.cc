#include "policies/ars.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "base/random.h"
#include "base/status_macros.h"
#include "envs/mujoco/mujoco_env.h"

namespace calico {
namespace {

// Evaluation seeds sit far from the training seeds so the selection is not fitted to them.
constexpr uint64_t kEvalSeedBase = 1000000007ULL;

double Normal(Rng& rng) {
  const double u1 = 1.0 - rng.Uniform();
  const double u2 = rng.Uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);
}

// Running sums of observed states, for the normaliser (ARS "V2").
struct StateStats {
  std::vector<double> sum, sum_sq;  // [n]
  int64_t count = 0;
  explicit StateStats(int n) : sum(n, 0.0), sum_sq(n, 0.0) {}
  void Add(const std::vector<double>& x) {
    for (size_t i = 0; i < x.size(); ++i) {
      sum[i] += x[i];
      sum_sq[i] += x[i] * x[i];
    }
    ++count;
  }
  void Merge(const StateStats& other) {
    for (size_t i = 0; i < sum.size(); ++i) {
      sum[i] += other.sum[i];
      sum_sq[i] += other.sum_sq[i];
    }
    count += other.count;
  }
  // Writes mean and std (floored: a constant observation must not blow up its weight).
  void Write(LinearPolicyParams* params) const {
    if (count < 2) return;
    for (size_t i = 0; i < sum.size(); ++i) {
      const double mean = sum[i] / count;
      const double var = std::max(0.0, sum_sq[i] / count - mean * mean);
      params->mean[i] = mean;
      params->std[i] = std::max(std::sqrt(var), 1e-2);
    }
  }
};

// One rollout of `params` for up to `steps` agent steps; adds visited states to `stats`
// when given.
absl::StatusOr<double> Rollout(Environment& env, const LinearPolicyParams& params, const ArraySpec& action_spec,
                               uint64_t seed, int steps, StateStats* stats, int64_t* env_steps) {
  ASSIGN_OR_RETURN(TimeStep timestep, env.Reset(seed));
  double total = 0.0;
  std::vector<double> features, raw;
  for (int t = 0; t < steps && !timestep.last(); ++t) {
    const std::vector<double> x = FlattenFloatObservations(timestep.observation);
    if (stats != nullptr) stats->Add(x);
    LinearPolicy::Evaluate(params, x, &features, &raw);
    ASSIGN_OR_RETURN(timestep, env.Step({{"action", ClipToActionSpec(raw, action_spec)}}));
    total += timestep.reward;
    ++*env_steps;
  }
  return total;
}

std::string StateTask(const std::string& task) {
  const std::string suffix = "_pixels";
  if (task.size() > suffix.size() && task.compare(task.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return task.substr(0, task.size() - suffix.size());
  }
  return task;
}

}  // namespace

absl::Status ArsOptions::Validate() const {
  if (task.empty()) return absl::InvalidArgumentError("ARS options: expected a task name");
  if (features != "linear" && features != "quadratic") {
    return absl::InvalidArgumentError(
        absl::StrCat("ARS options: features '", features, "', expected 'linear' or 'quadratic'"));
  }
  if (iterations < 1 || directions < 1 || top_directions < 1 || eval_every < 1 || eval_episodes < 1) {
    return absl::InvalidArgumentError(absl::StrCat("ARS options: iterations ", iterations, ", directions ", directions,
                                                   ", top_directions ", top_directions, ", eval_every ", eval_every,
                                                   ", eval_episodes ", eval_episodes, "; expected all >= 1"));
  }
  if (top_directions > directions) {
    return absl::InvalidArgumentError(absl::StrCat("ARS options: top_directions ", top_directions,
                                                   " > directions ", directions));
  }
  if (!(step_size > 0.0) || !(noise > 0.0) || !std::isfinite(step_size) || !std::isfinite(noise)) {
    return absl::InvalidArgumentError(
        absl::StrCat("ARS options: step_size ", step_size, ", noise ", noise, "; expected finite values > 0"));
  }
  if (episode_steps < 1 || episode_steps > kMujocoEpisodeSteps) {
    return absl::InvalidArgumentError(
        absl::StrCat("ARS options: episode_steps ", episode_steps, ", expected 1..", kMujocoEpisodeSteps));
  }
  return absl::OkStatus();
}

absl::StatusOr<double> EvaluateLinearPolicy(const LinearPolicyParams& params, const std::string& task,
                                            uint64_t first_seed, int episodes) {
  ASSIGN_OR_RETURN(std::unique_ptr<Environment> env, MakeMujocoEnvironment(StateTask(task)));
  ASSIGN_OR_RETURN(auto policy, LinearPolicy::Create(params, env->observation_spec(), env->action_spec()));
  (void)policy;  // checks that the sizes fit the task
  const ArraySpec& action_spec = env->action_spec().at("action");
  double total = 0.0;
  int64_t steps = 0;
  for (int i = 0; i < episodes; ++i) {
    ASSIGN_OR_RETURN(double r, Rollout(*env, params, action_spec, first_seed + i, kMujocoEpisodeSteps, nullptr, &steps));
    total += r;
  }
  return total / episodes;
}

absl::StatusOr<LinearPolicyParams> TrainArs(const ArsOptions& options,
                                            const std::function<void(const ArsProgress&)>& progress) {
  RETURN_IF_ERROR(options.Validate());
  const std::string task = StateTask(options.task);
  ASSIGN_OR_RETURN(std::unique_ptr<Environment> env, MakeMujocoEnvironment(task));
  const ArraySpec& action_spec = env->action_spec().at("action");
  LinearPolicyParams params;
  params.task = task;
  params.observation_size = FloatObservationSize(env->observation_spec());
  params.action_size = static_cast<int>(action_spec.num_elements());
  params.features = options.features;
  const int n = params.observation_size, m = params.action_size;
  params.mean.assign(n, 0.0);
  params.std.assign(n, 1.0);
  params.weights.assign(static_cast<size_t>(m) * params.feature_size(), 0.0);
  params.bias.assign(m, 0.0);
  const size_t dim = params.weights.size() + params.bias.size();

  Rng rng(options.seed);
  StateStats stats(n);
  LinearPolicyParams best = params;
  double best_eval = -1.0;
  int64_t env_steps = 0;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::vector<double>> deltas(options.directions, std::vector<double>(dim));
  std::vector<double> plus(options.directions), minus(options.directions);

  for (int iteration = 1; iteration <= options.iterations; ++iteration) {
    StateStats iteration_stats(n);
    for (int k = 0; k < options.directions; ++k) {
      for (double& d : deltas[k]) d = Normal(rng);
      // Both signs of a direction see the same episode (common random numbers).
      const uint64_t episode_seed = options.seed * 1000003ULL + static_cast<uint64_t>(iteration) * 1000 + k;
      for (int sign : {1, -1}) {
        LinearPolicyParams perturbed = params;
        for (size_t i = 0; i < params.weights.size(); ++i) {
          perturbed.weights[i] += sign * options.noise * deltas[k][i];
        }
        for (int i = 0; i < m; ++i) perturbed.bias[i] += sign * options.noise * deltas[k][params.weights.size() + i];
        ASSIGN_OR_RETURN(double r, Rollout(*env, perturbed, action_spec, episode_seed, options.episode_steps,
                                           &iteration_stats, &env_steps));
        (sign > 0 ? plus : minus)[k] = r;
      }
    }
    // Keep the b directions whose better side did best.
    std::vector<int> order(options.directions);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      return std::max(plus[a], minus[a]) > std::max(plus[b], minus[b]);
    });
    order.resize(options.top_directions);
    double sum = 0.0, sum_sq = 0.0;
    for (int k : order) {
      sum += plus[k] + minus[k];
      sum_sq += plus[k] * plus[k] + minus[k] * minus[k];
    }
    const double count = 2.0 * options.top_directions;
    const double reward_std = std::sqrt(std::max(0.0, sum_sq / count - (sum / count) * (sum / count)));
    if (reward_std > 1e-8) {
      const double scale = options.step_size / (options.top_directions * reward_std);
      for (int k : order) {
        const double diff = plus[k] - minus[k];
        for (size_t i = 0; i < params.weights.size(); ++i) params.weights[i] += scale * diff * deltas[k][i];
        for (int i = 0; i < m; ++i) params.bias[i] += scale * diff * deltas[k][params.weights.size() + i];
      }
    }
    stats.Merge(iteration_stats);
    stats.Write(&params);

    ArsProgress report;
    report.iteration = iteration;
    report.rollout_mean =
        (std::accumulate(plus.begin(), plus.end(), 0.0) + std::accumulate(minus.begin(), minus.end(), 0.0)) /
        (2.0 * options.directions);
    if (iteration % options.eval_every == 0 || iteration == options.iterations) {
      ASSIGN_OR_RETURN(double eval, EvaluateLinearPolicy(params, task, kEvalSeedBase, options.eval_episodes));
      report.evaluated = true;
      report.eval_mean = eval;
      if (eval > best_eval) {
        best_eval = eval;
        best = params;
      }
    }
    report.best_eval_mean = best_eval;
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    report.env_steps = env_steps;
    if (progress) progress(report);
  }
  return best;
}

}  // namespace calico
