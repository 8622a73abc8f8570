// Writes a small calico dataset with known contents, for the Python interop reader
// (tests/interop/read_shard.py). Usage: write_dataset DIR
#include <cstdio>
#include <string>

#include "replay/dataset.h"
#include "replay/episode.h"

namespace calico {
namespace {

// Episode e of the interop task: steps 3 + e; observation "pixels" (16x16x3, every byte
// = t * 10 + e), "state" ([2] floats = {t, -0.5 * e}), "instruction" text; action
// "torque" ([1] float = 0.25 * t - 0.5); reward 0.5 * t on step t.
absl::StatusOr<Episode> Make(int e) {
  SpecMap obs{{"instruction", {"instruction", {}, DType::kString, {}, {}}},
              {"pixels", {"pixels", {16, 16, 3}, DType::kUint8, {}, {}}},
              {"state", {"state", {2}, DType::kFloat32, {}, {}}}};
  SpecMap act{{"torque", {"torque", {1}, DType::kFloat32, {-1}, {1}}}};
  EpisodeRecorder recorder("interop/task", obs, act, "scripted", 1000 + e);
  const int steps = 3 + e;
  for (int t = 0; t <= steps; ++t) {
    TimeStep step;
    step.step_type = t == 0 ? StepType::kFirst : (t == steps ? StepType::kLast : StepType::kMid);
    step.reward = t == 0 ? 0.0 : 0.5 * t;
    step.discount = t == steps ? 0.0 : 1.0;
    step.observation["instruction"] = Array::Text("swing up the pole");
    step.observation["pixels"] = Array::Uint8({16, 16, 3}, std::vector<uint8_t>(768, static_cast<uint8_t>(t * 10 + e)));
    step.observation["state"] = Array::Float({2}, {static_cast<float>(t), -0.5f * e});
    NamedArrays action{{"torque", Array::Float({1}, {0.25f * t - 0.5f})}};
    absl::Status status = recorder.Add(step, t == steps ? nullptr : &action);
    if (!status.ok()) return status;
  }
  return recorder.Finish();
}

int Main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_dataset DIR\n");
    return 2;
  }
  DatasetWriterOptions options;
  options.directory = argv[1];
  auto writer = DatasetWriter::Open(options);
  if (!writer.ok()) {
    std::fprintf(stderr, "%s\n", std::string(writer.status().message()).c_str());
    return 1;
  }
  for (int e = 0; e < 4; ++e) {
    absl::StatusOr<Episode> episode = Make(e);
    absl::Status status = episode.ok() ? (*writer)->Add(*episode).status() : episode.status();
    if (!status.ok()) {
      std::fprintf(stderr, "%s\n", std::string(status.message()).c_str());
      return 1;
    }
  }
  absl::Status status = (*writer)->Close();
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace calico

int main(int argc, char** argv) { return calico::Main(argc, argv); }
