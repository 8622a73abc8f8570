#include "envs/mujoco/mujoco_handles.h"

#include <cstring>
#include <mutex>

#include "absl/strings/str_cat.h"

namespace calico {
namespace {

std::mutex& LoadMutex() {
  static std::mutex* mutex = new std::mutex;
  return *mutex;
}

// Owns an mjVFS, which is a large (megabytes) plain struct: keep it off the stack.
struct VfsHolder {
  VfsHolder() : vfs(new mjVFS) { mj_defaultVFS(vfs.get()); }
  ~VfsHolder() { mj_deleteVFS(vfs.get()); }
  std::unique_ptr<mjVFS> vfs;
};

}  // namespace

absl::StatusOr<MjModelPtr> LoadModelFromXml(absl::string_view xml, absl::string_view name) {
  const std::string filename = name.empty() ? std::string("model.xml") : std::string(name);
  if (filename.size() >= mjMAXVFSNAME) {
    return absl::InvalidArgumentError(absl::StrCat("model name '", filename, "' is longer than ", mjMAXVFSNAME - 1));
  }
  // Checked here because mj_makeEmptyFileVFS ends the process on an empty file.
  if (xml.empty()) return absl::InvalidArgumentError(absl::StrCat("model '", filename, "' is empty: expected MJCF text"));
  // MuJoCo 2.2 has no "load from string": put the text in a virtual file system and load
  // that file from it.
  VfsHolder holder;
  mjVFS* vfs = holder.vfs.get();
  if (mj_makeEmptyFileVFS(vfs, filename.c_str(), static_cast<int>(xml.size())) != 0) {
    return absl::ResourceExhaustedError(absl::StrCat("cannot create the in-memory file for model '", filename, "'"));
  }
  const int index = mj_findFileVFS(vfs, filename.c_str());
  if (index < 0) {
    return absl::InternalError(absl::StrCat("in-memory file for model '", filename, "' vanished"));
  }
  std::memcpy(vfs->filedata[index], xml.data(), xml.size());

  char error[1024] = {0};
  mjModel* model = nullptr;
  {
    std::lock_guard<std::mutex> lock(LoadMutex());
    model = mj_loadXML(filename.c_str(), vfs, error, sizeof(error));
  }
  if (model == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("MuJoCo could not load model '", filename, "': ",
                                                   error[0] != '\0' ? error : "no message"));
  }
  return MjModelPtr(model);
}

absl::StatusOr<MjDataPtr> MakeData(const mjModel* model) {
  mjData* data = mj_makeData(model);
  if (data == nullptr) return absl::ResourceExhaustedError("MuJoCo could not allocate mjData");
  return MjDataPtr(data);
}

}  // namespace calico
