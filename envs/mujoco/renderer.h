// Offscreen rendering of a MuJoCo scene on the CPU: MuJoCo's own OpenGL renderer drawing
// into an OSMesa (software) context, so no display or GPU is needed.
#ifndef CALICO_ENVS_MUJOCO_RENDERER_H_
#define CALICO_ENVS_MUJOCO_RENDERER_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "envs/array.h"
#include "mujoco/mujoco.h"

namespace calico {

// One GL context plus MuJoCo's rendering state for one model. Not thread-safe: one
// instance per environment; but different instances may be used on different threads at
// the same time (their GL work is serialised inside, because Debian's OSMesa is not safe
// for concurrent contexts), and one instance may be used from several threads one after
// another (each Render makes the context current on the calling thread and releases it).
class OffscreenRenderer {
 public:
  // A renderer for `model`, which must outlive it. The largest frame is the model's
  // offscreen buffer (<visual><global offwidth offheight>). Errors if OSMesa cannot
  // create a context.
  static absl::StatusOr<std::unique_ptr<OffscreenRenderer>> Create(const mjModel* model);

  ~OffscreenRenderer();
  OffscreenRenderer(const OffscreenRenderer&) = delete;
  OffscreenRenderer& operator=(const OffscreenRenderer&) = delete;

  // Draws `data` (whose positions must be current, e.g. after mj_forward) from the fixed
  // camera `camera_id` (-1: MuJoCo's free camera) and returns uint8 [height, width, 3],
  // top row first. Errors for sizes outside [1, max_width/max_height] or a bad camera id.
  absl::StatusOr<Array> Render(const mjData* data, int camera_id, int height, int width);

  // The largest frame Render accepts (the model's offscreen buffer).
  int max_width() const { return max_width_; }
  int max_height() const { return max_height_; }

 private:
  struct GlState;
  explicit OffscreenRenderer(const mjModel* model);

  const mjModel* model_;
  int max_width_ = 0;
  int max_height_ = 0;
  std::unique_ptr<GlState> gl_;
  std::vector<uint8_t> rgb_;  // [max_height * max_width * 3] read-back buffer, bottom row first
};

}  // namespace calico

#endif  // CALICO_ENVS_MUJOCO_RENDERER_H_
