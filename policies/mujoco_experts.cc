#include "policies/mujoco_experts.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "Eigen/Dense"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "envs/mujoco/mujoco_env.h"
#include "envs/mujoco/mujoco_handles.h"
#include "mujoco/mujoco.h"

namespace calico {

// Defined in the generated expert_weights.cc (policies/embed_ars.sh).
const char* EmbeddedArsText(const char* name);

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr char kFamily[] = "mujoco/";

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

double Wrap(double angle) { return std::remainder(angle, 2.0 * kPi); }
double Clip(double v, double lo, double hi) { return std::min(std::max(v, lo), hi); }

std::string StateTask(const std::string& task) {
  const std::string suffix = "_pixels";
  if (task.size() > suffix.size() && task.compare(task.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return task.substr(0, task.size() - suffix.size());
  }
  return task;
}

const std::vector<float>& Obs(const TimeStep& timestep, const char* key) { return timestep.observation.at(key).floats; }

absl::Status RequireKeys(const TimeStep& timestep, std::initializer_list<const char*> keys, const std::string& task) {
  for (const char* key : keys) {
    auto it = timestep.observation.find(key);
    if (it == timestep.observation.end() || it->second.dtype != DType::kFloat32) {
      return absl::InvalidArgumentError(
          absl::StrCat("expert for ", task, ": observation '", key, "' (float32) is missing"));
    }
  }
  return absl::OkStatus();
}

// A stateless state-feedback expert: observation -> action values in [-1, 1] (every
// calico MuJoCo task's control range). Not thread-safe (as every Policy), though it holds
// no mutable state.
class FeedbackExpert : public Policy {
 public:
  using Controller = std::function<std::vector<double>(const TimeStep&)>;
  FeedbackExpert(std::string task, std::vector<const char*> keys, int action_size, Controller controller)
      : task_(std::move(task)), keys_(std::move(keys)), action_size_(action_size), controller_(std::move(controller)) {}

  void Reset(uint64_t seed) override {}

  absl::StatusOr<NamedArrays> Act(const TimeStep& timestep) override {
    for (const char* key : keys_) RETURN_IF_ERROR(RequireKeys(timestep, {key}, task_));
    std::vector<double> u = controller_(timestep);
    std::vector<float> values(action_size_);
    for (int i = 0; i < action_size_; ++i) values[i] = static_cast<float>(Clip(std::isfinite(u[i]) ? u[i] : 0.0, -1.0, 1.0));
    return NamedArrays{{"action", Array::Float({action_size_}, std::move(values))}};
  }

 private:
  std::string task_;
  std::vector<const char*> keys_;
  int action_size_;
  Controller controller_;
};

// Linearises `model` at (qpos, qvel, ctrl = 0) with MuJoCo's finite differences:
// x' = A x + B u, x = (qpos tangent, qvel) of size 2 nv.
void Linearise(const mjModel* model, mjData* data, std::vector<double>* a, std::vector<double>* b) {
  const int n = 2 * model->nv + model->na, m = model->nu;
  a->assign(static_cast<size_t>(n) * n, 0.0);
  b->assign(static_cast<size_t>(n) * m, 0.0);
  mj_forward(model, data);
  mjd_transitionFD(model, data, 1e-6, /*centered=*/1, a->data(), b->data(), nullptr, nullptr);
}

// LQR gain for `task`'s model linearised at the origin (upright for the pendulums).
absl::StatusOr<std::vector<double>> UprightLqrGain(const std::string& task, const std::vector<double>& q_diag,
                                                   double r) {
  ASSIGN_OR_RETURN(MjModelPtr model, LoadMujocoTaskModel(task));
  ASSIGN_OR_RETURN(MjDataPtr data, MakeData(model.get()));
  std::vector<double> a, b;
  Linearise(model.get(), data.get(), &a, &b);
  const int n = 2 * model->nv, m = model->nu;
  if (static_cast<int>(q_diag.size()) != n) {
    return absl::InternalError(absl::StrCat("LQR cost for ", task, " has ", q_diag.size(), " entries, expected ", n));
  }
  std::vector<double> q(static_cast<size_t>(n) * n, 0.0);
  for (int i = 0; i < n; ++i) q[i * n + i] = q_diag[i];
  std::vector<double> rm(static_cast<size_t>(m) * m, 0.0);
  for (int i = 0; i < m; ++i) rm[i * m + i] = r;
  return DiscreteLqrGain(a, b, q, rm, n, m);
}

// Pole energy relative to upright at rest, for a pole hinged about y: E = I w^2 / 2 +
// m g l (cos(theta) - 1), with I about the hinge and l the hinge-to-centre-of-mass length.
struct PoleEnergy {
  double inertia = 0.0, mgl = 0.0;
  double operator()(double theta, double omega) const { return 0.5 * inertia * omega * omega + mgl * (std::cos(theta) - 1.0); }
};

absl::StatusOr<PoleEnergy> PoleEnergyOf(const std::string& task, const char* body) {
  ASSIGN_OR_RETURN(MjModelPtr model, LoadMujocoTaskModel(task));
  const int id = mj_name2id(model.get(), mjOBJ_BODY, body);
  if (id < 0) return absl::InternalError(absl::StrCat(task, " has no body '", body, "'"));
  const double mass = model->body_mass[id];
  const double* com = model->body_ipos + 3 * id;
  const double l = std::sqrt(com[0] * com[0] + com[2] * com[2]);
  PoleEnergy energy;
  energy.inertia = model->body_inertia[3 * id + 1] + mass * l * l;
  energy.mgl = mass * -model->opt.gravity[2] * l;
  return energy;
}

absl::StatusOr<std::unique_ptr<Policy>> CartpoleExpert(const std::string& task) {
  // State (x, theta, x', theta'); theta = 0 upright.
  ASSIGN_OR_RETURN(std::vector<double> k, UprightLqrGain(task, {1.0, 10.0, 0.1, 0.1}, 1.0));
  ASSIGN_OR_RETURN(PoleEnergy energy, PoleEnergyOf(task, "pole_1"));
  auto controller = [k, energy](const TimeStep& t) {
    const std::vector<float>& p = Obs(t, "position");
    const std::vector<float>& v = Obs(t, "velocity");
    const double x = p[0], theta = std::atan2(p[2], p[1]), xd = v[0], w = v[1];
    if (std::cos(theta) > std::cos(0.6)) {
      const double state[4] = {x, theta, xd, w};
      double u = 0.0;
      for (int i = 0; i < 4; ++i) u -= k[i] * state[i];
      return std::vector<double>{u};
    }
    // Swing-up: the cart's acceleration a changes the pole's energy at the rate
    // -m l a w cos(theta); push to drive the energy to the upright value, and keep the
    // cart near the centre of the rail.
    const double e = energy(theta, w);
    const double pump = 10.0 * (0.0 - e) * (-w * std::cos(theta));
    const double centre = -0.5 * x - 0.5 * xd;
    return std::vector<double>{pump + centre};
  };
  return std::unique_ptr<Policy>(new FeedbackExpert(task, {"position", "velocity"}, 1, controller));
}

absl::StatusOr<std::unique_ptr<Policy>> PendulumExpert(const std::string& task) {
  ASSIGN_OR_RETURN(std::vector<double> k, UprightLqrGain(task, {10.0, 1.0}, 1.0));
  ASSIGN_OR_RETURN(PoleEnergy energy, PoleEnergyOf(task, "pole"));
  auto controller = [k, energy](const TimeStep& t) {
    const std::vector<float>& o = Obs(t, "orientation");
    const double theta = std::atan2(o[1], o[0]), w = Obs(t, "velocity")[0];
    if (std::cos(theta) > std::cos(0.35)) {
      return std::vector<double>{-(k[0] * theta + k[1] * w)};
    }
    // Torque along the motion adds energy at the rate u w: pump until the energy reaches
    // the upright value (a little above, to cover the joint damping on the way up).
    const double e = energy(theta, w);
    const double target = 0.05;
    double u = 5.0 * (target - e) * w;
    // At rest at the very bottom the pump gives nothing: start a swing. (Anywhere else at
    // rest, gravity starts one, and a constant push would only hold the pole still.)
    if (std::abs(w) < 0.1 && std::abs(Wrap(theta - kPi)) < 0.05) u = 1.0;
    return std::vector<double>{u};
  };
  return std::unique_ptr<Policy>(new FeedbackExpert(task, {"orientation", "velocity"}, 1, controller));
}

absl::StatusOr<std::unique_ptr<Policy>> ReacherExpert(const std::string& task) {
  ASSIGN_OR_RETURN(MjModelPtr model, LoadMujocoTaskModel(task));
  const int hand = mj_name2id(model.get(), mjOBJ_BODY, "hand");
  const int finger = mj_name2id(model.get(), mjOBJ_BODY, "finger");
  const int wrist = mj_name2id(model.get(), mjOBJ_JOINT, "wrist");
  if (hand < 0 || finger < 0 || wrist < 0) return absl::InternalError("reacher model lacks hand/finger/wrist");
  const double l1 = model->body_pos[3 * hand], l2 = model->body_pos[3 * finger];
  const double wrist_limit = model->jnt_range[2 * wrist + 1];
  auto controller = [l1, l2, wrist_limit](const TimeStep& t) {
    const std::vector<float>& q = Obs(t, "position");
    const std::vector<float>& d = Obs(t, "to_target");
    const std::vector<float>& v = Obs(t, "velocity");
    // Target relative to the shoulder: fingertip (forward kinematics) plus to_target.
    const double fx = l1 * std::cos(q[0]) + l2 * std::cos(q[0] + q[1]);
    const double fy = l1 * std::sin(q[0]) + l2 * std::sin(q[0] + q[1]);
    const double tx = fx + d[0], ty = fy + d[1];
    // Inverse kinematics: both elbow solutions, take the one nearer the current pose.
    const double r2 = tx * tx + ty * ty;
    const double c2 = Clip((r2 - l1 * l1 - l2 * l2) / (2.0 * l1 * l2), -1.0, 1.0);
    double best_q1 = q[0], best_q2 = q[1], best_cost = 1e300;
    for (double sign : {1.0, -1.0}) {
      const double q2 = Clip(sign * std::acos(c2), -wrist_limit, wrist_limit);
      const double q1 = std::atan2(ty, tx) - std::atan2(l2 * std::sin(q2), l1 + l2 * std::cos(q2));
      const double cost = std::abs(Wrap(q1 - q[0])) + std::abs(q2 - q[1]);
      if (cost < best_cost) {
        best_cost = cost;
        best_q1 = q1;
        best_q2 = q2;
      }
    }
    const double e1 = Wrap(best_q1 - q[0]), e2 = best_q2 - q[1];
    return std::vector<double>{8.0 * e1 - 0.8 * v[0], 8.0 * e2 - 0.8 * v[1]};
  };
  return std::unique_ptr<Policy>(new FeedbackExpert(task, {"position", "to_target", "velocity"}, 2, controller));
}

absl::StatusOr<std::unique_ptr<Policy>> PointMassExpert(const std::string& task) {
  auto controller = [](const TimeStep& t) {
    const std::vector<float>& p = Obs(t, "position");
    const std::vector<float>& v = Obs(t, "velocity");
    // The target sits at the origin; the joints' damping already brakes the mass.
    return std::vector<double>{-40.0 * p[0] - 2.0 * v[0], -40.0 * p[1] - 2.0 * v[1]};
  };
  return std::unique_ptr<Policy>(new FeedbackExpert(task, {"position", "velocity"}, 2, controller));
}

absl::StatusOr<std::unique_ptr<Policy>> ArsExpert(const std::string& task) {
  ASSIGN_OR_RETURN(LinearPolicyParams params, EmbeddedArsWeights(task));
  ASSIGN_OR_RETURN(std::unique_ptr<Environment> env, MakeMujocoEnvironment(task));
  ASSIGN_OR_RETURN(std::unique_ptr<LinearPolicy> policy,
                   LinearPolicy::Create(std::move(params), env->observation_spec(), env->action_spec()));
  return std::unique_ptr<Policy>(std::move(policy));
}

using ExpertFactory = absl::StatusOr<std::unique_ptr<Policy>> (*)(const std::string&);

const std::vector<std::pair<std::string, ExpertFactory>>& Experts() {
  static const auto* experts = new std::vector<std::pair<std::string, ExpertFactory>>{
      {"mujoco/acrobot_swingup", ArsExpert}, {"mujoco/cartpole_balance", CartpoleExpert},
      {"mujoco/cartpole_swingup", CartpoleExpert}, {"mujoco/cheetah_run", ArsExpert},
      {"mujoco/pendulum_swingup", PendulumExpert}, {"mujoco/point_mass_easy", PointMassExpert},
      {"mujoco/reacher_easy", ReacherExpert}, {"mujoco/reacher_hard", ReacherExpert},
  };
  return *experts;
}

}  // namespace

absl::StatusOr<std::vector<double>> DiscreteLqrGain(const std::vector<double>& a, const std::vector<double>& b,
                                                    const std::vector<double>& q, const std::vector<double>& r,
                                                    int n, int m) {
  if (n < 1 || m < 1 || a.size() != static_cast<size_t>(n) * n || b.size() != static_cast<size_t>(n) * m ||
      q.size() != static_cast<size_t>(n) * n || r.size() != static_cast<size_t>(m) * m) {
    return absl::InvalidArgumentError(absl::StrCat("LQR: sizes A ", a.size(), ", B ", b.size(), ", Q ", q.size(),
                                                   ", R ", r.size(), " do not fit n = ", n, ", m = ", m));
  }
  const Eigen::Map<const RowMatrix> A(a.data(), n, n), B(b.data(), n, m), Q(q.data(), n, n), R(r.data(), m, m);
  RowMatrix P = Q;
  RowMatrix K(m, n);
  for (int iteration = 0; iteration < 100000; ++iteration) {
    const RowMatrix BtP = B.transpose() * P;
    K = (R + BtP * B).ldlt().solve(BtP * A);
    const RowMatrix next = Q + A.transpose() * P * (A - B * K);
    const double change = (next - P).cwiseAbs().maxCoeff();
    P = 0.5 * (next + next.transpose());
    if (!std::isfinite(change)) break;
    if (change <= 1e-10 * std::max(1.0, P.cwiseAbs().maxCoeff())) {
      return std::vector<double>(K.data(), K.data() + static_cast<size_t>(m) * n);
    }
  }
  return absl::FailedPreconditionError("LQR: the Riccati iteration did not converge (is (A, B) stabilisable?)");
}

absl::StatusOr<LinearPolicyParams> EmbeddedArsWeights(const std::string& task) {
  const std::string state_task = StateTask(task);
  if (state_task.rfind(kFamily, 0) != 0) {
    return absl::NotFoundError(absl::StrCat("no ARS weights for '", task, "' (expected a mujoco/ task)"));
  }
  const std::string name = state_task.substr(sizeof(kFamily) - 1);
  const char* text = EmbeddedArsText(name.c_str());
  if (text == nullptr) return absl::NotFoundError(absl::StrCat("no ARS weights compiled in for '", task, "'"));
  ASSIGN_OR_RETURN(LinearPolicyParams params, LinearPolicyFromText(text, absl::StrCat("policies/experts/", name, ".ars")));
  if (params.task != state_task) {
    return absl::InvalidArgumentError(
        absl::StrCat("policies/experts/", name, ".ars was trained for '", params.task, "', not '", state_task, "'"));
  }
  return params;
}

std::vector<std::string> MujocoExpertTasks() {
  std::vector<std::string> tasks;
  for (const auto& [task, factory] : Experts()) tasks.push_back(task);
  return tasks;
}

absl::StatusOr<std::unique_ptr<Policy>> MakeMujocoExpert(const std::string& task) {
  const std::string state_task = StateTask(task);
  for (const auto& [name, factory] : Experts()) {
    if (name == state_task) return factory(state_task);
  }
  return absl::NotFoundError(
      absl::StrCat("no MuJoCo expert for '", task, "'; known: ", absl::StrJoin(MujocoExpertTasks(), ", ")));
}

}  // namespace calico
