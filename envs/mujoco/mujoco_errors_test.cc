#include "envs/mujoco/mujoco_errors.h"

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "base/status_matchers.h"
#include "envs/mujoco/mujoco_handles.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

constexpr char kPendulum[] = R"(
<mujoco model="pendulum">
  <option timestep="0.01"/>
  <worldbody>
    <body name="pole" pos="0 0 1">
      <joint name="hinge" type="hinge" axis="0 1 0" damping="0.1"/>
      <geom type="capsule" fromto="0 0 0 0 0 -0.5" size="0.05" mass="1"/>
    </body>
  </worldbody>
  <actuator><motor joint="hinge" ctrlrange="-1 1" ctrllimited="true"/></actuator>
</mujoco>)";

struct Physics {
  MjModelPtr model;
  MjDataPtr data;
};

Physics MakePhysics() {
  Physics p;
  p.model = LoadModelFromXml(kPendulum, "pendulum.xml").value();
  p.data = MakeData(p.model.get()).value();
  p.data->qpos[0] = 0.3;
  return p;
}

TEST(RunMujocoTest, NoErrorIsOk) {
  Physics p = MakePhysics();
  EXPECT_OK(RunMujoco("step", [&] { mj_step(p.model.get(), p.data.get()); }));
  EXPECT_GT(p.data->time, 0.0);
}

TEST(RunMujocoTest, ErrorInsideMujocoBecomesStatus) {
  Physics p = MakePhysics();
  // A request larger than the mjData's stack arena: MuJoCo calls mju_error.
  mjtNum* block = nullptr;
  const absl::Status status =
      RunMujoco("a test", [&] { block = mj_stackAlloc(p.data.get(), p.data->nstack + 1); });
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInternal,
                               HasSubstr("MuJoCo error during a test: Stack overflow")));
  EXPECT_EQ(block, nullptr);  // the call was cut short
}

TEST(RunMujocoTest, ErrorUnwindsThroughMjStepAndDataRecoversAfterReset) {
  Physics p = MakePhysics();
  Physics fresh = MakePhysics();
  // The stack arena is full, as after a runaway allocation: mj_step's first scratch
  // allocation fails deep inside the engine.
  p.data->pstack = p.data->nstack;
  EXPECT_THAT(RunMujoco("step", [&] { mj_step(p.model.get(), p.data.get()); }),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("MuJoCo error during step: Stack overflow")));
  // Reset, then the same trajectory as an untouched mjData.
  mj_resetData(p.model.get(), p.data.get());
  mj_resetData(fresh.model.get(), fresh.data.get());
  p.data->qpos[0] = fresh.data->qpos[0] = 0.3;
  for (int i = 0; i < 50; ++i) {
    p.data->ctrl[0] = fresh.data->ctrl[0] = 0.5;
    ASSERT_OK(RunMujoco("step", [&] { mj_step(p.model.get(), p.data.get()); }));
    mj_step(fresh.model.get(), fresh.data.get());
  }
  EXPECT_EQ(std::memcmp(p.data->qpos, fresh.data->qpos, sizeof(mjtNum) * p.model->nq), 0);
  EXPECT_EQ(std::memcmp(p.data->qvel, fresh.data->qvel, sizeof(mjtNum) * p.model->nv), 0);
}

TEST(RunMujocoTest, NestedCallsReportTheInnermostFailure) {
  Physics p = MakePhysics();
  absl::Status inner;
  const absl::Status outer = RunMujoco("outer", [&] {
    inner = RunMujoco("inner", [&] { mj_stackAlloc(p.data.get(), p.data->nstack + 1); });
    mj_step(p.model.get(), p.data.get());  // still guarded after the inner failure
  });
  EXPECT_THAT(inner, StatusIs(absl::StatusCode::kInternal, HasSubstr("during inner")));
  EXPECT_OK(outer);
}

TEST(RunMujocoTest, ThreadsFailIndependently) {
  constexpr int kThreads = 4;
  std::vector<absl::Status> statuses(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &statuses] {
      Physics p = MakePhysics();
      for (int i = 0; i < 200; ++i) {
        const bool fail = t % 2 == 1 && i == 100;
        if (fail) p.data->pstack = p.data->nstack;
        absl::Status status = RunMujoco("step", [&] { mj_step(p.model.get(), p.data.get()); });
        if (fail != !status.ok()) {
          statuses[t] = absl::InternalError("unexpected verdict");
          return;
        }
        if (!status.ok()) mj_resetData(p.model.get(), p.data.get());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const absl::Status& status : statuses) EXPECT_OK(status);
}

TEST(RunMujocoDeathTest, ErrorOutsideRunMujocoAbortsWithTheMessage) {
  InstallMujocoErrorHandler();
  EXPECT_DEATH(mju_error("calico test error"), "MuJoCo error outside an environment call: calico test error");
}

}  // namespace
}  // namespace calico
