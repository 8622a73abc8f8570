#include "envs/scenes/scene.h"

#include <cmath>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

bool SameScene(const Scene& a, const Scene& b) {
  if (a.seed != b.seed || a.objects.size() != b.objects.size()) return false;
  for (size_t i = 0; i < a.objects.size(); ++i) {
    const SceneObject &x = a.objects[i], &y = b.objects[i];
    if (x.shape != y.shape || x.colour != y.colour || x.size != y.size || x.column != y.column || x.row != y.row ||
        x.x != y.x || x.y != y.y) {
      return false;
    }
  }
  return true;
}

TEST(SceneTest, SameSeedSameScene) {
  for (uint64_t seed : {0ull, 1ull, 999999ull, 1000000ull, 123456789ull}) {
    EXPECT_TRUE(SameScene(SampleScene(seed), SampleScene(seed))) << seed;
  }
}

TEST(SceneTest, NeighbouringSeedsDiffer) {
  int same = 0;
  for (uint64_t seed = 0; seed < 500; ++seed) {
    Scene a = SampleScene(seed), b = SampleScene(seed + 1);
    b.seed = a.seed;
    same += SameScene(a, b);
  }
  EXPECT_EQ(same, 0);
}

TEST(SceneTest, LayoutRulesHoldOverManySeeds) {
  std::set<size_t> counts;
  std::set<int> colours, shapes, rows;
  for (uint64_t seed = 0; seed < 3000; ++seed) {
    const Scene scene = SampleScene(seed);
    ASSERT_GE(scene.objects.size(), 1u);
    ASSERT_LE(scene.objects.size(), static_cast<size_t>(kMaxObjects));
    counts.insert(scene.objects.size());
    for (size_t i = 0; i < scene.objects.size(); ++i) {
      const SceneObject& o = scene.objects[i];
      colours.insert(o.colour);
      shapes.insert(static_cast<int>(o.shape));
      rows.insert(o.row);
      EXPECT_GE(o.colour, 0);
      EXPECT_LT(o.colour, kNumColours);
      EXPECT_LE(std::fabs(o.x - (o.column - 1.5) * kColumnSpacing), kJitter + 1e-12);
      EXPECT_LE(std::fabs(o.y - (o.row - 1) * kRowSpacing), kJitter + 1e-12);
      if (i > 0) {
        // Left to right, distinct columns; footprints (at most 1.1 * large scale from the
        // centre, the capsule) never touch.
        EXPECT_LT(scene.objects[i - 1].column, o.column) << seed;
        EXPECT_GT(o.x - scene.objects[i - 1].x, 2.2 * ObjectScale(ObjectSize::kLarge)) << seed;
      }
      for (size_t j = 0; j < i; ++j) {
        EXPECT_FALSE(scene.objects[j].colour == o.colour && scene.objects[j].shape == o.shape) << seed;
      }
    }
  }
  EXPECT_EQ(counts, (std::set<size_t>{1, 2, 3, 4}));
  EXPECT_EQ(colours.size(), static_cast<size_t>(kNumColours));
  EXPECT_EQ(shapes.size(), static_cast<size_t>(kNumShapes));
  EXPECT_EQ(rows.size(), static_cast<size_t>(kNumRows));
}

TEST(SceneTest, EvalSeedsStartAtOneMillion) {
  EXPECT_FALSE(IsEvalSeed(0));
  EXPECT_FALSE(IsEvalSeed(999999));
  EXPECT_TRUE(IsEvalSeed(1000000));
}

TEST(SceneTest, WordsAndPalette) {
  std::set<std::string> names;
  for (const PaletteColour& c : Palette()) names.insert(c.name);
  EXPECT_EQ(names.size(), static_cast<size_t>(kNumColours));
  EXPECT_GE(kNumColours, 8);
  EXPECT_EQ(ShapeName(Shape::kCapsule), "capsule");
  EXPECT_EQ(ShapePluralName(Shape::kBox), "boxes");
  EXPECT_EQ(SizeName(ObjectSize::kLarge), "large");
  EXPECT_EQ(ColourName(0), "red");
}

}  // namespace
}  // namespace calico
