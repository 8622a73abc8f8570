#include "envs/mujoco/models.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace calico {
namespace {

// Shared by every model: the offscreen buffer size (largest Render), a plain floor colour
// (no textures: cheaper to draw in software) and the colours of the parts. "$VISUAL" in a
// model is replaced by this block.
constexpr char kVisual[] = R"(
  <visual>
    <global offwidth="640" offheight="480"/>
    <quality shadowsize="0"/>
    <headlight ambient=".3 .3 .3" diffuse=".5 .5 .5" specular="0 0 0"/>
  </visual>
  <asset>
    <material name="floor" rgba=".25 .3 .4 1"/>
    <material name="self" rgba=".9 .55 .15 1"/>
    <material name="decoration" rgba=".55 .6 .65 1"/>
    <material name="effector" rgba=".85 .2 .2 1"/>
    <material name="target" rgba=".2 .8 .3 1"/>
  </asset>
)";

// Cart (1 kg) on a rail with a 1 m, 0.1 kg pole; 10 N motor; 10 ms RK4 steps.
constexpr char kCartpole[] = R"(<mujoco model="cartpole">
  $VISUAL
  <option timestep="0.01" integrator="RK4">
    <flag contact="disable" energy="enable"/>
  </option>
  <default>
    <default class="pole">
      <joint type="hinge" axis="0 1 0" damping="2e-6"/>
      <geom type="capsule" fromto="0 0 0 0 0 1" size="0.045" material="self" mass=".1"/>
    </default>
  </default>
  <worldbody>
    <light name="light" pos="0 0 6" dir="0 0 -1"/>
    <camera name="fixed" pos="0 -5 1.2" xyaxes="1 0 0 0 0 1"/>
    <geom name="floor" pos="0 0 -.05" size="4 4 .2" type="plane" material="floor"/>
    <geom name="rail1" type="capsule" pos="0 .07 1" zaxis="1 0 0" size="0.02 2" material="decoration"/>
    <geom name="rail2" type="capsule" pos="0 -.07 1" zaxis="1 0 0" size="0.02 2" material="decoration"/>
    <body name="cart" pos="0 0 1">
      <joint name="slider" type="slide" limited="true" axis="1 0 0" range="-1.8 1.8" solreflimit=".08 1" damping="5e-4"/>
      <geom name="cart" type="box" size="0.2 0.15 0.1" material="decoration" mass="1"/>
      <body name="pole_1" childclass="pole">
        <joint name="hinge_1"/>
        <geom name="pole_1"/>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="slide" joint="slider" gear="10" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
)";

// A 1 kg point mass on a massless 0.5 m pole; 1 Nm torque; 20 ms steps.
constexpr char kPendulum[] = R"(<mujoco model="pendulum">
  $VISUAL
  <option timestep="0.02">
    <flag contact="disable" energy="enable"/>
  </option>
  <worldbody>
    <light name="light" pos="0 0 2" dir="0 0 -1"/>
    <geom name="floor" size="2 2 .2" type="plane" material="floor"/>
    <camera name="fixed" pos="0 -2.2 .6" xyaxes="1 0 0 0 0 1"/>
    <body name="pole" pos="0 0 .6">
      <joint name="hinge" type="hinge" axis="0 1 0" damping="0.1"/>
      <geom name="base" material="decoration" type="cylinder" fromto="0 -.03 0 0 .03 0" size="0.021" mass="0"/>
      <geom name="pole" material="self" type="capsule" fromto="0 0 0 0 0 0.5" size="0.02" mass="0"/>
      <geom name="mass" material="effector" type="sphere" pos="0 0 0.5" size="0.05" mass="1"/>
    </body>
  </worldbody>
  <actuator>
    <general name="torque" joint="hinge" gear="1" ctrlrange="-1 1" ctrllimited="true"/>
  </actuator>
</mujoco>
)";

// A planar two-link arm (0.12 m + 0.12 m to the finger) in a 0.6 m arena; 0.05 Nm motors;
// 20 ms steps. The target is a geom that each episode moves (and the task sizes).
constexpr char kReacher[] = R"(<mujoco model="reacher">
  $VISUAL
  <option timestep="0.02">
    <flag contact="disable"/>
  </option>
  <default>
    <joint type="hinge" axis="0 0 1" damping="0.01"/>
    <motor gear=".05" ctrlrange="-1 1" ctrllimited="true"/>
  </default>
  <worldbody>
    <light name="light" pos="0 0 1" dir="0 0 -1"/>
    <camera name="fixed" pos="0 0 .75" quat="1 0 0 0"/>
    <geom name="ground" type="plane" pos="0 0 0" size=".3 .3 10" material="floor"/>
    <geom name="wall_x" type="plane" pos="-.3 0 .02" zaxis="1 0 0" size=".02 .3 .02" material="decoration"/>
    <geom name="wall_y" type="plane" pos="0 -.3 .02" zaxis="0 1 0" size=".3 .02 .02" material="decoration"/>
    <geom name="wall_neg_x" type="plane" pos=".3 0 .02" zaxis="-1 0 0" size=".02 .3 .02" material="decoration"/>
    <geom name="wall_neg_y" type="plane" pos="0 .3 .02" zaxis="0 -1 0" size=".3 .02 .02" material="decoration"/>
    <geom name="root" type="cylinder" fromto="0 0 0 0 0 0.02" size=".011" material="decoration"/>
    <body name="arm" pos="0 0 .01">
      <geom name="arm" type="capsule" fromto="0 0 0 0.12 0 0" size=".01" material="self"/>
      <joint name="shoulder"/>
      <body name="hand" pos=".12 0 0">
        <geom name="hand" type="capsule" fromto="0 0 0 0.1 0 0" size=".01" material="self"/>
        <joint name="wrist" limited="true" range="-160 160"/>
        <body name="finger" pos=".12 0 0">
          <geom name="finger" type="sphere" size=".01" material="effector"/>
        </body>
      </body>
    </body>
    <geom name="target" pos="0 0 .01" material="target" type="sphere" size=".05"/>
  </worldbody>
  <actuator>
    <motor name="shoulder" joint="shoulder"/>
    <motor name="wrist" joint="wrist"/>
  </actuator>
</mujoco>
)";

// A 0.3 kg point mass on two damped slide joints in a walled 0.6 m arena, pushed by two
// 0.1 N tendon motors; 20 ms steps.
constexpr char kPointMass[] = R"(<mujoco model="point_mass">
  $VISUAL
  <option timestep="0.02"/>
  <default>
    <joint type="hinge" axis="0 0 1" limited="true" range="-.29 .29" damping="1"/>
    <motor gear=".1" ctrlrange="-1 1" ctrllimited="true"/>
  </default>
  <worldbody>
    <light name="light" pos="0 0 1" dir="0 0 -1"/>
    <camera name="fixed" pos="0 0 .75" quat="1 0 0 0"/>
    <geom name="ground" type="plane" pos="0 0 0" size=".3 .3 .1" material="floor"/>
    <geom name="wall_x" type="plane" pos="-.3 0 .02" zaxis="1 0 0" size=".02 .3 .02" material="decoration"/>
    <geom name="wall_y" type="plane" pos="0 -.3 .02" zaxis="0 1 0" size=".3 .02 .02" material="decoration"/>
    <geom name="wall_neg_x" type="plane" pos=".3 0 .02" zaxis="-1 0 0" size=".02 .3 .02" material="decoration"/>
    <geom name="wall_neg_y" type="plane" pos="0 .3 .02" zaxis="0 -1 0" size=".3 .02 .02" material="decoration"/>
    <body name="pointmass" pos="0 0 .01">
      <joint name="root_x" type="slide" pos="0 0 0" axis="1 0 0"/>
      <joint name="root_y" type="slide" pos="0 0 0" axis="0 1 0"/>
      <geom name="pointmass" type="sphere" size=".01" material="self" mass=".3"/>
    </body>
    <geom name="target" pos="0 0 .01" material="target" type="sphere" size=".015" contype="0" conaffinity="0"/>
  </worldbody>
  <tendon>
    <fixed name="t1">
      <joint joint="root_x" coef="1"/>
      <joint joint="root_y" coef="0"/>
    </fixed>
    <fixed name="t2">
      <joint joint="root_x" coef="0"/>
      <joint joint="root_y" coef="1"/>
    </fixed>
  </tendon>
  <actuator>
    <motor name="t1" tendon="t1"/>
    <motor name="t2" tendon="t2"/>
  </actuator>
</mujoco>
)";

// Two 1 m, 1 kg capsule links hanging from a fixed shoulder; only the elbow is actuated
// (2 Nm); 10 ms RK4 steps. The target site sits 4 m above the floor, 2 m above
// the shoulder.
constexpr char kAcrobot[] = R"(<mujoco model="acrobot">
  $VISUAL
  <option timestep="0.01" integrator="RK4">
    <flag constraint="disable" energy="enable"/>
  </option>
  <default>
    <joint damping=".05"/>
    <geom type="capsule" mass="1" material="self"/>
  </default>
  <worldbody>
    <light name="light" pos="0 0 6" dir="0 0 -1"/>
    <geom name="floor" size="3 3 .2" type="plane" material="floor"/>
    <camera name="fixed" pos="0 -6.5 2" xyaxes="1 0 0 0 0 1"/>
    <body name="upper_arm" pos="0 0 2">
      <joint name="shoulder" type="hinge" axis="0 1 0"/>
      <geom name="upper_arm_decoration" material="decoration" type="cylinder" fromto="0 -.06 0 0 .06 0" size="0.051" mass="0"/>
      <geom name="upper_arm" fromto="0 0 0 0 0 1" size="0.05"/>
      <body name="lower_arm" pos="0 0 1">
        <joint name="elbow" type="hinge" axis="0 1 0"/>
        <geom name="lower_arm" fromto="0 0 0 0 0 1" size="0.049"/>
        <site name="tip" pos="0 0 1" size="0.01"/>
      </body>
    </body>
    <site name="target" type="sphere" pos="0 0 4" size="0.2" material="target"/>
  </worldbody>
  <actuator>
    <motor name="elbow" joint="elbow" gear="2" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
)";

// The planar half-cheetah: 14 kg in total, six spring-damped joints (ranges in degrees,
// including the Control Suite's wide back-foot range and its front-thigh upper limit of
// 0.4 degrees), motors of 120/90/60 (back leg) and 90/60/30 (front leg) Nm; 10 ms steps.
constexpr char kCheetah[] = R"(<mujoco model="cheetah">
  $VISUAL
  <compiler settotalmass="14"/>
  <option timestep="0.01"/>
  <statistic center="0 0 .7" extent="2"/>
  <default>
    <default class="cheetah">
      <joint limited="true" damping=".01" armature=".1" stiffness="8" type="hinge" axis="0 1 0"/>
      <geom contype="1" conaffinity="1" condim="3" friction=".4 .1 .1" material="self"/>
    </default>
    <default class="free">
      <joint limited="false" damping="0" armature="0" stiffness="0"/>
    </default>
    <motor ctrllimited="true" ctrlrange="-1 1"/>
  </default>
  <worldbody>
    <light name="light" pos="0 0 4" dir="0 0 -1" directional="true"/>
    <geom name="ground" type="plane" conaffinity="1" pos="98 0 0" size="200 .8 .5" material="floor"/>
    <body name="torso" pos="0 0 .7" childclass="cheetah">
      <camera name="fixed" pos="0 -3 0" xyaxes="1 0 0 0 0 1" mode="trackcom"/>
      <joint name="rootx" type="slide" axis="1 0 0" class="free"/>
      <joint name="rootz" type="slide" axis="0 0 1" class="free"/>
      <joint name="rooty" type="hinge" axis="0 1 0" class="free"/>
      <geom name="torso" type="capsule" fromto="-.5 0 0 .5 0 0" size="0.046"/>
      <geom name="head" type="capsule" pos=".6 0 .1" axisangle="0 1 0 50" size="0.046 .15"/>
      <body name="bthigh" pos="-.5 0 0">
        <joint name="bthigh" range="-30 60" stiffness="240" damping="6"/>
        <geom name="bthigh" type="capsule" pos=".1 0 -.13" axisangle="0 1 0 -218" size="0.046 .145"/>
        <body name="bshin" pos=".16 0 -.25">
          <joint name="bshin" range="-50 50" stiffness="180" damping="4.5"/>
          <geom name="bshin" type="capsule" pos="-.14 0 -.07" axisangle="0 1 0 -116" size="0.046 .15"/>
          <body name="bfoot" pos="-.28 0 -.14">
            <joint name="bfoot" range="-230 50" stiffness="120" damping="3"/>
            <geom name="bfoot" type="capsule" pos=".03 0 -.097" axisangle="0 1 0 -15" size="0.046 .094"/>
          </body>
        </body>
      </body>
      <body name="fthigh" pos=".5 0 0">
        <joint name="fthigh" range="-57 .40" stiffness="180" damping="4.5"/>
        <geom name="fthigh" type="capsule" pos="-.07 0 -.12" axisangle="0 1 0 30" size="0.046 .133"/>
        <body name="fshin" pos="-.14 0 -.24">
          <joint name="fshin" range="-70 50" stiffness="120" damping="3"/>
          <geom name="fshin" type="capsule" pos=".065 0 -.09" axisangle="0 1 0 -34" size="0.046 .106"/>
          <body name="ffoot" pos=".13 0 -.18">
            <joint name="ffoot" range="-28 28" stiffness="60" damping="1.5"/>
            <geom name="ffoot" type="capsule" pos=".045 0 -.07" axisangle="0 1 0 -34" size="0.046 .07"/>
          </body>
        </body>
      </body>
    </body>
  </worldbody>
  <sensor>
    <subtreelinvel name="torso_subtreelinvel" body="torso"/>
  </sensor>
  <actuator>
    <motor name="bthigh" joint="bthigh" gear="120"/>
    <motor name="bshin" joint="bshin" gear="90"/>
    <motor name="bfoot" joint="bfoot" gear="60"/>
    <motor name="fthigh" joint="fthigh" gear="90"/>
    <motor name="fshin" joint="fshin" gear="60"/>
    <motor name="ffoot" joint="ffoot" gear="30"/>
  </actuator>
</mujoco>
)";

const std::map<std::string, const char*>& Domains() {
  static const auto* domains = new std::map<std::string, const char*>{
      {"acrobot", kAcrobot}, {"cartpole", kCartpole}, {"cheetah", kCheetah},
      {"pendulum", kPendulum}, {"point_mass", kPointMass}, {"reacher", kReacher},
  };
  return *domains;
}

}  // namespace

absl::StatusOr<std::string> DomainXml(absl::string_view domain) {
  auto it = Domains().find(std::string(domain));
  if (it == Domains().end()) {
    return absl::NotFoundError(
        absl::StrCat("unknown MuJoCo domain '", domain, "'; known: ", absl::StrJoin(DomainNames(), ", ")));
  }
  return absl::StrReplaceAll(it->second, {{"$VISUAL", kVisual}});
}

std::vector<std::string> DomainNames() {
  std::vector<std::string> names;
  for (const auto& [name, xml] : Domains()) names.push_back(name);
  return names;
}

}  // namespace calico
