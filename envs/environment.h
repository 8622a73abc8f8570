// The environment interface (dm_env-like): specs, Reset(seed), Step(action) -> TimeStep.
#ifndef CALICO_ENVS_ENVIRONMENT_H_
#define CALICO_ENVS_ENVIRONMENT_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "envs/array.h"
#include "envs/specs.h"

namespace calico {

// Where a TimeStep sits in its episode.
enum class StepType { kFirst, kMid, kLast };

// Lower-case name ("first", "mid", "last").
const char* StepTypeName(StepType type);

// What Reset and Step return. `reward` and `discount` are 0 and 1 on the FIRST step
// (as in dm_env they describe the transition into this step). A LAST step with discount 1
// is a time-limit truncation; with discount 0 a true termination.
struct TimeStep {
  StepType step_type = StepType::kFirst;
  double reward = 0.0;
  double discount = 1.0;
  NamedArrays observation;

  bool first() const { return step_type == StepType::kFirst; }
  bool last() const { return step_type == StepType::kLast; }
};

// A task instance. Not thread-safe: use one instance per thread. Distinct instances share
// no mutable state, so many can run side by side on different threads. The same seed
// and the same actions give bit-identical TimeSteps.
class Environment {
 public:
  virtual ~Environment() = default;

  // Specs of the observation arrays Reset/Step return, and of the action Step takes.
  virtual const SpecMap& observation_spec() const = 0;
  virtual const SpecMap& action_spec() const = 0;

  // Starts a new episode whose randomness comes only from `seed`; returns the FIRST step.
  virtual absl::StatusOr<TimeStep> Reset(uint64_t seed) = 0;

  // Applies `action` (checked against action_spec(): a bad key, shape, dtype, NaN or
  // out-of-bounds value is an InvalidArgument/OutOfRange error and changes nothing).
  // Calling Step before Reset or after a LAST step is a FailedPrecondition error.
  virtual absl::StatusOr<TimeStep> Step(const NamedArrays& action) = 0;

  // Reset and Step writing into `*timestep` instead of returning a new TimeStep. Passing
  // the same TimeStep back every step lets an environment overwrite its observation
  // arrays in place (the MuJoCo tasks then allocate nothing per step); the values are
  // exactly those Reset/Step return. On error `*timestep` is left unchanged. The defaults
  // call Reset/Step.
  virtual absl::Status ResetInto(uint64_t seed, TimeStep* timestep);
  virtual absl::Status StepInto(const NamedArrays& action, TimeStep* timestep);

  // An RGB frame of the current state, uint8 [height, width, 3], for videos. Errors for
  // sizes the renderer cannot make.
  virtual absl::StatusOr<Array> Render(int height, int width) = 0;
};

}  // namespace calico

#endif  // CALICO_ENVS_ENVIRONMENT_H_
