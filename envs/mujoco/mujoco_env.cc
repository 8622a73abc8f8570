#include "envs/mujoco/mujoco_env.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <cstring>
#include <map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/random.h"
#include "base/status_macros.h"
#include "envs/mujoco/models.h"
#include "envs/mujoco/mujoco_errors.h"
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
  // Model elements that `observe` and `reward` read, resolved once per instance: they get
  // ids[i] for names[i]. A name missing from the model is an InternalError in Create.
  std::vector<std::pair<mjtObj, std::string>> names;
  // Per-task changes to the compiled model (e.g. the target's size).
  std::function<absl::Status(mjModel*)> configure_model;
  // Sets the initial state after mj_resetData (may also move model geoms, e.g. targets).
  std::function<void(mjModel*, mjData*, Rng&)> initialize;
  // Fills the observations: out[i] holds the floats of observations[i] (as many as its
  // size). Data is after mj_step1 or mj_forward. Called every step: no name lookups and no
  // allocation here.
  void (*observe)(const mjModel* m, const mjData* d, const int* ids, float* const* out) = nullptr;
  // Reward of the state reached by the last step, in [0, 1]. Called every step, as observe.
  double (*reward)(const mjModel* m, const mjData* d, const int* ids) = nullptr;
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

// Name lookups for configure_model and initialize (once per model or episode); the models
// are ours, so a missing name is a programming error that the task tests catch (every task
// is loaded, reset and stepped there). observe and reward use ids resolved in Create.
int Id(const mjModel* m, mjtObj type, const char* name) { return mj_name2id(m, type, name); }

// Observation values are computed in double and stored as float.
inline float F(double v) { return static_cast<float>(v); }

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

// The sigmoid shapes the rewards use, their scales computed once (at start-up; trivially
// destructible, and nothing else initialised at start-up reads them). Plain globals rather
// than function-local statics: no initialisation guard to check on every step.
const SigmoidShape kGaussian01(Sigmoid::kGaussian, 0.1);
const SigmoidShape kQuadratic0(Sigmoid::kQuadratic, 0.0);
const SigmoidShape kLinear0(Sigmoid::kLinear, 0.0);

// The Control Suite's "small control" factor: 1 at zero control, 0.8 at full control.
double SmallControl(const mjModel* m, const mjData* d) {
  const SigmoidShape& quadratic = kQuadratic0;
  double sum = 0.0;
  for (int i = 0; i < m->nu; ++i) sum += Tolerance(d->ctrl[i], 0.0, 0.0, 1.0, quadratic);
  return (4.0 + sum / m->nu) / 5.0;
}

MujocoTaskDef Cartpole(bool swingup) {
  MujocoTaskDef def;
  def.name = swingup ? "cartpole_swingup" : "cartpole_balance";
  def.description = swingup ? "Control Suite cartpole: swing the hanging pole up and balance it (smooth reward)"
                            : "Control Suite cartpole: keep the nearly upright pole balanced (smooth reward)";
  def.domain = "cartpole";
  def.observations = {{"position", 3}, {"velocity", 2}};
  def.names = {{mjOBJ_BODY, "pole_1"}};
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
  def.observe = [](const mjModel* m, const mjData* d, const int* ids, float* const* out) {
    const mjtNum* pole = d->xmat + 9 * ids[0];
    // cart x, cos and sin of the pole angle
    out[0][0] = F(d->qpos[0]), out[0][1] = F(pole[8]), out[0][2] = F(pole[2]);
    out[1][0] = F(d->qvel[0]), out[1][1] = F(d->qvel[1]);
  };
  def.reward = [](const mjModel* m, const mjData* d, const int* ids) {
    const double upright = (d->xmat[9 * ids[0] + 8] + 1.0) / 2.0;
    const double centered = (1.0 + Tolerance(d->qpos[0], 0.0, 0.0, 2.0, kGaussian01)) / 2.0;
    const double small_control = SmallControl(m, d);
    const double small_velocity = (1.0 + Tolerance(d->qvel[1], 0.0, 0.0, 5.0, kGaussian01)) / 2.0;
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
  def.names = {{mjOBJ_BODY, "pole"}};
  def.initialize = [](mjModel* m, mjData* d, Rng& rng) { d->qpos[0] = UniformIn(rng, -kPi, kPi); };
  def.observe = [](const mjModel* m, const mjData* d, const int* ids, float* const* out) {
    const mjtNum* pole = d->xmat + 9 * ids[0];
    out[0][0] = F(pole[8]), out[0][1] = F(pole[2]);
    out[1][0] = F(d->qvel[0]);
  };
  def.reward = [](const mjModel* m, const mjData* d, const int* ids) {
    return Tolerance(d->xmat[9 * ids[0] + 8], std::cos(30.0 * kPi / 180.0), 1.0, 0.0, kGaussian01);
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
  def.names = {{mjOBJ_GEOM, "target"}, {mjOBJ_GEOM, "finger"}};
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
  def.observe = [](const mjModel* m, const mjData* d, const int* ids, float* const* out) {
    const mjtNum* target = d->geom_xpos + 3 * ids[0];
    const mjtNum* finger = d->geom_xpos + 3 * ids[1];
    out[0][0] = F(d->qpos[0]), out[0][1] = F(d->qpos[1]);
    out[1][0] = F(target[0] - finger[0]), out[1][1] = F(target[1] - finger[1]);
    out[2][0] = F(d->qvel[0]), out[2][1] = F(d->qvel[1]);
  };
  def.reward = [](const mjModel* m, const mjData* d, const int* ids) {
    const int target_id = ids[0], finger_id = ids[1];
    const mjtNum* target = d->geom_xpos + 3 * target_id;
    const mjtNum* finger = d->geom_xpos + 3 * finger_id;
    const double distance = std::hypot(target[0] - finger[0], target[1] - finger[1]);
    const double radii = m->geom_size[3 * target_id] + m->geom_size[3 * finger_id];
    return Tolerance(distance, 0.0, radii, 0.0, kGaussian01);
  };
  return def;
}

MujocoTaskDef PointMassEasy() {
  MujocoTaskDef def;
  def.name = "point_mass_easy";
  def.description = "Control Suite point_mass: push a damped point mass onto the target at the arena's centre";
  def.domain = "point_mass";
  def.observations = {{"position", 2}, {"velocity", 2}};
  def.names = {{mjOBJ_GEOM, "target"}, {mjOBJ_GEOM, "pointmass"}};
  def.initialize = [](mjModel* m, mjData* d, Rng& rng) { RandomizeLimitedAndRotationalJoints(m, d, rng); };
  def.observe = [](const mjModel* m, const mjData* d, const int* ids, float* const* out) {
    out[0][0] = F(d->qpos[0]), out[0][1] = F(d->qpos[1]);
    out[1][0] = F(d->qvel[0]), out[1][1] = F(d->qvel[1]);
  };
  def.reward = [](const mjModel* m, const mjData* d, const int* ids) {
    const int target_id = ids[0];
    const mjtNum* target = d->geom_xpos + 3 * target_id;
    const mjtNum* mass = d->geom_xpos + 3 * ids[1];
    const double distance = std::sqrt((target[0] - mass[0]) * (target[0] - mass[0]) +
                                      (target[1] - mass[1]) * (target[1] - mass[1]) +
                                      (target[2] - mass[2]) * (target[2] - mass[2]));
    const double target_size = m->geom_size[3 * target_id];
    const double near_target = Tolerance(distance, 0.0, target_size, target_size, kGaussian01);
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
  def.names = {{mjOBJ_BODY, "upper_arm"}, {mjOBJ_BODY, "lower_arm"}, {mjOBJ_SITE, "target"}, {mjOBJ_SITE, "tip"}};
  def.initialize = [](mjModel* m, mjData* d, Rng& rng) { RandomizeLimitedAndRotationalJoints(m, d, rng); };
  def.observe = [](const mjModel* m, const mjData* d, const int* ids, float* const* out) {
    const mjtNum* upper = d->xmat + 9 * ids[0];
    const mjtNum* lower = d->xmat + 9 * ids[1];
    // horizontal (xz), then vertical (zz)
    out[0][0] = F(upper[2]), out[0][1] = F(lower[2]), out[0][2] = F(upper[8]), out[0][3] = F(lower[8]);
    out[1][0] = F(d->qvel[0]), out[1][1] = F(d->qvel[1]);
  };
  def.reward = [](const mjModel* m, const mjData* d, const int* ids) {
    const int target_id = ids[2];
    const mjtNum* target = d->site_xpos + 3 * target_id;
    const mjtNum* tip = d->site_xpos + 3 * ids[3];
    const double distance = std::sqrt((target[0] - tip[0]) * (target[0] - tip[0]) +
                                      (target[1] - tip[1]) * (target[1] - tip[1]) +
                                      (target[2] - tip[2]) * (target[2] - tip[2]));
    const double radius = m->site_size[3 * target_id];
    return Tolerance(distance, 0.0, radius, 1.0, kGaussian01);
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
  def.names = {{mjOBJ_SENSOR, "torso_subtreelinvel"}};
  def.configure_model = [](mjModel* m) {
    if (m->nq != 9 || m->nv != 9) {
      return absl::InternalError(absl::StrCat("cheetah model has nq ", m->nq, " and nv ", m->nv,
                                              "; the observations expect 9 and 9"));
    }
    return absl::OkStatus();
  };
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
  def.observe = [](const mjModel* m, const mjData* d, const int* ids, float* const* out) {
    // everything but the horizontal position ([nq - 1] = [8], checked in Create), then [nv] = [9]
    for (int i = 1; i < m->nq; ++i) out[0][i - 1] = F(d->qpos[i]);
    for (int i = 0; i < m->nv; ++i) out[1][i] = F(d->qvel[i]);
  };
  def.reward = [](const mjModel* m, const mjData* d, const int* ids) {
    const double speed = d->sensordata[m->sensor_adr[ids[0]]];
    return Tolerance(speed, kCheetahRunSpeed, std::numeric_limits<double>::infinity(), kCheetahRunSpeed, kLinear0);
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
  InstallMujocoErrorHandler();
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
  if (parsed.def->names.size() > kMaxIds) {
    return absl::InternalError(absl::StrCat("task '", parsed.def->name, "' names more than ", kMaxIds, " elements"));
  }
  for (size_t i = 0; i < parsed.def->names.size(); ++i) {
    const auto& [type, name] = parsed.def->names[i];
    const int id = mj_name2id(m, type, name.c_str());
    if (id < 0) {
      return absl::InternalError(absl::StrCat("model '", parsed.def->domain, "' has no ", mju_type2Str(type),
                                              " named '", name, "'"));
    }
    env->ids_[i] = id;
  }
  env->observe_ = parsed.def->observe;
  env->reward_ = parsed.def->reward;
  if (parsed.def->observations.size() > kMaxObservations) {
    return absl::InternalError(absl::StrCat("task '", parsed.def->name, "' has more than ", kMaxObservations,
                                            " observation arrays"));
  }
  for (const auto& [key, size] : parsed.def->observations) {
    env->observation_spec_[key] = ArraySpec{key, {size}, DType::kFloat32, {}, {}};
  }
  if (parsed.pixels) {
    env->observation_spec_["pixels"] =
        ArraySpec{"pixels", {kMujocoPixelsSize, kMujocoPixelsSize, 3}, DType::kUint8, {0}, {255}};
  }
  for (const auto& [key, spec] : env->observation_spec_) {
    ObservationSlot slot{key, -1, spec.num_elements()};
    for (size_t i = 0; i < parsed.def->observations.size(); ++i) {
      if (parsed.def->observations[i].first == key) slot.index = static_cast<int>(i);
    }
    env->observation_slots_.push_back(std::move(slot));
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
  env->action_checker_ = SpecChecker(env->action_spec_, "action");
  return env;
}

double MujocoEnvironment::physics_timestep() const { return model_->opt.timestep; }

double MujocoEnvironment::control_timestep() const { return model_->opt.timestep * def_->action_repeat; }

absl::StatusOr<TimeStep> MujocoEnvironment::Reset(uint64_t seed) {
  TimeStep timestep;
  RETURN_IF_ERROR(ResetInto(seed, &timestep));
  return timestep;
}

absl::StatusOr<TimeStep> MujocoEnvironment::Step(const NamedArrays& action) {
  TimeStep timestep;
  RETURN_IF_ERROR(StepInto(action, &timestep));
  return timestep;
}

absl::Status MujocoEnvironment::ResetInto(uint64_t seed, TimeStep* timestep) {
  episode_running_ = false;
  Rng rng(seed);
  mjModel* m = model_.get();
  mjData* d = data_.get();
  absl::Status physics = RunMujoco("reset", [&] {
    mj_resetData(m, d);
    def_->initialize(m, d, rng);
    mj_forward(m, d);
  });
  if (!physics.ok()) {
    return absl::Status(physics.code(), absl::StrCat("mujoco/", def_->name, ": ", physics.message()));
  }
  steps_ = 0;
  RETURN_IF_ERROR(WriteTimeStep(StepType::kFirst, 0.0, timestep));
  episode_running_ = true;
  return absl::OkStatus();
}

absl::Status MujocoEnvironment::StepInto(const NamedArrays& action, TimeStep* timestep) {
  if (!episode_running_) {
    return absl::FailedPreconditionError(absl::StrCat("mujoco/", def_->name,
                                                      ": Step called before Reset or after the episode's LAST step"));
  }
  RETURN_IF_ERROR(action_checker_.Check(action));
  mjModel* m = model_.get();
  mjData* d = data_.get();
  const float* values = action.begin()->second.floats.data();  // the one key, "action" [nu]: checked
  for (int i = 0; i < m->nu; ++i) d->ctrl[i] = values[i];
  // mj_step leaves position- and velocity-derived quantities (xpos, xmat, sensors) at the
  // state before integration, and the observation and reward need them at the new state.
  // As dm_control does, split the step instead of adding a whole mj_forward: every Step
  // (and Reset) ends with mj_step1 on the new state, so the next Step starts after it and
  // pays for each stage once. Euler: mj_step2 (forces, acceleration, integration). RK4 has
  // no mj_step2, so the first physics step is mj_step's own sequence after mj_step1's part
  // (MuJoCo 2.2's mj_step is checkPos, checkVel, forward, checkAcc, integrate; step1 is
  // checkPos, checkVel and forward's position and velocity stages): the rest of forward
  // (mj_forwardSkip from the velocity stage), checkAcc and the Runge-Kutta integration.
  // Either way the same functions run on the same inputs as in a loop of mj_step, so the
  // trajectory is bit-identical to one, and the physics per agent step costs what
  // `action_repeat` mj_steps cost.
  absl::Status physics = RunMujoco("step", [&] {
    if (m->opt.integrator == mjINT_RK4) {
      mj_forwardSkip(m, d, mjSTAGE_VEL, 0);
      mj_checkAcc(m, d);
      if (mjENABLED(mjENBL_FWDINV)) mj_compareFwdInv(m, d);
      mj_RungeKutta(m, d, 4);
    } else {
      mj_step2(m, d);
    }
    for (int i = 1; i < def_->action_repeat; ++i) mj_step(m, d);
    mj_step1(m, d);
  });
  if (!physics.ok()) {
    // The mjData is unusable until reset (see mujoco_errors.h).
    episode_running_ = false;
    return absl::Status(physics.code(), absl::StrCat("mujoco/", def_->name, ": ", physics.message(),
                                                     "; the episode is over, call Reset"));
  }
  ++steps_;
  const double reward = reward_(m, d, ids_);
  const bool last = steps_ >= kMujocoEpisodeSteps;
  if (last) episode_running_ = false;
  return WriteTimeStep(last ? StepType::kLast : StepType::kMid, reward, timestep);
}

bool MujocoEnvironment::FindObservationBuffers(NamedArrays& observation, float** out) const {
  const size_t count = observation_slots_.size();
  if (observation.size() != count) return false;
  auto it = observation.begin();
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) ++it;  // (no step past the last array)
    const ObservationSlot& slot = observation_slots_[i];
    const std::string& key = it->first;
    Array& array = it->second;
    if (!SameKey(key, slot.key) || !array.ints.empty() || !array.text.empty()) return false;
    if (slot.index >= 0) {
      if (array.shape.size() != 1 || static_cast<int64_t>(array.floats.size()) != slot.size ||
          !array.bytes.empty()) {
        return false;
      }
      // Set rather than compared: a store into a line MuJoCo's step pushed out of the
      // cache does not wait for it, a load does.
      array.dtype = DType::kFloat32;
      array.shape[0] = slot.size;
      out[slot.index] = array.floats.data();
    }
  }
  return true;
}

absl::Status MujocoEnvironment::WriteTimeStep(StepType type, double reward, TimeStep* timestep) {
  // Render first: on error *timestep stays as it was. (The frame waits in a member: an
  // Array on this function's stack would be zeroed on every step.)
  if (pixels_) {
    ASSIGN_OR_RETURN(frame_, Render(kMujocoPixelsSize, kMujocoPixelsSize));
  }
  NamedArrays& observation = timestep->observation;
  // A TimeStep passed back from the previous step already holds arrays of the right keys
  // and shapes: overwrite their values, allocating nothing. Otherwise lay them out anew.
  float* out[kMaxObservations];  // out[i]: the floats of def_->observations[i]
  if (!FindObservationBuffers(observation, out)) {
    observation.clear();
    for (const auto& [key, spec] : observation_spec_) {
      Array array;
      array.dtype = spec.dtype;
      array.shape = spec.shape;
      if (spec.dtype == DType::kFloat32) array.floats.resize(spec.num_elements());
      observation.emplace_hint(observation.end(), key, std::move(array));
    }
    if (!FindObservationBuffers(observation, out)) {
      return absl::InternalError(absl::StrCat("mujoco/", def_->name, ": observation arrays laid out wrongly"));
    }
  }
  if (pixels_) std::swap(observation.find("pixels")->second, frame_);
  observe_(model_.get(), data_.get(), ids_, out);
  timestep->step_type = type;
  timestep->reward = reward;
  timestep->discount = 1.0;
  return absl::OkStatus();
}

absl::StatusOr<Array> MujocoEnvironment::Render(int height, int width) {
  absl::StatusOr<Array> frame = absl::InternalError("not rendered");
  absl::Status mujoco = RunMujoco("render", [&] {
    if (renderer_ == nullptr) {
      absl::StatusOr<std::unique_ptr<OffscreenRenderer>> renderer = OffscreenRenderer::Create(model_.get());
      if (!renderer.ok()) {
        frame = renderer.status();
        return;
      }
      renderer_ = *std::move(renderer);
    }
    frame = renderer_->Render(data_.get(), camera_id_, height, width);
  });
  if (!mujoco.ok()) return absl::Status(mujoco.code(), absl::StrCat("mujoco/", def_->name, ": ", mujoco.message()));
  return frame;
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
