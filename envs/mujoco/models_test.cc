#include "envs/mujoco/models.h"

#include "base/status_matchers.h"
#include "envs/mujoco/mujoco_handles.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

TEST(ModelsTest, EveryDomainCompilesWithAFixedCamera) {
  ASSERT_EQ(DomainNames().size(), 6u);
  for (const std::string& domain : DomainNames()) {
    ASSERT_OK_AND_ASSIGN(std::string xml, DomainXml(domain));
    ASSERT_OK_AND_ASSIGN(MjModelPtr model, LoadModelFromXml(xml, domain + ".xml"));
    EXPECT_GE(mj_name2id(model.get(), mjOBJ_CAMERA, "fixed"), 0) << domain;
    EXPECT_GT(model->nu, 0) << domain;
  }
}

TEST(ModelsTest, ControlSuitePhysicalParameters) {
  ASSERT_OK_AND_ASSIGN(std::string xml, DomainXml("cartpole"));
  ASSERT_OK_AND_ASSIGN(MjModelPtr cartpole, LoadModelFromXml(xml, "cartpole.xml"));
  EXPECT_DOUBLE_EQ(cartpole->opt.timestep, 0.01);
  EXPECT_DOUBLE_EQ(cartpole->body_mass[mj_name2id(cartpole.get(), mjOBJ_BODY, "cart")], 1.0);
  EXPECT_DOUBLE_EQ(cartpole->body_mass[mj_name2id(cartpole.get(), mjOBJ_BODY, "pole_1")], 0.1);
  EXPECT_DOUBLE_EQ(cartpole->actuator_gear[0], 10.0);

  ASSERT_OK_AND_ASSIGN(xml, DomainXml("cheetah"));
  ASSERT_OK_AND_ASSIGN(MjModelPtr cheetah, LoadModelFromXml(xml, "cheetah.xml"));
  double total = 0.0;
  for (int b = 0; b < cheetah->nbody; ++b) total += cheetah->body_mass[b];
  EXPECT_NEAR(total, 14.0, 1e-9);
  EXPECT_EQ(cheetah->nu, 6);
  EXPECT_DOUBLE_EQ(cheetah->opt.timestep, 0.01);

  ASSERT_OK_AND_ASSIGN(xml, DomainXml("pendulum"));
  ASSERT_OK_AND_ASSIGN(MjModelPtr pendulum, LoadModelFromXml(xml, "pendulum.xml"));
  EXPECT_DOUBLE_EQ(pendulum->opt.timestep, 0.02);
  EXPECT_DOUBLE_EQ(pendulum->body_mass[mj_name2id(pendulum.get(), mjOBJ_BODY, "pole")], 1.0);
}

TEST(ModelsTest, UnknownDomainIsNotFound) {
  EXPECT_THAT(DomainXml("walker"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("cartpole")));
}

TEST(MujocoHandlesTest, BadXmlIsAnErrorWithMujocosMessage) {
  EXPECT_THAT(LoadModelFromXml("<mujoco><worldbody><body><geom type=\"sphere\"/>", "broken.xml"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("broken.xml")));
  auto bad_attribute = LoadModelFromXml("<mujoco><worldbody><geom type=\"blob\" size=\"1\"/></worldbody></mujoco>",
                                        "bad_attribute.xml");
  EXPECT_THAT(bad_attribute, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("blob")));
  EXPECT_THAT(LoadModelFromXml("", "empty.xml"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty.xml")));
}

}  // namespace
}  // namespace calico
