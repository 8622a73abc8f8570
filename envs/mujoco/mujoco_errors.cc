#include "envs/mujoco/mujoco_errors.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#include "absl/strings/str_cat.h"
#include "mujoco/mujoco.h"

namespace calico {
namespace mujoco_errors_internal {

std::atomic<bool> handler_installed{false};

int& RunDepth() {
  static thread_local int depth = 0;
  return depth;
}

absl::Status ErrorStatus(absl::string_view what, const MujocoError& error) {
  return absl::InternalError(absl::StrCat("MuJoCo error during ", what, ": ", error.message));
}

}  // namespace mujoco_errors_internal

namespace {

// The handler that was installed before calico's (null: MuJoCo's default).
void (*previous_handler)(const char*) = nullptr;

void HandleMujocoError(const char* message) {
  if (mujoco_errors_internal::RunDepth() > 0) {
    throw mujoco_errors_internal::MujocoError{message != nullptr ? message : "(no message)"};
  }
  if (previous_handler != nullptr) previous_handler(message);
  // MuJoCo does not expect the handler to return.
  std::fprintf(stderr, "calico: MuJoCo error outside an environment call: %s\n", message != nullptr ? message : "");
  std::abort();
}

}  // namespace

void InstallMujocoErrorHandler() {
  static std::once_flag once;
  std::call_once(once, [] {
    previous_handler = mju_user_error;
    mju_user_error = &HandleMujocoError;
    mujoco_errors_internal::handler_installed.store(true, std::memory_order_release);
  });
}

}  // namespace calico
