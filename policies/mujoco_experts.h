// Expert policies for the MuJoCo tasks: energy-based swing-up with LQR balancing (cartpole,
// pendulum), PD control (reacher, point_mass), and ARS-trained linear policies shipped in
// policies/experts/*.ars (acrobot, cheetah).
#ifndef CALICO_POLICIES_MUJOCO_EXPERTS_H_
#define CALICO_POLICIES_MUJOCO_EXPERTS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "policies/linear_policy.h"
#include "policies/policy.h"

namespace calico {

// The expert for a MuJoCo task ("mujoco/cartpole_swingup", or its _pixels variant, for
// which it reads only the state observations). Deterministic; not thread-safe (one per
// environment). NotFound for tasks without an expert.
absl::StatusOr<std::unique_ptr<Policy>> MakeMujocoExpert(const std::string& task);

// The tasks MakeMujocoExpert knows (the 8 state tasks; _pixels variants work too).
std::vector<std::string> MujocoExpertTasks();

// The ARS weights compiled into the binary for `task` (e.g. "mujoco/cheetah_run"), parsed;
// NotFound when the task has none.
absl::StatusOr<LinearPolicyParams> EmbeddedArsWeights(const std::string& task);

// Discrete-time LQR gain K (u = -K x) for x' = A x + B u with costs Q (n x n) and R
// (m x m), all row-major, by iterating the Riccati equation to convergence. Errors if the
// sizes disagree or the iteration does not converge.
absl::StatusOr<std::vector<double>> DiscreteLqrGain(const std::vector<double>& a, const std::vector<double>& b,
                                                    const std::vector<double>& q, const std::vector<double>& r,
                                                    int n, int m);

}  // namespace calico

#endif  // CALICO_POLICIES_MUJOCO_EXPERTS_H_
