// Renders one frame of a MuJoCo task after some zero-action steps and writes it as a
// binary PPM (P6) image, to look at what an agent's camera sees.
//   bazel run //envs/mujoco:render_frame -- --task=mujoco/cheetah_run --out=/tmp/cheetah.ppm
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "base/file_io.h"
#include "envs/mujoco/mujoco_env.h"

ABSL_FLAG(std::string, task, "mujoco/cartpole_swingup", "task to render");
ABSL_FLAG(std::string, out, "", "PPM file to write (an absolute path under bazel run)");
ABSL_FLAG(int, height, 240, "image rows");
ABSL_FLAG(int, width, 320, "image columns");
ABSL_FLAG(int, steps, 0, "zero-action steps after Reset(seed) before the frame");
ABSL_FLAG(uint64_t, seed, 0, "episode seed");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) {
    std::fprintf(stderr, "render_frame: --out is required\n");
    return 1;
  }
  auto env = calico::MakeMujocoEnvironment(absl::GetFlag(FLAGS_task));
  if (!env.ok()) {
    std::fprintf(stderr, "render_frame: %s\n", env.status().ToString().c_str());
    return 1;
  }
  auto step = (*env)->Reset(absl::GetFlag(FLAGS_seed));
  const int64_t n = (*env)->action_spec().at("action").num_elements();
  const calico::NamedArrays zero = {{"action", calico::Array::Float({n}, std::vector<float>(n, 0.0f))}};
  for (int i = 0; step.ok() && i < absl::GetFlag(FLAGS_steps) && !step->last(); ++i) step = (*env)->Step(zero);
  if (!step.ok()) {
    std::fprintf(stderr, "render_frame: %s\n", step.status().ToString().c_str());
    return 1;
  }
  auto image = (*env)->Render(absl::GetFlag(FLAGS_height), absl::GetFlag(FLAGS_width));
  if (!image.ok()) {
    std::fprintf(stderr, "render_frame: %s\n", image.status().ToString().c_str());
    return 1;
  }
  std::string ppm = absl::StrCat("P6\n", image->shape[1], " ", image->shape[0], "\n255\n");
  ppm.append(image->bytes.begin(), image->bytes.end());
  if (absl::Status status = calico::WriteFileAtomically(out, ppm); !status.ok()) {
    std::fprintf(stderr, "render_frame: %s\n", status.ToString().c_str());
    return 1;
  }
  std::printf("wrote %s (%dx%d)\n", out.c_str(), static_cast<int>(image->shape[1]), static_cast<int>(image->shape[0]));
  return 0;
}
