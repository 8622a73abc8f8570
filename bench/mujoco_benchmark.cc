// MuJoCo task overhead: one agent step through the Environment interface (action check,
// action repeat, observations, reward) against a bare loop of the same number of
// mj_step calls on the same compiled model, and 64x64 offscreen frames per second.
//
//   bazel run //bench:mujoco_benchmark
// Compare BM_EnvStep/TASK with BM_BareMjStep/TASK: same items (agent steps).
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
      "mujoco/acrobot_swingup", "mujoco/cheetah_run"};
  return *tasks;
}

void BM_EnvStep(benchmark::State& state) {
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

void BM_BareMjStep(benchmark::State& state) {
  const std::string task = Tasks()[state.range(0)];
  auto env = MujocoEnvironment::Create(task);  // for the action repeat only
  auto model = LoadMujocoTaskModel(task);
  if (!env.ok() || !model.ok()) return state.SkipWithError("cannot load the task");
  auto data = MakeData(model->get());
  const int repeat = static_cast<int>(std::lround((*env)->control_timestep() / (*env)->physics_timestep()));
  mjData* d = data->get();
  const mjModel* m = model->get();
  int64_t steps = 0;
  for (auto _ : state) {
    for (int i = 0; i < m->nu; ++i) d->ctrl[i] = 0.1;
    for (int k = 0; k < repeat; ++k) mj_step(m, d);
    if (++steps % 1000 == 0) {
      state.PauseTiming();
      mj_resetData(m, d);  // episodes of 1000 agent steps, as the env
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

BENCHMARK(BM_EnvStep)->DenseRange(0, 5)->UseRealTime();
BENCHMARK(BM_BareMjStep)->DenseRange(0, 5)->UseRealTime();
BENCHMARK(BM_Render64)->Arg(0)->Arg(5)->UseRealTime();

}  // namespace
}  // namespace calico
