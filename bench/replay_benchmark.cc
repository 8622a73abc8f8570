// Replay throughput: record file reads and writes (with CRC-32C checks) and sampler
// batches for the small model's shape, and building a sampler over a long pixel episode.
//
//   bazel run //bench:replay_benchmark
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "base/random.h"
#include "benchmark/benchmark.h"
#include "replay/crc32c.h"
#include "replay/record_file.h"
#include "replay/sampler.h"

namespace calico {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/calico_bench_" + name;
}

// A 128 MiB file of records of `record_bytes` each (written once per size).
std::string RecordFile(int64_t record_bytes) {
  const std::string path = TempPath("records_" + std::to_string(record_bytes));
  std::remove(path.c_str());
  std::remove((path + kPartialSuffix).c_str());
  auto writer = RecordWriter::Create(path);
  std::string record(record_bytes, 'x');
  for (int64_t written = 0; written < (int64_t{128} << 20); written += record_bytes) (void)(*writer)->Write(record);
  (void)(*writer)->Finish();
  return path;
}

void BM_RecordRead(benchmark::State& state) {
  const std::string path = RecordFile(state.range(0));
  int64_t bytes = 0;
  for (auto _ : state) {
    auto reader = RecordReader::Open(path);
    std::string record;
    while (*(*reader)->Next(&record)) benchmark::DoNotOptimize(record.data());
    bytes += (*reader)->offset();
  }
  state.SetBytesProcessed(bytes);
  std::remove(path.c_str());
}
BENCHMARK(BM_RecordRead)->Arg(4 << 10)->Arg(1 << 20)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Crc32c(benchmark::State& state) {
  std::string data(1 << 20, 'y');
  const bool portable = state.range(0) == 1;
  for (auto _ : state) {
    benchmark::DoNotOptimize(portable ? Crc32cPortable(data.data(), data.size()) : Crc32c(data.data(), data.size()));
  }
  state.SetBytesProcessed(state.iterations() * data.size());
  state.SetLabel(portable ? "portable slicing-by-8" : "dispatch (SSE4.2 when present)");
}
BENCHMARK(BM_Crc32c)->Arg(0)->Arg(1);

// `episodes` episodes of `steps` steps: 17 floats of state, optionally a 64x64 image,
// and a 6-d continuous action (a cheetah-like task).
std::map<std::string, std::vector<Episode>> ControlData(int episodes, int steps, bool pixels) {
  std::map<std::string, std::vector<Episode>> data;
  Rng rng(1);
  for (int e = 0; e < episodes; ++e) {
    Episode episode;
    episode.task = "bench/control";
    episode.observation_spec["state"] = {"state", {17}, DType::kFloat32, {}, {}};
    if (pixels) episode.observation_spec["pixels"] = {"pixels", {64, 64, 3}, DType::kUint8, {}, {}};
    episode.action_spec["action"] = {"action", {6}, DType::kFloat32, {-1}, {1}};
    for (int t = 0; t <= steps; ++t) {
      Timestep step;
      std::vector<float> state(17);
      for (float& v : state) v = static_cast<float>(rng.Uniform() * 4 - 2);
      step.observation["state"] = Array::Float({17}, state);
      if (pixels) {
        std::vector<uint8_t> image(64 * 64 * 3);
        for (uint8_t& b : image) b = static_cast<uint8_t>(rng.Next());
        step.observation["pixels"] = Array::Uint8({64, 64, 3}, std::move(image));
      }
      if (t < steps) step.action = NamedArrays{{"action", Array::Float({6}, std::vector<float>(6, 0.1f * (t % 10)))}};
      episode.steps.push_back(std::move(step));
      episode.step_types.push_back(t == 0 ? StepType::kFirst : t == steps ? StepType::kLast : StepType::kMid);
      episode.rewards.push_back(0);
      episode.discounts.push_back(1);
    }
    data["bench/control"].push_back(std::move(episode));
  }
  return data;
}

// Batches of the small model's shape, 16 x 1024. Items are token positions.
void BM_SamplerBatch(benchmark::State& state) {
  const bool pixels = state.range(0) != 0;
  static const Vocabulary vocab = *Vocabulary::Create(512);
  SamplerOptions options;
  options.batch_size = 16;
  options.sequence_length = 1024;
  auto sampler = Sampler::Create(ControlData(pixels ? 4 : 20, pixels ? 250 : 1000, pixels), vocab, nullptr, options);
  if (!sampler.ok()) {
    state.SkipWithError(std::string(sampler.status().message()).c_str());
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize((*sampler)->Next());
  state.SetItemsProcessed(state.iterations() * 16 * 1024);
  state.SetLabel(pixels ? "state + 64x64 pixels" : "state only");
}
BENCHMARK(BM_SamplerBatch)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// Sampler::Create on one long 64x64-pixel episode (every timestep tokenised once to count
// its positions). Items are timesteps. peak_rss_mb is the process's high-water mark, so
// run it alone (--benchmark_filter=BM_SamplerCreate) to read its memory.
void BM_SamplerCreate(benchmark::State& state) {
  static const Vocabulary vocab = *Vocabulary::Create(512);
  const int steps = static_cast<int>(state.range(0));
  const std::map<std::string, std::vector<Episode>> data = ControlData(1, steps, /*pixels=*/true);
  SamplerOptions options;
  options.batch_size = 16;
  options.sequence_length = 1024;
  for (auto _ : state) {
    auto sampler = Sampler::Create(data, vocab, nullptr, options);
    if (!sampler.ok()) {
      state.SkipWithError(std::string(sampler.status().message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(sampler);
  }
  state.SetItemsProcessed(state.iterations() * steps);
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  state.counters["peak_rss_mb"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
}
BENCHMARK(BM_SamplerCreate)->Arg(4000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace calico
