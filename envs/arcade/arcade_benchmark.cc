// Arcade game speed on one core: environment steps per second with a cycling action
// (episodes restart as they end), for each task, board and pixels observations.
//
//   bazel run //envs/arcade:arcade_benchmark
#include <memory>
#include <string>

#include "benchmark/benchmark.h"
#include "envs/arcade/arcade_tasks.h"

namespace calico {
namespace {

void BM_Step(benchmark::State& state, const std::string& task) {
  std::unique_ptr<ArcadeEnvironment> env = MakeArcadeEnvironment(task).value();
  NamedArrays action;
  action["action"] = Array::Int({}, {0});
  uint64_t seed = 0;
  TimeStep step = env->Reset(seed).value();
  int64_t i = 0;
  for (auto _ : state) {
    if (step.last()) step = env->Reset(++seed).value();
    action["action"].ints[0] = static_cast<int32_t>(i++ % kNumArcadeActions);
    step = env->Step(action).value();
    benchmark::DoNotOptimize(step);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(BM_Step, asterix, std::string("arcade/asterix"));
BENCHMARK_CAPTURE(BM_Step, breakout, std::string("arcade/breakout"));
BENCHMARK_CAPTURE(BM_Step, freeway, std::string("arcade/freeway"));
BENCHMARK_CAPTURE(BM_Step, seaquest, std::string("arcade/seaquest"));
BENCHMARK_CAPTURE(BM_Step, space_invaders, std::string("arcade/space_invaders"));
BENCHMARK_CAPTURE(BM_Step, asterix_pixels, std::string("arcade/asterix_pixels"));
BENCHMARK_CAPTURE(BM_Step, breakout_pixels, std::string("arcade/breakout_pixels"));
BENCHMARK_CAPTURE(BM_Step, freeway_pixels, std::string("arcade/freeway_pixels"));
BENCHMARK_CAPTURE(BM_Step, seaquest_pixels, std::string("arcade/seaquest_pixels"));
BENCHMARK_CAPTURE(BM_Step, space_invaders_pixels, std::string("arcade/space_invaders_pixels"));

}  // namespace
}  // namespace calico
