// A standalone driver for the libFuzzer targets, so CI (g++, no libFuzzer) runs them:
// each seed input, then deterministic mutations of it (bit flips, truncations, splices).
// `tools/fuzz` runs the same targets under real libFuzzer with clang, starting from the
// seeds this driver writes with `--write_seeds=DIR`.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "base/random.h"
#include "replay/episode.h"
#include "replay/record_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace calico {
namespace {

// A valid two-step episode and a record file holding it twice: the seeds.
std::vector<std::string> Seeds() {
  SpecMap obs{{"o", {"o", {2}, DType::kFloat32, {}, {}}}, {"i", {"i", {16, 16, 3}, DType::kUint8, {}, {}}}};
  SpecMap act{{"a", {"a", {}, DType::kInt32, {0}, {5}}}};
  EpisodeRecorder recorder("fuzz/seed", obs, act, "seed", 1);
  TimeStep step;
  step.observation["o"] = Array::Float({2}, {1, 2});
  step.observation["i"] = Array::Uint8({16, 16, 3}, std::vector<uint8_t>(768, 3));
  NamedArrays action{{"a", Array::Int({}, {2})}};
  (void)recorder.Add(step, &action);
  step.step_type = StepType::kLast;
  step.reward = 1;
  (void)recorder.Add(step, nullptr);
  const std::string episode = *SerializeEpisode(*recorder.Finish());
  const std::string path = std::string(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") + "/seed.tfrecord";
  std::remove(path.c_str());
  auto writer = RecordWriter::Create(path);
  (void)(*writer)->Write(episode);
  (void)(*writer)->Write(episode);
  (void)(*writer)->Finish();
  FILE* f = std::fopen(path.c_str(), "rb");
  std::string file;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), f)) > 0) file.append(buffer, n);
  std::fclose(f);
  return {episode, file, "", std::string(12, '\0')};
}

}  // namespace
}  // namespace calico

int main(int argc, char** argv) {
  const std::string write_seeds = "--write_seeds=";
  if (argc > 1 && std::string(argv[1]).rfind(write_seeds, 0) == 0) {
    // The seed corpus for libFuzzer: one file per seed input.
    const std::string dir = std::string(argv[1]).substr(write_seeds.size());
    const std::vector<std::string> seeds = calico::Seeds();
    for (size_t i = 0; i < seeds.size(); ++i) {
      const std::string path = dir + "/seed-" + std::to_string(i);
      FILE* f = std::fopen(path.c_str(), "wb");
      if (f == nullptr || std::fwrite(seeds[i].data(), 1, seeds[i].size(), f) != seeds[i].size() ||
          std::fclose(f) != 0) {
        std::fprintf(stderr, "cannot write %s\n", path.c_str());
        return 1;
      }
    }
    std::printf("wrote %zu seeds to %s\n", seeds.size(), dir.c_str());
    return 0;
  }
  const int mutations = argc > 1 ? std::atoi(argv[1]) : 2000;
  calico::Rng rng(12345);
  int runs = 0;
  for (const std::string& seed : calico::Seeds()) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(seed.data()), seed.size());
    ++runs;
    for (int m = 0; m < mutations && !seed.empty(); ++m) {
      std::string input = seed;
      const int kind = static_cast<int>(rng.UniformInt(0, 3));
      if (kind == 0) {
        for (int flips = 1 + static_cast<int>(rng.UniformInt(0, 4)); flips > 0; --flips) {
          input[rng.UniformInt(0, input.size())] ^= static_cast<char>(1 << rng.UniformInt(0, 8));
        }
      } else if (kind == 1) {
        input.resize(rng.UniformInt(0, input.size()));
      } else {
        const size_t at = rng.UniformInt(0, input.size());
        input.insert(at, seed.substr(rng.UniformInt(0, seed.size())));
      }
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
      ++runs;
    }
  }
  std::printf("fuzz smoke: %d inputs, no crash\n", runs);
  return 0;
}
