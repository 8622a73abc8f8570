// The DeepMind Control Suite tasks on calico's own MJCF: cartpole, pendulum, reacher,
// point_mass, acrobot and cheetah, each with a state-only and a "_pixels" variant.
#ifndef CALICO_ENVS_MUJOCO_MUJOCO_ENV_H_
#define CALICO_ENVS_MUJOCO_MUJOCO_ENV_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "envs/environment.h"
#include "envs/mujoco/mujoco_handles.h"
#include "envs/mujoco/renderer.h"
#include "envs/task_registry.h"
#include "mujoco/mujoco.h"

namespace calico {

// Agent steps in every MuJoCo episode (the Control Suite's time limits divided by the
// control timestep).
inline constexpr int64_t kMujocoEpisodeSteps = 1000;

// Side of the square "pixels" observation of the _pixels tasks.
inline constexpr int kMujocoPixelsSize = 64;

struct MujocoTaskDef;  // the task's initial state, observations and reward (mujoco_env.cc)

// One Control Suite task. Not thread-safe; instances share nothing mutable (each owns its
// model, data and GL context), so different instances may run on different threads.
// Observations: FLOAT32 arrays named as in the Control Suite, plus "pixels" UINT8
// [64, 64, 3] from the model's "fixed" camera in the _pixels variants. Action: FLOAT32
// "action" [nu] bounded by the actuators' ctrlrange. Rewards are in [0, 1]; an episode is
// 1000 agent steps and ends with a LAST step of discount 1.
class MujocoEnvironment : public Environment {
 public:
  // `task` is a registered name ("mujoco/cartpole_swingup", "mujoco/reacher_easy_pixels");
  // NotFound lists the known ones.
  static absl::StatusOr<std::unique_ptr<MujocoEnvironment>> Create(const std::string& task);

  ~MujocoEnvironment() override;

  const SpecMap& observation_spec() const override { return observation_spec_; }
  const SpecMap& action_spec() const override { return action_spec_; }
  absl::StatusOr<TimeStep> Reset(uint64_t seed) override;
  absl::StatusOr<TimeStep> Step(const NamedArrays& action) override;
  // Reset and Step without allocating (see Environment) once `timestep` holds this
  // task's observation arrays. A MuJoCo error while stepping (mju_error, see
  // mujoco_errors.h) is an InternalError with MuJoCo's message; it ends the episode.
  absl::Status ResetInto(uint64_t seed, TimeStep* timestep) override;
  absl::Status StepInto(const NamedArrays& action, TimeStep* timestep) override;
  // From the "fixed" camera; sizes up to 480 x 640.
  absl::StatusOr<Array> Render(int height, int width) override;

  // The physics, for experts, tests and tools (read-only: changing it breaks determinism).
  const mjModel* model() const { return model_.get(); }
  const mjData* data() const { return data_.get(); }
  // Seconds of simulated time per physics step, and per agent step (control timestep).
  double physics_timestep() const;
  double control_timestep() const;

 private:
  static constexpr int kMaxObservations = 8;  // FLOAT32 observation arrays of a task, at most

  MujocoEnvironment(const MujocoTaskDef* def, bool pixels, MjModelPtr model, MjDataPtr data);
  // One observation array, in key order.
  struct ObservationSlot {
    std::string key;
    int index;     // in def_->observations (FLOAT32 [size]); -1 for "pixels"
    int64_t size;  // elements
  };
  // If `observation` already has the keys and value counts of observation_spec_ (and no
  // stray storage), so that WriteTimeStep may overwrite it in place, sets the FLOAT32
  // arrays' dtype and shape, points out[i] at the floats of def_->observations[i] and
  // returns true. Returns false (having maybe set some dtypes and shapes) otherwise.
  bool FindObservationBuffers(NamedArrays& observation, float** out) const;
  // Fills *timestep from the current state (observation arrays reused when they fit).
  absl::Status WriteTimeStep(StepType type, double reward, TimeStep* timestep);

  const MujocoTaskDef* def_;
  bool pixels_;
  MjModelPtr model_;
  MjDataPtr data_;
  std::unique_ptr<OffscreenRenderer> renderer_;  // created on first use
  Array frame_;  // the _pixels variants' latest frame, on its way into the TimeStep
  int camera_id_ = -1;
  SpecMap observation_spec_;
  SpecMap action_spec_;
  SpecChecker action_checker_;  // action_spec_, checked without lookups every Step
  // The task's per-step functions and the model ids they read (ids_[i] for
  // def_->names[i]), kept here beside the other per-step state (fewer cache lines to
  // reload after MuJoCo's step has run through its own data).
  static constexpr int kMaxIds = 8;
  void (*observe_)(const mjModel*, const mjData*, const int*, float* const*) = nullptr;
  double (*reward_)(const mjModel*, const mjData*, const int*) = nullptr;
  int ids_[kMaxIds] = {};
  std::vector<ObservationSlot> observation_slots_;  // [observation_spec_.size()]
  int64_t steps_ = 0;
  bool episode_running_ = false;
};

// The 16 task names ("mujoco/acrobot_swingup", ..., the _pixels variants), sorted.
std::vector<std::string> MujocoTaskNames();

// A fresh environment for `task` (see MujocoEnvironment::Create).
absl::StatusOr<std::unique_ptr<Environment>> MakeMujocoEnvironment(const std::string& task);

// The compiled model `task` runs on (with the task's per-task settings, e.g. reacher's
// target size), for controllers that linearise it. `task` may be a _pixels variant.
absl::StatusOr<MjModelPtr> LoadMujocoTaskModel(const std::string& task);

// Registers all 16 MuJoCo tasks with a one-line description and 1000 episode steps.
absl::Status RegisterMujocoTasks(TaskRegistry* registry);

}  // namespace calico

#endif  // CALICO_ENVS_MUJOCO_MUJOCO_ENV_H_
