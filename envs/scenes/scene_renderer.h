// Renders scenes to RGB images with MuJoCo's offscreen renderer (OSMesa, CPU only), and
// projects world points to pixels with the same camera.
#ifndef CALICO_ENVS_SCENES_SCENE_RENDERER_H_
#define CALICO_ENVS_SCENES_SCENE_RENDERER_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "envs/array.h"
#include "envs/mujoco/mujoco_handles.h"
#include "envs/mujoco/renderer.h"
#include "envs/scenes/scene.h"

namespace calico {

struct SceneRenderOptions {
  int height = 64;  // image rows; a multiple of 16 (image patches are 16x16)
  int width = 64;   // image columns; a multiple of 16

  // Both sides multiples of 16 in [16, 1024].
  absl::Status Validate() const;
};

// A pixel position: column `u` from the left, row `v` from the top, pixel centres at
// integer + 0.5.
struct PixelPoint {
  double u = 0.0;
  double v = 0.0;
};

// Owns one model (SlotsMjcf) and one GL context. Not thread-safe: one per thread; several
// instances may be used on different threads at once (their GL calls take turns).
class SceneRenderer {
 public:
  // Errors: invalid options, MuJoCo or OSMesa failures.
  static absl::StatusOr<std::unique_ptr<SceneRenderer>> Create(const SceneRenderOptions& options);

  // The scene as uint8 [height, width, 3], top row first. Errors for a scene with more
  // than kMaxObjects objects or a colour outside the palette.
  absl::StatusOr<Array> Render(const Scene& scene);

  // Where the world point (x, y, z) appears in the image (pinhole projection with the
  // scene camera's pose and vertical field of view).
  PixelPoint Project(double x, double y, double z) const;

  const SceneRenderOptions& options() const { return options_; }

 private:
  SceneRenderer() = default;

  SceneRenderOptions options_;
  MjModelPtr model_;
  MjDataPtr data_;
  int camera_ = -1;
  int slots_[kMaxObjects] = {};  // geom ids of "slot0".."slot3"
  int materials_[kNumColours] = {};
  std::unique_ptr<OffscreenRenderer> renderer_;  // declared last: uses model_
};

// Renders one scene through its own standalone model (SceneMjcf): slower (a model and a
// GL context per call), for checks against SceneRenderer and for looking at one scene.
absl::StatusOr<Array> RenderSceneStandalone(const Scene& scene, const SceneRenderOptions& options);

}  // namespace calico

#endif  // CALICO_ENVS_SCENES_SCENE_RENDERER_H_
