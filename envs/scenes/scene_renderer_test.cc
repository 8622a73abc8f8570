#include "envs/scenes/scene_renderer.h"

#include <cmath>
#include <thread>
#include <vector>

#include "base/status_matchers.h"
#include "envs/scenes/scene_mjcf.h"
#include "envs/mujoco/mujoco_handles.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

// Index of the palette colour nearest to `rgb` after normalising brightness: lighting
// scales a surface's colour, so compare directions in RGB space (white is the direction
// (1, 1, 1)); the floor's gray would also be (1, 1, 1), so callers check brightness too.
int NearestPaletteColour(const uint8_t* rgb) {
  auto unit = [](double r, double g, double b, double out[3]) {
    const double n = std::sqrt(r * r + g * g + b * b) + 1e-9;
    out[0] = r / n, out[1] = g / n, out[2] = b / n;
  };
  double p[3];
  unit(rgb[0], rgb[1], rgb[2], p);
  int best = -1;
  double best_d = 1e9;
  for (int c = 0; c < kNumColours; ++c) {
    double q[3];
    unit(Palette()[c].rgb[0], Palette()[c].rgb[1], Palette()[c].rgb[2], q);
    const double d = (p[0] - q[0]) * (p[0] - q[0]) + (p[1] - q[1]) * (p[1] - q[1]) + (p[2] - q[2]) * (p[2] - q[2]);
    if (d < best_d) best_d = d, best = c;
  }
  return best;
}

const uint8_t* PixelAt(const Array& image, int row, int col) {
  return image.bytes.data() + (static_cast<size_t>(row) * image.shape[1] + col) * 3;
}

TEST(SceneRendererTest, OptionsMustBeMultiplesOf16) {
  EXPECT_OK((SceneRenderOptions{64, 64}.Validate()));
  EXPECT_OK((SceneRenderOptions{32, 128}.Validate()));
  EXPECT_THAT((SceneRenderOptions{60, 64}.Validate()), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("multiple of 16")));
  EXPECT_THAT((SceneRenderOptions{64, 0}.Validate()), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("width")));
  EXPECT_THAT(SceneRenderer::Create({64, 70}).status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(SceneRendererTest, BothModelsCompile) {
  const Scene scene = SampleScene(3);
  ASSERT_OK(LoadModelFromXml(SceneMjcf(scene, 64), "scene.xml").status());
  ASSERT_OK(LoadModelFromXml(SlotsMjcf(64), "slots.xml").status());
}

// The ground truth against the pixels: at each object's projected centre the image
// shows that object's colour (nearest palette colour, and brighter than shadowed floor
// would make a non-white colour look), for hundreds of objects.
TEST(SceneRendererTest, EachObjectsColourIsWhereItsCentreProjects) {
  ASSERT_OK_AND_ASSIGN(auto renderer, SceneRenderer::Create({64, 64}));
  int checked = 0;
  for (uint64_t seed = 0; seed < 150; ++seed) {
    const Scene scene = SampleScene(seed);
    ASSERT_OK_AND_ASSIGN(Array image, renderer->Render(scene));
    ASSERT_EQ(image.shape, (std::vector<int64_t>{64, 64, 3}));
    double previous_u = -1.0;
    for (const SceneObject& o : scene.objects) {
      const PixelPoint p = renderer->Project(o.x, o.y, ObjectCentreHeight(o));
      ASSERT_GE(p.u, 2.0) << seed;
      ASSERT_LT(p.u, 62.0) << seed;
      ASSERT_GE(p.v, 2.0) << seed;
      ASSERT_LT(p.v, 62.0) << seed;
      EXPECT_GT(p.u, previous_u) << "objects must project left to right, seed " << seed;
      previous_u = p.u;
      const uint8_t* px = PixelAt(image, static_cast<int>(p.v), static_cast<int>(p.u));
      EXPECT_EQ(NearestPaletteColour(px), o.colour)
          << "seed " << seed << " " << Palette()[o.colour].name << " " << ShapeName(o.shape) << " at (" << p.u << ", "
          << p.v << ") shows " << int(px[0]) << " " << int(px[1]) << " " << int(px[2]);
      if (o.colour == 7) {  // white must stand out from the gray floor by brightness
        EXPECT_GT(px[0] + px[1] + px[2], 3 * 170) << seed;
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 300);
}

TEST(SceneRendererTest, FloorIsGrayWhereThereIsNoObject) {
  ASSERT_OK_AND_ASSIGN(auto renderer, SceneRenderer::Create({64, 64}));
  Scene empty;
  ASSERT_OK_AND_ASSIGN(Array image, renderer->Render(empty));
  for (int row : {20, 32, 44}) {
    for (int col : {8, 32, 56}) {
      const uint8_t* px = PixelAt(image, row, col);
      EXPECT_LE(std::abs(px[0] - px[1]) + std::abs(px[1] - px[2]), 6) << row << "," << col;
      EXPECT_LT(px[0], 150);
    }
  }
}

TEST(SceneRendererTest, SlotRenderingEqualsTheScenesOwnModel) {
  ASSERT_OK_AND_ASSIGN(auto renderer, SceneRenderer::Create({64, 64}));
  for (uint64_t seed : {0ull, 5ull, 17ull, 1000003ull}) {
    const Scene scene = SampleScene(seed);
    ASSERT_OK_AND_ASSIGN(Array slots, renderer->Render(scene));
    ASSERT_OK_AND_ASSIGN(Array standalone, RenderSceneStandalone(scene, {64, 64}));
    EXPECT_EQ(slots.bytes, standalone.bytes) << seed;
  }
}

TEST(SceneRendererTest, SameSceneSameBytesAndOtherSizes) {
  ASSERT_OK_AND_ASSIGN(auto renderer, SceneRenderer::Create({64, 64}));
  ASSERT_OK_AND_ASSIGN(Array a, renderer->Render(SampleScene(11)));
  ASSERT_OK(renderer->Render(SampleScene(12)).status());
  ASSERT_OK_AND_ASSIGN(Array b, renderer->Render(SampleScene(11)));
  EXPECT_EQ(a.bytes, b.bytes);
  ASSERT_OK_AND_ASSIGN(auto wide, SceneRenderer::Create({32, 96}));
  ASSERT_OK_AND_ASSIGN(Array c, wide->Render(SampleScene(11)));
  EXPECT_EQ(c.shape, (std::vector<int64_t>{32, 96, 3}));
}

// The scenes writer's pattern: renderers created, used and destroyed on several threads
// while others render. Debian's OSMesa is not safe for concurrent contexts, so the
// renderer serialises GL; this checks that nothing crashes and every frame is the same.
TEST(SceneRendererTest, RenderersOnFourThreadsDrawTheSameFramesAsOneThread) {
  constexpr int kThreads = 4;
  constexpr int kScenes = 12;
  std::vector<std::vector<uint8_t>> serial;
  {
    ASSERT_OK_AND_ASSIGN(auto renderer, SceneRenderer::Create({32, 32}));
    for (int s = 0; s < kScenes; ++s) {
      ASSERT_OK_AND_ASSIGN(Array frame, renderer->Render(SampleScene(s)));
      serial.push_back(frame.bytes);
    }
  }
  std::vector<std::vector<std::vector<uint8_t>>> threaded(kThreads);
  std::vector<absl::Status> statuses(kThreads);
  std::vector<std::thread> pool;
  for (int t = 0; t < kThreads; ++t) {
    pool.emplace_back([&, t] {
      // Two renderer lifetimes per thread, so creation and destruction overlap rendering.
      for (int half = 0; half < 2; ++half) {
        absl::StatusOr<std::unique_ptr<SceneRenderer>> renderer = SceneRenderer::Create({32, 32});
        if (!renderer.ok()) { statuses[t] = renderer.status(); return; }
        for (int s = half * kScenes / 2; s < (half + 1) * kScenes / 2; ++s) {
          absl::StatusOr<Array> frame = (*renderer)->Render(SampleScene(s));
          if (!frame.ok()) { statuses[t] = frame.status(); return; }
          threaded[t].push_back(frame->bytes);
        }
      }
    });
  }
  for (std::thread& thread : pool) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_OK(statuses[t]);
    EXPECT_TRUE(threaded[t] == serial) << "thread " << t << " drew different frames";
  }
}

TEST(SceneRendererTest, RejectsTooManyObjects) {
  ASSERT_OK_AND_ASSIGN(auto renderer, SceneRenderer::Create({64, 64}));
  Scene scene = SampleScene(1);
  scene.objects.resize(5);
  EXPECT_THAT(renderer->Render(scene).status(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at most 4")));
}

}  // namespace
}  // namespace calico
