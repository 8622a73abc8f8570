// Finding calico's files (the text model, inputs) from wherever the binary runs:
// `bazel run` (runfiles, and the user's directory in BUILD_WORKING_DIRECTORY), the
// build tree, or an explicit path.
#ifndef CALICO_AGENT_RESOURCE_PATHS_H_
#define CALICO_AGENT_RESOURCE_PATHS_H_

#include <string>

#include "absl/status/statusor.h"

namespace calico {

// `path` as the user meant it: a relative path is taken against the directory the user
// ran `bazel run` from (BUILD_WORKING_DIRECTORY) when set, else left as is.
std::string UserPath(const std::string& path);

// The SentencePiece model to use: `flag_value` if not empty (see UserPath), else
// $CALICO_TEXT_MODEL, else the copy in the binary's runfiles, else the workspace's
// (BUILD_WORKSPACE_DIRECTORY or the current directory). NotFound lists where it looked,
// or names the flag or variable whose path cannot be read.
absl::StatusOr<std::string> FindTextModel(const std::string& flag_value);

}  // namespace calico

#endif  // CALICO_AGENT_RESOURCE_PATHS_H_
