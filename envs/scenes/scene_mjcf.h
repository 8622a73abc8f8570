// MJCF (MuJoCo XML) for scenes: calico's own model of a gray floor, two lights and a
// fixed camera that looks down at the floor from the front at about 40 degrees.
//
// Two documents share every element but the objects:
//   - SceneMjcf(scene): the scene itself, one geom per object (to look at, or to load
//     and render one scene on its own);
//   - SlotsMjcf(): kMaxObjects hidden slot geoms ("slot0".."slot3") that the renderer
//     rewrites per scene (type, size, place, material, visibility), so one model and one
//     GL context serve every scene. Rendering a scene either way gives the same pixels
//     (tested).
// Object geometry from ObjectScale(size) = s: box half side s; sphere radius s; cylinder
// radius 0.9 s, half height s; capsule radius 0.6 s, half length 0.5 s, lying along x.
#ifndef CALICO_ENVS_SCENES_SCENE_MJCF_H_
#define CALICO_ENVS_SCENES_SCENE_MJCF_H_

#include <array>
#include <string>

#include "envs/scenes/scene.h"

namespace calico {

// Name of the fixed camera in both documents.
inline constexpr char kSceneCameraName[] = "view";
// Geom group of hidden slots: MuJoCo's default visual options draw groups 0 to 2 only.
inline constexpr int kHiddenGeomGroup = 3;

// MuJoCo's description of one object's geom: type name ("box"), size (3 numbers, unused
// ones 0), centre and orientation quaternion (w, x, y, z).
struct ObjectGeom {
  const char* type;
  std::array<double, 3> size;
  std::array<double, 3> pos;
  std::array<double, 4> quat;
};

// The geom for `object` (see the header comment for the dimensions).
ObjectGeom GeomFor(const SceneObject& object);

// The scene as a standalone model; `max_side` sets the offscreen buffer (the largest
// image side it can render).
std::string SceneMjcf(const Scene& scene, int max_side);

// The model with kMaxObjects hidden slot geoms named "slot0".."slot3" and one
// material per palette colour named after it.
std::string SlotsMjcf(int max_side);

}  // namespace calico

#endif  // CALICO_ENVS_SCENES_SCENE_MJCF_H_
