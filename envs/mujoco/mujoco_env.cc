#include "envs/mujoco/mujoco_env.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/random.h"
#include "base/status_macros.h"
#include "envs/mujoco/models.h"
#include "envs/mujoco/rewards.h"

namespace calico {

// Everything that makes a task out of a domain's model. Immutable, shared by instances.
struct MujocoTaskDef {
  std::string name;         // "cartpole_swingup" (registered as "mujoco/" + name)
  std::string description;  // one line
  std::string domain;       // model in models.cc
  int action_repeat = 1;    // physics steps per agent step (control / physics timestep)
  // Observation keys and sizes, each a FLOAT32 vector.
  std::vector<std::pair<std::string, int>> observations;
  // Per-task changes to the compiled model (e.g. the target's size).
  std::function<absl::Status(mjModel*)> configure_model;
  // Sets the initial state after mj_resetData (may also move model geoms, e.g. targets).
  std::function<void(mjModel*, mjData*, Rng&)> initialize;
  // Fills the observation vectors, in the order of `observations`; data is after mj_forward.
  std::function<void(const mjModel*, const mjData*, std::vector<std::vector<double>>*)> observe;
  // Reward of the state reached by the last step, in [0, 1].
  std::function<double(const mjModel*, const mjData*)> reward;
};

namespace {

constexpr double kPi = 3.14159265358979323846;

// Standard normal from two uniforms (Box-Muller): deterministic across platforms, unlike
// std::normal_distribution.
double Normal(Rng& rng) {
  const double u1 = 1.0 - rng.Uniform();  // (0, 1]
  const double u2 = rng.Uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
}

double UniformIn(Rng& rng, double lo, double hi) { return lo + (hi - lo) * rng.Uniform(); }

// Name lookups; the models are ours, so a missing name is a programming error that the
// task tests catch (every task is loaded, reset and stepped there).
int Id(const mjModel* m, mjtObj type, const char* name) { return mj_name2id(m, type, name); }
const mjtNum* BodyXmat(const mjModel* m, const mjData* d, const char* body) {
  return d->xmat + 9 * Id(m, mjOBJ_BODY, body);
}

// dm_control's randomizers.randomize_limited_and_rotational_joints for single-DOF joints:
// limited joints uniform in their range, unlimited hinges uniform in [-pi, pi).
void RandomizeLimitedAndRotationalJoints(const mjModel* m, mjData* d, Rng& rng) {
  for (int j = 0; j < m->njnt; ++j) {
    const int adr = m->jnt_qposadr[j];
    const int type = m->jnt_type[j];
    if (type != mjJNT_HINGE && type != mjJNT_SLIDE) continue;
    if (m->jnt_limited[j]) {
      d->qpos[adr] = UniformIn(rng, m->jnt_range[2 * j], m->jnt_range[2 * j + 1]);
    } else if (type == mjJNT_HINGE) {
      d->qpos[adr] = UniformIn(rng, -kPi, kPi);
    }
  }
}

// The Control Suite's "small control" factor: 1 at zero control, 0.8 at full control.
double SmallControl(const mjModel* m, const mjData* d) {
  ToleranceOptions quadratic{0.0, 0.0, 1.0, Sigmoid::kQuadratic, 0.0};
  double sum = 0.0;
  for (int i = 0; i < m->nu; ++i) sum += Tolerance(d->ctrl[i], quadratic);
  return (4.0 + sum / m->nu) / 5.0;
}

MujocoTaskDef Cartpole(bool swingup) {
  MujocoTaskDef def;
  def.name = swingup ? "cartpole_swingup" : "cartpole_balance";
  def.description = swingup ? "Control Suite cartpole: swing the hanging pole up and balance it (smooth reward)"
                            : "Control Suite cartpole: keep the nearly upright pole balanced (smooth reward)";
  def.domain = "cartpole";
  def.observations = {{"position", 3}, {"velocity", 2}};
  def.initialize = [swingup](mjModel* m, mjData* d, Rng& rng) {
    if (swingup) {
      d->qpos[0] = 0.01 * Normal(rng);
      d->qpos[1] = kPi + 0.01 * Normal(rng);
    } else {
      d->qpos[0] = UniformIn(rng, -0.25, 0.25);
      d->qpos[1] = UniformIn(rng, -0.1, 0.1);
    }
    for (int i = 0; i < m->nv; ++i) d->qvel[i] = 0.01 * Normal(rng);
  };
  def.observe = [](const mjModel* m, const mjData* d, std::vector<std::vector<double>>* obs) {
    const mjtNum* pole = BodyXmat(m, d, "pole_1");
    (*obs)[0] = {d->qpos[0], pole[8], pole[2]};  // cart x, cos and sin of the pole angle
    (*obs)[1] = {d->qvel[0], d->qvel[1]};
  };
  def.reward = [](const mjModel* m, const mjData* d) {
    const double upright = (BodyXmat(m, d, "pole_1")[8] + 1.0) / 2.0;
    const double centered = (1.0 + Tolerance(d->qpos[0], {0.0, 0.0, 2.0, Sigmoid::kGaussian, 0.1})) / 2.0;
    const double small_control = SmallControl(m, d);
    const double small_velocity = (1.0 + Tolerance(d->qvel[1], {0.0, 0.0, 5.0, Sigmoid::kGaussian, 0.1})) / 2.0;
    return upright * centered * small_control * small_velocity;
  };
  return def;
}

MujocoTaskDef PendulumSwingup() {
  MujocoTaskDef def;
  def.name = "pendulum_swingup";
  def.description = "Control Suite pendulum: swing up a torque-limited pendulum and hold it within 30 degrees of upright";
  def.domain = "pendulum";
  def.observations = {{"orientation", 2}, {"velocity", 1}};
  def.initialize = [](mjModel* m, mjData* d, Rng& rng) { d->qpos[0] = UniformIn(rng, -kPi, kPi); };
  def.observe = [](const mjModel* m, const mjData* d, std::vector<std::vector<double>>* obs) {
    const mjtNum* pole = BodyXmat(m, d, "pole");
    (*obs)[0] = {pole[8], pole[2]};
    (*obs)[1] = {d->qvel[0]};
  };
  def.reward = [](const mjModel* m, const mjData* d) {
    return Tolerance(BodyXmat(m, d, "pole")[8], {std::cos(30.0 * kPi / 180.0), 1.0, 0.0, Sigmoid::kGaussian, 0.1});
  };
  return def;
}

MujocoTaskDef Reacher(bool hard) {
  MujocoTaskDef def;
  def.name = hard ? "reacher_hard" : "reacher_easy";
  def.description = hard ? "Control Suite reacher: touch a small (1.5 cm) random target with a two-link arm's fingertip"
                         : "Control Suite reacher: touch a large (5 cm) random target with a two-link arm's fingertip";
  def.domain = "reacher";
  def.observations = {{"position", 2}, {"to_target", 2}, {"velocity", 2}};
  const double target_size = hard ? 0.015 : 0.05;
  def.configure_model = [target_size](mjModel* m) {
    m->geom_size[3 * Id(m, mjOBJ_GEOM, "target")] = target_size;
    return absl::OkStatus();
  };
  def.initialize = [](mjModel* m, mjData* d, Rng& rng) {
    RandomizeLimitedAndRotationalJoints(m, d, rng);
    const double angle = UniformIn(rng, 0.0, 2.0 * kPi);
    const double radius = UniformIn(rng, 0.05, 0.20);
    mjtNum* target = m->geom_pos + 3 * Id(m, mjOBJ_GEOM, "target");
    target[0] = radius * std::sin(angle);
    target[1] = radius * std::cos(angle);
  };
  def.observe = [](const mjModel* m, const mjData* d, std::vector<std::vector<double>>* obs) {
    const mjtNum* target = d->geom_xpos + 3 * Id(m, mjOBJ_GEOM, "target");
    const mjtNum* finger = d->geom_xpos + 3 * Id(m, mjOBJ_GEOM, "finger");
    (*obs)[0] = {d->qpos[0], d->qpos[1]};
    (*obs)[1] = {target[0] - finger[0], target[1] - finger[1]};
    (*obs)[2] = {d->qvel[0], d->qvel[1]};
  };
  def.reward = [](const mjModel* m, const mjData* d) {
    const int target_id = Id(m, mjOBJ_GEOM, "target"), finger_id = Id(m, mjOBJ_GEOM, "finger");
    const mjtNum* target = d->geom_xpos + 3 * target_id;
    const mjtNum* finger = d->geom_xpos + 3 * finger_id;
    const double distance = std::hypot(target[0] - finger[0], target[1] - finger[1]);
    const double radii = m->geom_size[3 * target_id] + m->geom_size[3 * finger_id];
    return Tolerance(distance, {0.0, radii, 0.0, Sigmoid::kGaussian, 0.1});
  };
  return def;
}

MujocoTaskDef PointMassEasy() {
  MujocoTaskDef def;
  def.name = "point_mass_easy";
  def.description = "Control Suite point_mass: push a damped point mass onto the target at the arena's centre";
  def.domain = "point_mass";
  def.observations = {{"position", 2}, {"velocity", 2}};
  def.initialize = [](mjModel* m, mjData* d, Rng& rng) { RandomizeLimitedAndRotationalJoints(m, d, rng); };
  def.observe = [](const mjModel* m, const mjData* d, std::vector<std::vector<double>>* obs) {
    (*obs)[0] = {d->qpos[0], d->qpos[1]};
    (*obs)[1] = {d->qvel[0], d->qvel[1]};
  };
  def.reward = [](const mjModel* m, const mjData* d) {
    const int target_id = Id(m, mjOBJ_GEOM, "target");
    const mjtNum* target = d->geom_xpos + 3 * target_id;
    const mjtNum* mass = d->geom_xpos + 3 * Id(m, mjOBJ_GEOM, "pointmass");
    const double distance = std::sqrt((target[0] - mass[0]) * (target[0] - mass[0]) +
                                      (target[1] - mass[1]) * (target[1] - mass[1]) +
                                      (target[2] - mass[2]) * (target[2] - mass[2]));
    const double target_size = m->geom_size[3 * target_id];
    const double near_target = Tolerance(distance, {0.0, target_size, target_size, Sigmoid::kGaussian, 0.1});
    return near_target * SmallControl(m, d);
  };
  return def;
}

MujocoTaskDef AcrobotSwingup() {
  MujocoTaskDef def;
  def.name = "acrobot_swingup";
  def.description = "Control Suite acrobot: swing a two-link, elbow-actuated pendulum's tip up to the target (smooth reward)";
  def.domain = "acrobot";
  def.observations = {{"orientations", 4}, {"velocity", 2}};
  def.initialize = [](mjModel* m, mjData* d, Rng& rng) { RandomizeLimitedAndRotationalJoints(m, d, rng); };
  def.observe = [](const mjModel* m, const mjData* d, std::vector<std::vector<double>>* obs) {
    const mjtNum* upper = BodyXmat(m, d, "upper_arm");
    const mjtNum* lower = BodyXmat(m, d, "lower_arm");
    (*obs)[0] = {upper[2], lower[2], upper[8], lower[8]};  // horizontal (xz), then vertical (zz)
    (*obs)[1] = {d->qvel[0], d->qvel[1]};
  };
  def.reward = [](const mjModel* m, const mjData* d) {
    const int target_id = Id(m, mjOBJ_SITE, "target");
    const mjtNum* target = d->site_xpos + 3 * target_id;
    const mjtNum* tip = d->site_xpos + 3 * Id(m, mjOBJ_SITE, "tip");
    const double distance = std::sqrt((target[0] - tip[0]) * (target[0] - tip[0]) +
                                      (target[1] - tip[1]) * (target[1] - tip[1]) +
                                      (target[2] - tip[2]) * (target[2] - tip[2]));
    const double radius = m->site_size[3 * target_id];
    return Tolerance(distance, {0.0, radius, 1.0, Sigmoid::kGaussian, 0.1});
  };
  return def;
}

constexpr double kCheetahRunSpeed = 10.0;

MujocoTaskDef CheetahRun() {
  MujocoTaskDef def;
  def.name = "cheetah_run";
  def.description = "Control Suite cheetah: make the planar half-cheetah run forward (reward grows to 1 at 10 m/s)";
  def.domain = "cheetah";
  def.observations = {{"position", 8}, {"velocity", 9}};
  def.initialize = [](mjModel* m, mjData* d, Rng& rng) {
    for (int j = 0; j < m->njnt; ++j) {
      if (m->jnt_limited[j]) {
        d->qpos[m->jnt_qposadr[j]] = UniformIn(rng, m->jnt_range[2 * j], m->jnt_range[2 * j + 1]);
      }
    }
    // Let the body settle on the ground before the episode starts, as the Control Suite does.
    for (int i = 0; i < 200; ++i) mj_step(m, d);
    d->time = 0.0;
  };
  def.observe = [](const mjModel* m, const mjData* d, std::vector<std::vector<double>>* obs) {
    (*obs)[0].assign(d->qpos + 1, d->qpos + m->nq);  // everything but the horizontal position
    (*obs)[1].assign(d->qvel, d->qvel + m->nv);
  };
  def.reward = [](const mjModel* m, const mjData* d) {
    const int sensor = Id(m, mjOBJ_SENSOR, "torso_subtreelinvel");
    const double speed = d->sensordata[m->sensor_adr[sensor]];
    return Tolerance(speed, {kCheetahRunSpeed, std::numeric_limits<double>::infinity(), kCheetahRunSpeed,
                             Sigmoid::kLinear, 0.0});
  };
  return def;
}

constexpr char kFamily[] = "mujoco/";
constexpr char kPixelsSuffix[] = "_pixels";

const std::map<std::string, MujocoTaskDef>& TaskDefs() {
  static const auto* defs = [] {
    auto* map = new std::map<std::string, MujocoTaskDef>;
    for (MujocoTaskDef def : {Cartpole(false), Cartpole(true), PendulumSwingup(), Reacher(false), Reacher(true),
                              PointMassEasy(), AcrobotSwingup(), CheetahRun()}) {
      std::string name = def.name;
      map->emplace(std::move(name), std::move(def));
    }
    return map;
  }();
  return *defs;
}

struct ParsedName {
  const MujocoTaskDef* def = nullptr;
  bool pixels = false;
};

absl::StatusOr<ParsedName> ParseTaskName(const std::string& task) {
  ParsedName parsed;
  std::string base = task;
  if (absl::StartsWith(base, kFamily)) {
    base = base.substr(sizeof(kFamily) - 1);
    if (absl::EndsWith(base, kPixelsSuffix)) {
      parsed.pixels = true;
      base = base.substr(0, base.size() - (sizeof(kPixelsSuffix) - 1));
    }
    auto it = TaskDefs().find(base);
    if (it != TaskDefs().end()) {
      parsed.def = &it->second;
      return parsed;
    }
  }
  return absl::NotFoundError(absl::StrCat("unknown MuJoCo task '", task, "'; known: ",
                                          absl::StrJoin(MujocoTaskNames(), ", ")));
}

absl::StatusOr<MjModelPtr> LoadTaskModel(const MujocoTaskDef& def) {
  ASSIGN_OR_RETURN(std::string xml, DomainXml(def.domain));
  ASSIGN_OR_RETURN(MjModelPtr model, LoadModelFromXml(xml, def.domain + ".xml"));
  if (def.configure_model) RETURN_IF_ERROR(def.configure_model(model.get()));
  return model;
}

}  // namespace

MujocoEnvironment::MujocoEnvironment(const MujocoTaskDef* def, bool pixels, MjModelPtr model, MjDataPtr data)
    : def_(def), pixels_(pixels), model_(std::move(model)), data_(std::move(data)) {}

MujocoEnvironment::~MujocoEnvironment() = default;

absl::StatusOr<std::unique_ptr<MujocoEnvironment>> MujocoEnvironment::Create(const std::string& task) {
  ASSIGN_OR_RETURN(ParsedName parsed, ParseTaskName(task));
  ASSIGN_OR_RETURN(MjModelPtr model, LoadTaskModel(*parsed.def));
  ASSIGN_OR_RETURN(MjDataPtr data, MakeData(model.get()));
  std::unique_ptr<MujocoEnvironment> env(
      new MujocoEnvironment(parsed.def, parsed.pixels, std::move(model), std::move(data)));
  const mjModel* m = env->model_.get();
  env->camera_id_ = mj_name2id(m, mjOBJ_CAMERA, "fixed");
  if (env->camera_id_ < 0) {
    return absl::InternalError(absl::StrCat("model '", parsed.def->domain, "' has no camera named 'fixed'"));
  }
  for (const auto& [key, size] : parsed.def->observations) {
    env->observation_spec_[key] = ArraySpec{key, {size}, DType::kFloat32, {}, {}};
  }
  if (parsed.pixels) {
    env->observation_spec_["pixels"] =
        ArraySpec{"pixels", {kMujocoPixelsSize, kMujocoPixelsSize, 3}, DType::kUint8, {0}, {255}};
  }
  ArraySpec action{"action", {m->nu}, DType::kFloat32, {}, {}};
  for (int i = 0; i < m->nu; ++i) {
    if (!m->actuator_ctrllimited[i]) {
      return absl::InternalError(absl::StrCat("actuator ", i, " of '", parsed.def->domain, "' has no ctrlrange"));
    }
    action.minimum.push_back(m->actuator_ctrlrange[2 * i]);
    action.maximum.push_back(m->actuator_ctrlrange[2 * i + 1]);
  }
  env->action_spec_["action"] = std::move(action);
  RETURN_IF_ERROR(ValidateSpecs(env->observation_spec_, "observation"));
  RETURN_IF_ERROR(ValidateSpecs(env->action_spec_, "action"));
  return env;
}

double MujocoEnvironment::physics_timestep() const { return model_->opt.timestep; }

double MujocoEnvironment::control_timestep() const { return model_->opt.timestep * def_->action_repeat; }

absl::StatusOr<TimeStep> MujocoEnvironment::Reset(uint64_t seed) {
  Rng rng(seed);
  mjModel* m = model_.get();
  mjData* d = data_.get();
  mj_resetData(m, d);
  def_->initialize(m, d, rng);
  mj_forward(m, d);
  steps_ = 0;
  episode_running_ = true;
  return MakeTimeStep(StepType::kFirst, 0.0);
}

absl::StatusOr<TimeStep> MujocoEnvironment::Step(const NamedArrays& action) {
  if (!episode_running_) {
    return absl::FailedPreconditionError(absl::StrCat("mujoco/", def_->name,
                                                      ": Step called before Reset or after the episode's LAST step"));
  }
  RETURN_IF_ERROR(CheckArrays(action_spec_, action, "action"));
  mjModel* m = model_.get();
  mjData* d = data_.get();
  const Array& values = action.at("action");
  for (int i = 0; i < m->nu; ++i) d->ctrl[i] = values.floats[i];
  // mj_step leaves position- and velocity-derived quantities (xpos, xmat, sensors) at the
  // state before integration, and the observation and reward need them at the new state.
  // As dm_control does, split the step instead of adding a whole mj_forward: every Step
  // (and Reset) ends with mj_step1 on the new state, so the next Step can start with
  // mj_step2 (forces, acceleration, integration) and pay for each stage once. RK4 has no
  // split form, so it takes full mj_steps and then refreshes what observations, rewards
  // and the renderer read: with no sensors that is kinematics plus cameras and lights
  // (the next mj_step recomputes everything itself), otherwise all of mj_step1.
  if (m->opt.integrator == mjINT_RK4) {
    for (int i = 0; i < def_->action_repeat; ++i) mj_step(m, d);
    if (m->nsensor == 0) {
      mj_kinematics(m, d);
      mj_camlight(m, d);
    } else {
      mj_step1(m, d);
    }
  } else {
    mj_step2(m, d);
    for (int i = 1; i < def_->action_repeat; ++i) mj_step(m, d);
    mj_step1(m, d);
  }
  ++steps_;
  const double reward = def_->reward(m, d);
  const bool last = steps_ >= kMujocoEpisodeSteps;
  if (last) episode_running_ = false;
  return MakeTimeStep(last ? StepType::kLast : StepType::kMid, reward);
}

absl::StatusOr<TimeStep> MujocoEnvironment::MakeTimeStep(StepType type, double reward) {
  TimeStep timestep;
  timestep.step_type = type;
  timestep.reward = reward;
  timestep.discount = 1.0;
  // observe_scratch_ keeps its capacity between steps: no allocation on this hot path.
  observe_scratch_.resize(def_->observations.size());
  for (std::vector<double>& v : observe_scratch_) v.clear();
  def_->observe(model_.get(), data_.get(), &observe_scratch_);
  for (size_t i = 0; i < observe_scratch_.size(); ++i) {
    const auto& [key, size] = def_->observations[i];
    const std::vector<double>& v = observe_scratch_[i];
    timestep.observation.emplace_hint(timestep.observation.end(), key,
                                      Array::Float({size}, std::vector<float>(v.begin(), v.end())));
  }
  if (pixels_) {
    ASSIGN_OR_RETURN(Array pixels, Render(kMujocoPixelsSize, kMujocoPixelsSize));
    timestep.observation["pixels"] = std::move(pixels);
  }
  return timestep;
}

absl::StatusOr<Array> MujocoEnvironment::Render(int height, int width) {
  if (renderer_ == nullptr) {
    ASSIGN_OR_RETURN(renderer_, OffscreenRenderer::Create(model_.get()));
  }
  return renderer_->Render(data_.get(), camera_id_, height, width);
}

std::vector<std::string> MujocoTaskNames() {
  std::vector<std::string> names;
  for (const auto& [name, def] : TaskDefs()) {
    names.push_back(kFamily + name);
    names.push_back(kFamily + name + kPixelsSuffix);
  }
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<std::unique_ptr<Environment>> MakeMujocoEnvironment(const std::string& task) {
  ASSIGN_OR_RETURN(std::unique_ptr<MujocoEnvironment> env, MujocoEnvironment::Create(task));
  return std::unique_ptr<Environment>(std::move(env));
}

absl::StatusOr<MjModelPtr> LoadMujocoTaskModel(const std::string& task) {
  ASSIGN_OR_RETURN(ParsedName parsed, ParseTaskName(task));
  return LoadTaskModel(*parsed.def);
}

absl::Status RegisterMujocoTasks(TaskRegistry* registry) {
  for (const std::string& name : MujocoTaskNames()) {
    ASSIGN_OR_RETURN(ParsedName parsed, ParseTaskName(name));
    std::string description = parsed.def->description;
    if (parsed.pixels) description += "; observations add 64x64 RGB pixels";
    RETURN_IF_ERROR(registry->Register(
        {name, description, kMujocoEpisodeSteps},
        [name]() -> absl::StatusOr<std::unique_ptr<Environment>> { return MakeMujocoEnvironment(name); }));
  }
  return absl::OkStatus();
}

}  // namespace calico
