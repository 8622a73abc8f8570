#include "agent/resource_paths.h"

#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tokenizers/text/train_text_model.h"

namespace calico {
namespace {

bool Exists(const std::string& path) { return ::access(path.c_str(), R_OK) == 0; }

std::string SelfExe() {
  char buffer[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
  return n > 0 ? std::string(buffer, n) : "";
}

}  // namespace

std::string UserPath(const std::string& path) {
  const char* dir = std::getenv("BUILD_WORKING_DIRECTORY");
  if (path.empty() || path[0] == '/' || dir == nullptr) return path;
  return absl::StrCat(dir, "/", path);
}

absl::StatusOr<std::string> FindTextModel(const std::string& flag_value) {
  if (!flag_value.empty()) {
    const std::string path = UserPath(flag_value);
    if (!Exists(path)) return absl::NotFoundError(absl::StrCat("--text_model '", path, "' cannot be read"));
    return path;
  }
  // Set, it is the user's choice as the flag is: a path that cannot be read is an error,
  // not a reason to use another model quietly.
  if (const char* env = std::getenv("CALICO_TEXT_MODEL"); env != nullptr && *env != '\0') {
    if (!Exists(env)) {
      return absl::NotFoundError(absl::StrCat("CALICO_TEXT_MODEL is '", env, "', which cannot be read"));
    }
    return std::string(env);
  }
  std::vector<std::string> candidates;
  const std::string exe = SelfExe();
  if (!exe.empty()) candidates.push_back(absl::StrCat(exe, ".runfiles/calico/", kCalicoTextModelPath));
  if (const char* runfiles = std::getenv("RUNFILES_DIR")) {
    candidates.push_back(absl::StrCat(runfiles, "/calico/", kCalicoTextModelPath));
  }
  if (const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY")) {
    candidates.push_back(absl::StrCat(workspace, "/", kCalicoTextModelPath));
  }
  candidates.push_back(kCalicoTextModelPath);
  for (const std::string& path : candidates) {
    if (Exists(path)) return path;
  }
  return absl::NotFoundError(absl::StrCat("cannot find the text model; looked in: ", absl::StrJoin(candidates, ", "),
                                          ". Pass --text_model=PATH or set CALICO_TEXT_MODEL"));
}

}  // namespace calico
