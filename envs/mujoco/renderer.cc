#include "envs/mujoco/renderer.h"

#include <GL/osmesa.h>

#include <cstring>
#include <mutex>

#include "absl/strings/str_cat.h"

namespace calico {
namespace {

// Every GL call goes through this one lock. Context creation touches process-wide state
// (MuJoCo's GL function loader, Mesa's driver set-up), and Debian's OSMesa (llvmpipe) is
// not safe for two contexts rendering on two threads at once: ThreadSanitizer shows races
// on Mesa's own mutexes, and a CI run crashed writing scenes on three threads. llvmpipe
// rasterises on its own worker threads, so serialising frames costs little.
std::mutex& GlMutex() {
  static std::mutex* mutex = new std::mutex;
  return *mutex;
}

}  // namespace

struct OffscreenRenderer::GlState {
  OSMesaContext context = nullptr;
  std::vector<uint8_t> window;  // [max_height * max_width * 4] RGBA: OSMesa's default framebuffer
  mjvScene scene;
  mjvOption option;
  mjvCamera camera;
  mjrContext render_context;
  bool scene_made = false;
  bool context_made = false;

  bool MakeCurrent(int width, int height) {
    return OSMesaMakeCurrent(context, window.data(), GL_UNSIGNED_BYTE, width, height) == GL_TRUE;
  }
  static void Release() { OSMesaMakeCurrent(nullptr, nullptr, 0, 0, 0); }
};

namespace {

// Releases the calling thread's current context when it goes out of scope, also when a
// MuJoCo error unwinds through (see mujoco_errors.h).
struct ReleaseContextOnExit {
  ReleaseContextOnExit() = default;
  ReleaseContextOnExit(const ReleaseContextOnExit&) = delete;
  ReleaseContextOnExit& operator=(const ReleaseContextOnExit&) = delete;
  ~ReleaseContextOnExit() { OSMesaMakeCurrent(nullptr, nullptr, 0, 0, 0); }
};

}  // namespace

OffscreenRenderer::OffscreenRenderer(const mjModel* model) : model_(model), gl_(new GlState) {}

absl::StatusOr<std::unique_ptr<OffscreenRenderer>> OffscreenRenderer::Create(const mjModel* model) {
  std::unique_ptr<OffscreenRenderer> renderer(new OffscreenRenderer(model));
  renderer->max_width_ = model->vis.global.offwidth;
  renderer->max_height_ = model->vis.global.offheight;
  if (renderer->max_width_ <= 0 || renderer->max_height_ <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("model offscreen buffer ", renderer->max_width_, "x",
                                                   renderer->max_height_, ": expected a positive size"));
  }
  GlState& gl = *renderer->gl_;
  // Declared after `renderer`: an early return releases the lock before the destructor
  // (which takes it too) runs.
  std::lock_guard<std::mutex> lock(GlMutex());
  gl.context = OSMesaCreateContextExt(OSMESA_RGBA, 24, 8, 0, nullptr);
  if (gl.context == nullptr) return absl::UnavailableError("OSMesa could not create a GL context");
  gl.window.assign(static_cast<size_t>(renderer->max_width_) * renderer->max_height_ * 4, 0);
  if (!gl.MakeCurrent(renderer->max_width_, renderer->max_height_)) {
    return absl::UnavailableError("OSMesa could not make its GL context current");
  }
  bool offscreen_ok = false;
  {
    ReleaseContextOnExit release;
    mjv_defaultOption(&gl.option);
  mjv_defaultCamera(&gl.camera);
  mjv_defaultScene(&gl.scene);
    mjv_makeScene(model, &gl.scene, 1000);
    gl.scene_made = true;
    // Speed: shadows, reflections and the skybox cost most of a software-rendered frame.
    gl.scene.flags[mjRND_SHADOW] = 0;
    gl.scene.flags[mjRND_REFLECTION] = 0;
    gl.scene.flags[mjRND_SKYBOX] = 0;
    mjr_defaultContext(&gl.render_context);
    mjr_makeContext(model, &gl.render_context, mjFONTSCALE_100);
    gl.context_made = true;
    mjr_setBuffer(mjFB_OFFSCREEN, &gl.render_context);
    offscreen_ok = gl.render_context.currentBuffer == mjFB_OFFSCREEN;
  }
  if (!offscreen_ok) return absl::UnavailableError("MuJoCo could not select its offscreen framebuffer");
  renderer->rgb_.resize(static_cast<size_t>(renderer->max_width_) * renderer->max_height_ * 3);
  return renderer;
}

OffscreenRenderer::~OffscreenRenderer() {
  if (gl_ == nullptr || gl_->context == nullptr) return;
  std::lock_guard<std::mutex> lock(GlMutex());
  // GL objects must be freed with their context current.
  if (gl_->MakeCurrent(max_width_, max_height_)) {
    if (gl_->context_made) mjr_freeContext(&gl_->render_context);
    GlState::Release();
  }
  if (gl_->scene_made) mjv_freeScene(&gl_->scene);
  OSMesaDestroyContext(gl_->context);
}

absl::StatusOr<Array> OffscreenRenderer::Render(const mjData* data, int camera_id, int height, int width) {
  if (height < 1 || width < 1 || height > max_height_ || width > max_width_) {
    return absl::InvalidArgumentError(absl::StrCat("render size ", height, "x", width, ": expected 1..",
                                                   max_height_, " rows and 1..", max_width_, " columns"));
  }
  if (camera_id < -1 || camera_id >= model_->ncam) {
    return absl::InvalidArgumentError(
        absl::StrCat("camera id ", camera_id, ": the model has ", model_->ncam, " cameras (or -1 for the free camera)"));
  }
  GlState& gl = *gl_;
  if (camera_id >= 0) {
    gl.camera.type = mjCAMERA_FIXED;
    gl.camera.fixedcamid = camera_id;
  } else {
    mjv_defaultFreeCamera(model_, &gl.camera);
  }
  // The abstract scene is plain CPU work on this renderer's own state: outside the lock.
  // mjv_updateScene only reads `data`; MuJoCo's signature is not const-correct.
  mjv_updateScene(model_, const_cast<mjData*>(data), &gl.option, nullptr, &gl.camera, mjCAT_ALL, &gl.scene);
  const mjrRect viewport = {0, 0, width, height};
  {
    std::lock_guard<std::mutex> lock(GlMutex());
    if (!gl.MakeCurrent(max_width_, max_height_)) {
      return absl::UnavailableError("OSMesa could not make the context current");
    }
    ReleaseContextOnExit release;
    mjr_setBuffer(mjFB_OFFSCREEN, &gl.render_context);
    mjr_render(viewport, &gl.scene, &gl.render_context);
    mjr_readPixels(rgb_.data(), nullptr, viewport, &gl.render_context);
  }

  // GL returns rows bottom-up; images are top row first.
  std::vector<uint8_t> pixels(static_cast<size_t>(height) * width * 3);  // [height, width, 3]
  const size_t row_bytes = static_cast<size_t>(width) * 3;
  for (int row = 0; row < height; ++row) {
    std::memcpy(pixels.data() + row * row_bytes, rgb_.data() + (height - 1 - row) * row_bytes, row_bytes);
  }
  return Array::Uint8({height, width, 3}, std::move(pixels));
}

}  // namespace calico
