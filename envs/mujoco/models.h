// calico's own MJCF for the Control Suite domains, with the Control Suite's physical
// parameters (masses, lengths, damping, gears, control ranges, timesteps).
#ifndef CALICO_ENVS_MUJOCO_MODELS_H_
#define CALICO_ENVS_MUJOCO_MODELS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace calico {

// MJCF text of `domain` ("cartpole", "pendulum", "reacher", "point_mass", "acrobot",
// "cheetah"); NotFound lists the known domains. Every model has a camera named "fixed"
// that shows the whole system (the pixel observations' camera) and a 640x480 offscreen
// buffer.
absl::StatusOr<std::string> DomainXml(absl::string_view domain);

// Every domain DomainXml knows, sorted.
std::vector<std::string> DomainNames();

}  // namespace calico

#endif  // CALICO_ENVS_MUJOCO_MODELS_H_
