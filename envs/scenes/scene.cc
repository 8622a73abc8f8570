#include "envs/scenes/scene.h"

#include <algorithm>

#include "base/random.h"

namespace calico {

const std::array<PaletteColour, kNumColours>& Palette() {
  static const std::array<PaletteColour, kNumColours> palette = {{
      {"red", {0.90f, 0.08f, 0.08f}},
      {"green", {0.10f, 0.72f, 0.10f}},
      {"blue", {0.12f, 0.22f, 0.95f}},
      {"yellow", {0.95f, 0.88f, 0.08f}},
      {"cyan", {0.08f, 0.85f, 0.88f}},
      {"magenta", {0.88f, 0.10f, 0.85f}},
      {"orange", {1.00f, 0.48f, 0.00f}},
      {"white", {0.95f, 0.95f, 0.95f}},
  }};
  return palette;
}

absl::string_view ShapeName(Shape shape) {
  switch (shape) {
    case Shape::kBox:
      return "box";
    case Shape::kSphere:
      return "sphere";
    case Shape::kCylinder:
      return "cylinder";
    case Shape::kCapsule:
      return "capsule";
  }
  return "?";
}

absl::string_view ShapePluralName(Shape shape) {
  switch (shape) {
    case Shape::kBox:
      return "boxes";
    case Shape::kSphere:
      return "spheres";
    case Shape::kCylinder:
      return "cylinders";
    case Shape::kCapsule:
      return "capsules";
  }
  return "?";
}

absl::string_view SizeName(ObjectSize size) { return size == ObjectSize::kSmall ? "small" : "large"; }

absl::string_view ColourName(int colour) { return Palette()[colour].name; }

double ObjectScale(ObjectSize size) { return size == ObjectSize::kSmall ? 0.06 : 0.095; }

double ObjectCentreHeight(const SceneObject& object) {
  const double s = ObjectScale(object.size);
  // A capsule lies on its side: its centre is one radius (0.6 s) up.
  return object.shape == Shape::kCapsule ? 0.6 * s : s;
}

Scene SampleScene(uint64_t seed) {
  // Hash the seed first: SplitMix64 streams of seeds s and s + golden-ratio constant are
  // shifts of each other, so the raw seed would make neighbouring scenes share draws.
  Rng rng(Rng(seed ^ 0x5CE4E5B9A3C1D2F7ULL).Next());
  Scene scene;
  scene.seed = seed;
  const int n = static_cast<int>(rng.UniformInt(1, kMaxObjects + 1));
  // n distinct columns: a partial Fisher-Yates shuffle, then sorted left to right.
  std::array<int, kNumColumns> columns = {0, 1, 2, 3};
  for (int i = 0; i < n; ++i) std::swap(columns[i], columns[rng.UniformInt(i, kNumColumns)]);
  std::sort(columns.begin(), columns.begin() + n);
  for (int i = 0; i < n; ++i) {
    SceneObject object;
    object.column = columns[i];
    object.row = static_cast<int>(rng.UniformInt(0, kNumRows));
    object.size = rng.UniformInt(0, kNumSizes) == 0 ? ObjectSize::kSmall : ObjectSize::kLarge;
    // Draw (colour, shape) until the pair is new in this scene (at most 3 of 32 are taken).
    while (true) {
      object.colour = static_cast<int>(rng.UniformInt(0, kNumColours));
      object.shape = static_cast<Shape>(rng.UniformInt(0, kNumShapes));
      const bool taken = std::any_of(scene.objects.begin(), scene.objects.end(), [&](const SceneObject& o) {
        return o.colour == object.colour && o.shape == object.shape;
      });
      if (!taken) break;
    }
    object.x = (object.column - 1.5) * kColumnSpacing + (2.0 * rng.Uniform() - 1.0) * kJitter;
    object.y = (object.row - 1) * kRowSpacing + (2.0 * rng.Uniform() - 1.0) * kJitter;
    scene.objects.push_back(object);
  }
  return scene;
}

}  // namespace calico
