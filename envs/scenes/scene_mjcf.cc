#include "envs/scenes/scene_mjcf.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace calico {
namespace {

// The camera stands 1.9 m in front of the floor's centre and 1.6 m up, looking at the
// centre: its y axis (image up) is perpendicular to that view direction.
constexpr char kHeader[] = R"(<mujoco model="scene">
  <visual>
    <global offwidth="%d" offheight="%d"/>
    <quality shadowsize="0"/>
    <headlight ambient=".45 .45 .45" diffuse=".45 .45 .45" specular="0 0 0"/>
  </visual>
  <asset>
    <material name="floor" rgba=".42 .42 .42 1" specular="0" shininess="0"/>
%s  </asset>
  <worldbody>
    <light name="top" pos="0.3 -0.6 3" dir="-0.1 0.2 -1" diffuse=".35 .35 .35" specular="0 0 0"/>
    <camera name="view" pos="0 -1.9 1.6" xyaxes="1 0 0 0 0.644 0.765" fovy="24"/>
    <geom name="floor" type="plane" size="3 3 .1" material="floor"/>
)";

constexpr char kFooter[] = R"(  </worldbody>
</mujoco>
)";

std::string Header(int max_side) {
  std::string materials;
  for (const PaletteColour& colour : Palette()) {
    absl::StrAppendFormat(&materials, "    <material name=\"%s\" rgba=\"%.3f %.3f %.3f 1\" specular=\"0\" shininess=\"0\"/>\n",
                          colour.name, colour.rgb[0], colour.rgb[1], colour.rgb[2]);
  }
  return absl::StrFormat(kHeader, max_side, max_side, materials);
}

std::string GeomLine(const std::string& name, const ObjectGeom& geom, const char* material, int group) {
  return absl::StrFormat(
      "    <geom name=\"%s\" type=\"%s\" size=\"%.6f %.6f %.6f\" pos=\"%.6f %.6f %.6f\" quat=\"%.9f %.9f %.9f %.9f\" "
      "material=\"%s\" group=\"%d\"/>\n",
      name, geom.type, geom.size[0], geom.size[1], geom.size[2], geom.pos[0], geom.pos[1], geom.pos[2], geom.quat[0],
      geom.quat[1], geom.quat[2], geom.quat[3], material, group);
}

}  // namespace

ObjectGeom GeomFor(const SceneObject& object) {
  const double s = ObjectScale(object.size);
  const double z = ObjectCentreHeight(object);
  ObjectGeom geom{"box", {s, s, s}, {object.x, object.y, z}, {1, 0, 0, 0}};
  switch (object.shape) {
    case Shape::kBox:
      break;
    case Shape::kSphere:
      geom.type = "sphere";
      geom.size = {s, 0, 0};
      break;
    case Shape::kCylinder:
      geom.type = "cylinder";
      geom.size = {0.9 * s, s, 0};
      break;
    case Shape::kCapsule:
      geom.type = "capsule";
      geom.size = {0.6 * s, 0.5 * s, 0};
      // A quarter turn about y: the capsule's axis (local z) along world x.
      geom.quat = {0.70710678118654757, 0, 0.70710678118654757, 0};
      break;
  }
  return geom;
}

std::string SceneMjcf(const Scene& scene, int max_side) {
  std::string xml = Header(max_side);
  for (size_t i = 0; i < scene.objects.size(); ++i) {
    const SceneObject& object = scene.objects[i];
    absl::StrAppend(&xml, GeomLine(absl::StrCat("object", i), GeomFor(object), Palette()[object.colour].name, 0));
  }
  absl::StrAppend(&xml, kFooter);
  return xml;
}

std::string SlotsMjcf(int max_side) {
  std::string xml = Header(max_side);
  SceneObject slot_shape;
  for (int i = 0; i < kMaxObjects; ++i) {
    absl::StrAppend(&xml, GeomLine(absl::StrCat("slot", i), GeomFor(slot_shape), Palette()[0].name, kHiddenGeomGroup));
  }
  absl::StrAppend(&xml, kFooter);
  return xml;
}

}  // namespace calico
