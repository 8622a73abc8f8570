// MuJoCo task overhead: one agent step through the Environment interface (action check,
// action repeat, observations, reward) against a bare loop of the same number of
// mj_step calls on the same compiled model from the same states, and 64x64 offscreen
// frames per second.
//
//   bazel run //bench:mujoco_benchmark -- --benchmark_filter=Step
// Compare BM_EnvStep/TASK (StepInto, as RunEpisode steps) and BM_EnvStepByValue/TASK
// (Step returning a new TimeStep) with BM_BareMjStep/TASK: same items (agent steps). The
// machine is shared: add --benchmark_repetitions=9 --benchmark_enable_random_interleaving
// and compare medians.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "envs/mujoco/mujoco_env.h"
#include "envs/mujoco/mujoco_handles.h"

namespace calico {
namespace {

const std::vector<std::string>& Tasks() {
  static const std::vector<std::string>* tasks = new std::vector<std::string>{
      "mujoco/cartpole_swingup", "mujoco/pendulum_swingup", "mujoco/reacher_easy", "mujoco/point_mass_easy",
      "mujoco/acrobot_swingup", "mujoco/cheetah_run", "mujoco/cartpole_balance", "mujoco/reacher_hard"};
  return *tasks;
}

// The agent loop as RunEpisode runs it: one TimeStep passed back to StepInto every step.
void BM_EnvStep(benchmark::State& state) {
  const std::string task = Tasks()[state.range(0)];
  auto env = MujocoEnvironment::Create(task);
  if (!env.ok()) return state.SkipWithError(std::string(env.status().message()).c_str());
  const ArraySpec& spec = (*env)->action_spec().at("action");
  NamedArrays action{{"action", Array::Float(spec.shape, std::vector<float>(spec.num_elements(), 0.1f))}};
  uint64_t seed = 0;
  TimeStep timestep;
  if (!(*env)->ResetInto(seed, &timestep).ok()) return state.SkipWithError("reset failed");
  for (auto _ : state) {
    absl::Status status = (*env)->StepInto(action, &timestep);
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(timestep);
    if (timestep.last()) {
      // Resets are not steps (cheetah's settles for 200 physics steps): keep them out.
      state.PauseTiming();
      (void)(*env)->ResetInto(++seed, &timestep);
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(task);
}

// Step returning a new TimeStep each time (allocates the observation arrays).
void BM_EnvStepByValue(benchmark::State& state) {
  const std::string task = Tasks()[state.range(0)];
  auto env = MujocoEnvironment::Create(task);
  if (!env.ok()) return state.SkipWithError(std::string(env.status().message()).c_str());
  const ArraySpec& spec = (*env)->action_spec().at("action");
  NamedArrays action{{"action", Array::Float(spec.shape, std::vector<float>(spec.num_elements(), 0.1f))}};
  uint64_t seed = 0;
  (void)(*env)->Reset(seed);
  for (auto _ : state) {
    absl::StatusOr<TimeStep> t = (*env)->Step(action);
    benchmark::DoNotOptimize(t);
    if (t->last()) {
      // Resets are not steps (cheetah's settles for 200 physics steps): keep them out.
      state.PauseTiming();
      (void)(*env)->Reset(++seed);
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(task);
}

// The same physics as BM_EnvStep with nothing around it: `repeat` mj_step calls per agent
// step on the env's own compiled model, with the same control, from the same initial
// states (each episode starts from a copy of the env's state after Reset(seed)), so both
// loops integrate the same trajectories and only calico's work differs.
void BM_BareMjStep(benchmark::State& state) {
  const std::string task = Tasks()[state.range(0)];
  auto env = MujocoEnvironment::Create(task);  // the model, action repeat and initial states
  if (!env.ok()) return state.SkipWithError(std::string(env.status().message()).c_str());
  const mjModel* m = (*env)->model();
  auto data = MakeData(m);
  if (!data.ok()) return state.SkipWithError("cannot make mjData");
  const int repeat = static_cast<int>(std::lround((*env)->control_timestep() / (*env)->physics_timestep()));
  mjData* d = data->get();
  uint64_t seed = 0;
  if (!(*env)->Reset(seed).ok()) return state.SkipWithError("reset failed");
  mj_copyData(d, m, (*env)->data());
  int64_t steps = 0;
  for (auto _ : state) {
    for (int i = 0; i < m->nu; ++i) d->ctrl[i] = 0.1f;  // the value BM_EnvStep sends
    for (int k = 0; k < repeat; ++k) mj_step(m, d);
    if (++steps % 1000 == 0) {
      state.PauseTiming();
      (void)(*env)->Reset(++seed);  // episodes of 1000 agent steps, as the env
      mj_copyData(d, m, (*env)->data());
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(task + " (" + std::to_string(repeat) + " mj_step per agent step)");
}

void BM_Render64(benchmark::State& state) {
  const std::string task = Tasks()[state.range(0)];
  auto env = MujocoEnvironment::Create(task);
  if (!env.ok()) return state.SkipWithError(std::string(env.status().message()).c_str());
  (void)(*env)->Reset(0);
  for (auto _ : state) benchmark::DoNotOptimize((*env)->Render(64, 64));
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(task);
}

BENCHMARK(BM_EnvStep)->DenseRange(0, 7)->UseRealTime();
BENCHMARK(BM_EnvStepByValue)->DenseRange(0, 7)->UseRealTime();
BENCHMARK(BM_BareMjStep)->DenseRange(0, 7)->UseRealTime();
BENCHMARK(BM_Render64)->Arg(0)->Arg(5)->UseRealTime();

}  // namespace
}  // namespace calico
