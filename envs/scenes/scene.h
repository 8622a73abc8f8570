// Image scenes for calico's vision-language tasks: one to four objects on a floor, each
// with a shape, a colour, a size and a place. A Scene is pure ground truth (no MuJoCo
// here): scene_mjcf.h turns it into a model, scene_renderer.h into pixels and
// scene_language.h into captions and question/answer pairs.
//
// Layout rules (they keep every object visible and every "left of" unambiguous):
//   - the floor is divided into kNumColumns columns (world x, left to right as the camera
//     sees them) and kNumRows rows (world y, front to back); each object takes its own
//     column, so no two objects overlap and any two have a strict left/right order;
//   - an object sits at its cell's centre plus a small jitter (at most kJitter);
//   - no two objects share both colour and shape, so "the red sphere" names exactly one.
//
// Seeds: SampleScene is a pure function of the seed. Seeds below kFirstEvalSeed are for
// training data; seeds from kFirstEvalSeed up are held out for evaluation.
#ifndef CALICO_ENVS_SCENES_SCENE_H_
#define CALICO_ENVS_SCENES_SCENE_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace calico {

// Object shapes (MuJoCo primitives). Boxes are cubes, cylinders stand upright, capsules
// lie along the camera's left-right axis.
enum class Shape { kBox, kSphere, kCylinder, kCapsule };
inline constexpr int kNumShapes = 4;

enum class ObjectSize { kSmall, kLarge };
inline constexpr int kNumSizes = 2;

// A palette colour: its word and its material RGB in [0, 1].
struct PaletteColour {
  const char* name;
  float rgb[3];
};
inline constexpr int kNumColours = 8;

// The palette, in a fixed order (index = SceneObject::colour): red, green, blue, yellow,
// cyan, magenta, orange, white. Picked to stay apart after lighting on the gray floor.
const std::array<PaletteColour, kNumColours>& Palette();

// Floor layout (metres). Columns are centred at x = (c - 1.5) * kColumnSpacing, rows at
// y = (r - 1) * kRowSpacing.
inline constexpr int kNumColumns = 4;
inline constexpr int kNumRows = 3;
inline constexpr double kColumnSpacing = 0.25;
inline constexpr double kRowSpacing = 0.16;
inline constexpr double kJitter = 0.015;
inline constexpr int kMaxObjects = 4;

// Scene seeds from here up are evaluation seeds; training data uses [0, kFirstEvalSeed).
inline constexpr uint64_t kFirstEvalSeed = 1000000;

// True for a held-out (evaluation) seed.
inline bool IsEvalSeed(uint64_t seed) { return seed >= kFirstEvalSeed; }

// One object. Plain value type.
struct SceneObject {
  Shape shape = Shape::kBox;
  int colour = 0;  // index into Palette()
  ObjectSize size = ObjectSize::kSmall;
  int column = 0;  // 0 = leftmost
  int row = 0;     // 0 = front (nearest the camera)
  double x = 0.0;  // centre on the floor, metres
  double y = 0.0;
};

// A scene: objects sorted left to right (strictly increasing column). Plain value type.
struct Scene {
  uint64_t seed = 0;
  std::vector<SceneObject> objects;
};

// The scene for `seed`: 1 to 4 objects (uniform), distinct columns, uniform rows,
// shapes, colours and sizes with distinct (colour, shape) pairs, jittered positions.
// Deterministic: the same seed gives the same scene on every machine. Thread-safe.
Scene SampleScene(uint64_t seed);

// Words of the scene language: "box", "spheres", "small", "red".
absl::string_view ShapeName(Shape shape);
absl::string_view ShapePluralName(Shape shape);
absl::string_view SizeName(ObjectSize size);
absl::string_view ColourName(int colour);

// Characteristic extent of an object (metres): the cube's half side, the sphere's
// radius; the other shapes derive their dimensions from it (scene_mjcf.h).
double ObjectScale(ObjectSize size);

// Height of the object's centre above the floor (it rests on the floor).
double ObjectCentreHeight(const SceneObject& object);

}  // namespace calico

#endif  // CALICO_ENVS_SCENES_SCENE_H_
