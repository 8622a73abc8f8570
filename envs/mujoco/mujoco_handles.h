// RAII owners of MuJoCo's mjModel / mjData, and loading a model from MJCF text.
#ifndef CALICO_ENVS_MUJOCO_MUJOCO_HANDLES_H_
#define CALICO_ENVS_MUJOCO_MUJOCO_HANDLES_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mujoco/mujoco.h"

namespace calico {

// Deleters for std::unique_ptr: free with MuJoCo's own functions.
struct MjModelDeleter {
  void operator()(mjModel* model) const { mj_deleteModel(model); }
};
struct MjDataDeleter {
  void operator()(mjData* data) const { mj_deleteData(data); }
};

// Owns an mjModel (freed with mj_deleteModel). Move-only.
using MjModelPtr = std::unique_ptr<mjModel, MjModelDeleter>;
// Owns an mjData (freed with mj_deleteData). Move-only.
using MjDataPtr = std::unique_ptr<mjData, MjDataDeleter>;

// Compiles the MJCF document `xml`; `name` ("cartpole.xml") names it in errors. A document
// MuJoCo rejects is an InvalidArgument error carrying MuJoCo's own message. Thread-safe
// (loads are serialised: MuJoCo 2.2's XML parser is not documented as reentrant).
absl::StatusOr<MjModelPtr> LoadModelFromXml(absl::string_view xml, absl::string_view name);

// A fresh mjData for `model`; ResourceExhausted if MuJoCo cannot allocate it.
absl::StatusOr<MjDataPtr> MakeData(const mjModel* model);

}  // namespace calico

#endif  // CALICO_ENVS_MUJOCO_MUJOCO_HANDLES_H_
