#include "envs/scenes/scene_renderer.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "envs/scenes/scene_mjcf.h"

namespace calico {
namespace {

constexpr int kMaxSide = 1024;

int MaxSide(const SceneRenderOptions& options) { return std::max(options.height, options.width); }

}  // namespace

absl::Status SceneRenderOptions::Validate() const {
  for (const auto& [name, side] : {std::pair<const char*, int>{"height", height}, {"width", width}}) {
    if (side < 16 || side > kMaxSide || side % 16 != 0) {
      return absl::InvalidArgumentError(absl::StrCat("scene image ", name, " is ", side,
                                                     "; expected a multiple of 16 (image patches are 16x16) in [16, ",
                                                     kMaxSide, "]"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<SceneRenderer>> SceneRenderer::Create(const SceneRenderOptions& options) {
  RETURN_IF_ERROR(options.Validate());
  std::unique_ptr<SceneRenderer> renderer(new SceneRenderer());
  renderer->options_ = options;
  ASSIGN_OR_RETURN(renderer->model_, LoadModelFromXml(SlotsMjcf(MaxSide(options)), "scene_slots.xml"));
  ASSIGN_OR_RETURN(renderer->data_, MakeData(renderer->model_.get()));
  const mjModel* m = renderer->model_.get();
  renderer->camera_ = mj_name2id(m, mjOBJ_CAMERA, kSceneCameraName);
  if (renderer->camera_ < 0) return absl::InternalError("the scene model has no camera 'view'");
  for (int i = 0; i < kMaxObjects; ++i) {
    renderer->slots_[i] = mj_name2id(m, mjOBJ_GEOM, absl::StrCat("slot", i).c_str());
    if (renderer->slots_[i] < 0) return absl::InternalError(absl::StrCat("the scene model has no geom 'slot", i, "'"));
  }
  for (int c = 0; c < kNumColours; ++c) {
    renderer->materials_[c] = mj_name2id(m, mjOBJ_MATERIAL, Palette()[c].name);
    if (renderer->materials_[c] < 0) {
      return absl::InternalError(absl::StrCat("the scene model has no material '", Palette()[c].name, "'"));
    }
  }
  mj_kinematics(renderer->model_.get(), renderer->data_.get());
  mj_camlight(renderer->model_.get(), renderer->data_.get());
  ASSIGN_OR_RETURN(renderer->renderer_, OffscreenRenderer::Create(renderer->model_.get()));
  return renderer;
}

absl::StatusOr<Array> SceneRenderer::Render(const Scene& scene) {
  if (scene.objects.size() > static_cast<size_t>(kMaxObjects)) {
    return absl::InvalidArgumentError(
        absl::StrCat("scene ", scene.seed, " has ", scene.objects.size(), " objects; at most ", kMaxObjects, " render"));
  }
  mjModel* m = model_.get();
  for (int i = 0; i < kMaxObjects; ++i) {
    const int g = slots_[i];
    if (i >= static_cast<int>(scene.objects.size())) {
      m->geom_group[g] = kHiddenGeomGroup;
      continue;
    }
    const SceneObject& object = scene.objects[i];
    if (object.colour < 0 || object.colour >= kNumColours) {
      return absl::InvalidArgumentError(
          absl::StrCat("scene ", scene.seed, " object ", i, " has colour ", object.colour, "; expected 0..", kNumColours - 1));
    }
    const ObjectGeom geom = GeomFor(object);
    const std::string type = geom.type;
    m->geom_type[g] = type == "box" ? mjGEOM_BOX : type == "sphere" ? mjGEOM_SPHERE
                                                : type == "cylinder" ? mjGEOM_CYLINDER
                                                                     : mjGEOM_CAPSULE;
    for (int k = 0; k < 3; ++k) m->geom_size[3 * g + k] = geom.size[k];
    for (int k = 0; k < 3; ++k) m->geom_pos[3 * g + k] = geom.pos[k];
    for (int k = 0; k < 4; ++k) m->geom_quat[4 * g + k] = geom.quat[k];
    m->geom_matid[g] = materials_[object.colour];
    m->geom_group[g] = 0;
  }
  // World geoms' global poses come from geom_pos/geom_quat.
  mj_kinematics(m, data_.get());
  return renderer_->Render(data_.get(), camera_, options_.height, options_.width);
}

PixelPoint SceneRenderer::Project(double x, double y, double z) const {
  const mjData* d = data_.get();
  const double* pos = d->cam_xpos + 3 * camera_;
  const double* mat = d->cam_xmat + 9 * camera_;  // row-major; columns are the camera's x, y, z axes
  const double rel[3] = {x - pos[0], y - pos[1], z - pos[2]};
  double cam[3];
  for (int k = 0; k < 3; ++k) cam[k] = mat[0 + k] * rel[0] + mat[3 + k] * rel[1] + mat[6 + k] * rel[2];
  // The camera looks along its -z axis; MuJoCo's fovy is the vertical field of view.
  const double fovy = model_->cam_fovy[camera_] * M_PI / 180.0;
  const double focal = 0.5 * options_.height / std::tan(0.5 * fovy);
  const double depth = -cam[2];
  return {0.5 * options_.width + focal * cam[0] / depth, 0.5 * options_.height - focal * cam[1] / depth};
}

absl::StatusOr<Array> RenderSceneStandalone(const Scene& scene, const SceneRenderOptions& options) {
  RETURN_IF_ERROR(options.Validate());
  ASSIGN_OR_RETURN(MjModelPtr model, LoadModelFromXml(SceneMjcf(scene, MaxSide(options)), "scene.xml"));
  ASSIGN_OR_RETURN(MjDataPtr data, MakeData(model.get()));
  mj_kinematics(model.get(), data.get());
  mj_camlight(model.get(), data.get());
  const int camera = mj_name2id(model.get(), mjOBJ_CAMERA, kSceneCameraName);
  ASSIGN_OR_RETURN(std::unique_ptr<OffscreenRenderer> renderer, OffscreenRenderer::Create(model.get()));
  return renderer->Render(data.get(), camera, options.height, options.width);
}

}  // namespace calico
