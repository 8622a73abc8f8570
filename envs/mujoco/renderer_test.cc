#include "envs/mujoco/renderer.h"

#include <thread>
#include <vector>

#include "base/status_matchers.h"
#include "envs/mujoco/mujoco_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

// The cartpole's pole material is orange (.9 .55 .15): red well above green, green well
// above blue. Lighting scales the channels, the ordering survives.
bool IsPoleColour(const Array& image, int row, int col) {
  const int width = image.shape[1];
  const uint8_t* p = image.bytes.data() + (static_cast<size_t>(row) * width + col) * 3;
  return p[0] > 120 && p[0] > p[1] + 40 && p[1] > p[2] + 30;
}

int CountPole(const Array& image, int row_begin, int row_end, int col_begin, int col_end) {
  int count = 0;
  for (int r = row_begin; r < row_end; ++r) {
    for (int c = col_begin; c < col_end; ++c) count += IsPoleColour(image, r, c);
  }
  return count;
}

TEST(RendererTest, CartpoleFrameShowsThePoleWhereItIs) {
  ASSERT_OK_AND_ASSIGN(auto env, MakeMujocoEnvironment("mujoco/cartpole_balance"));
  ASSERT_OK(env->Reset(0).status());
  ASSERT_OK_AND_ASSIGN(Array image, env->Render(64, 64));
  ASSERT_EQ(image.shape, std::vector<int64_t>({64, 64, 3}));
  ASSERT_EQ(image.bytes.size(), 64u * 64u * 3u);
  // Not blank: many distinct values.
  std::vector<bool> seen(256, false);
  for (uint8_t v : image.bytes) seen[v] = true;
  EXPECT_GT(std::count(seen.begin(), seen.end(), true), 20);
  // The nearly upright pole stands on the cart at the centre: orange pixels in the
  // central columns of the upper half, none near the left and right borders.
  EXPECT_GT(CountPole(image, 0, 32, 24, 40), 8);
  EXPECT_EQ(CountPole(image, 0, 64, 0, 8), 0);
  EXPECT_EQ(CountPole(image, 0, 64, 56, 64), 0);
  // Rows are top first: the pole is above the image centre, not below it.
  EXPECT_GT(CountPole(image, 0, 32, 0, 64), CountPole(image, 32, 64, 0, 64));
}

TEST(RendererTest, PixelsObservationIsTheFixedCameraFrame) {
  ASSERT_OK_AND_ASSIGN(auto env, MakeMujocoEnvironment("mujoco/cartpole_swingup_pixels"));
  ASSERT_OK_AND_ASSIGN(TimeStep step, env->Reset(1));
  ASSERT_EQ(step.observation.count("pixels"), 1u);
  ASSERT_OK(CheckArrays(env->observation_spec(), step.observation, "observation"));
  ASSERT_OK_AND_ASSIGN(Array frame, env->Render(64, 64));
  EXPECT_EQ(step.observation.at("pixels").bytes, frame.bytes);
  // The swing-up pole hangs down: orange below the cart, in the lower half.
  EXPECT_GT(CountPole(frame, 32, 64, 24, 40), 10);
}

TEST(RendererTest, VideoSizedFramesAndSizeErrors) {
  ASSERT_OK_AND_ASSIGN(auto env, MakeMujocoEnvironment("mujoco/cheetah_run"));
  ASSERT_OK(env->Reset(0).status());
  ASSERT_OK_AND_ASSIGN(Array big, env->Render(240, 320));
  EXPECT_EQ(big.shape, std::vector<int64_t>({240, 320, 3}));
  EXPECT_THAT(env->Render(481, 64), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("481x64")));
  EXPECT_THAT(env->Render(0, 64), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("render size")));
}

TEST(RendererTest, TwoThreadsRenderTheSameFramesAsOneThread) {
  const std::vector<std::string> tasks = {"mujoco/cartpole_balance_pixels", "mujoco/reacher_easy_pixels"};
  auto run = [](const std::string& task, std::vector<uint8_t>* out) {
    auto env = MakeMujocoEnvironment(task);
    if (!env.ok()) return;
    auto step = (*env)->Reset(2);
    for (int i = 0; step.ok() && i < 20; ++i) {
      out->insert(out->end(), step->observation.at("pixels").bytes.begin(), step->observation.at("pixels").bytes.end());
      const int64_t n = (*env)->action_spec().at("action").num_elements();
      step = (*env)->Step({{"action", Array::Float({n}, std::vector<float>(n, 0.3f))}});
    }
  };
  std::vector<std::vector<uint8_t>> sequential(2), threaded(2);
  for (int i = 0; i < 2; ++i) run(tasks[i], &sequential[i]);
  std::thread a(run, tasks[0], &threaded[0]);
  std::thread b(run, tasks[1], &threaded[1]);
  a.join();
  b.join();
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(sequential[i].size(), 20u * 64 * 64 * 3) << tasks[i];
    EXPECT_EQ(sequential[i], threaded[i]) << tasks[i];
  }
}

TEST(RendererTest, OneEnvironmentRendersFromDifferentThreadsInTurn) {
  ASSERT_OK_AND_ASSIGN(auto env, MakeMujocoEnvironment("mujoco/point_mass_easy"));
  ASSERT_OK(env->Reset(3).status());
  ASSERT_OK_AND_ASSIGN(Array here, env->Render(64, 64));
  absl::StatusOr<Array> there = absl::UnknownError("not run");
  std::thread thread([&] { there = env->Render(64, 64); });
  thread.join();
  ASSERT_OK(there.status());
  EXPECT_EQ(here.bytes, there->bytes);
}

}  // namespace
}  // namespace calico
