// MuJoCo's fatal errors as absl::Status instead of the end of the process.
//
// MuJoCo 2.2 reports a fatal error (mju_error: its per-mjData stack arena overflowing, an
// allocation failing, a corrupt model or state) through the process-global function
// pointer mju_user_error; with none set it prints the message, waits for Enter on stdin
// and calls exit(1).
//
// Design. One process-wide handler, installed once (std::call_once, so any thread may
// call InstallMujocoErrorHandler or RunMujoco first) and chained to whatever handler was
// installed before it. When the calling thread is inside RunMujoco (a thread_local depth
// counter says so), the handler throws a C++ exception that RunMujoco catches and turns
// into an InternalError carrying MuJoCo's message. Each thread's exception is its own, so
// environments on different threads fail independently.
//
// The exception unwinds through MuJoCo's C frames. libmujoco is built with unwind tables
// (its .eh_frame covers the engine; mujoco_errors_test throws through mj_step, and
// mujoco_env_test through Step) and plain C frames have nothing to clean up, so this is
// sound with GCC/Clang on Linux; it is also what MuJoCo's own Python bindings do.
// longjmp was rejected: jumping over any C++ frame between setjmp and the error (a
// std::function, a StatusOr) would skip destructors, which is undefined behaviour.
// What unwinding does not undo is MuJoCo's own bookkeeping in the mjData: its stack
// arena mark (d->pstack) stays raised and the state may be half-updated. So after an
// error the mjData must be reset (mj_resetData) before it is stepped again; the
// environments end the episode and require Reset.
//
// Outside RunMujoco the handler cannot throw (no caller would catch it): it calls the
// handler installed before it, if any, or prints the message to stderr and aborts, like a
// failed CHECK. (Checked in libmujoco 2.2.2: only mju_error reads mju_user_error and only
// mju_clearHandlers writes it, so model compilation on another thread does not swap it;
// calling mju_clearHandlers would uninstall this handler.)
#ifndef CALICO_ENVS_MUJOCO_MUJOCO_ERRORS_H_
#define CALICO_ENVS_MUJOCO_MUJOCO_ERRORS_H_

#include <atomic>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace calico {

// Installs calico's mju_user_error handler if it is not installed yet. Thread-safe.
void InstallMujocoErrorHandler();

// Runs `fn()`, which calls MuJoCo, and returns an InternalError "MuJoCo error during
// <what>: <MuJoCo's message>" if MuJoCo reports a fatal error inside it (fn is then cut
// short at that point), else OK. Installs the handler first. Thread-safe; may nest. `fn`
// must not catch every exception (catch (...)) around its MuJoCo calls. A template, so
// that the per-step physics pays for no indirect call.
template <typename Fn>
absl::Status RunMujoco(absl::string_view what, Fn&& fn);

// ---- implementation ----

namespace mujoco_errors_internal {

// Thrown by the handler inside RunMujoco, caught by RunMujoco.
struct MujocoError {
  std::string message;
};

extern std::atomic<bool> handler_installed;

// How many RunMujoco calls the current thread is inside.
int& RunDepth();

absl::Status ErrorStatus(absl::string_view what, const MujocoError& error);

// Keeps RunDepth() raised while alive (also when an exception passes).
class DepthGuard {
 public:
  DepthGuard() : depth_(RunDepth()) { ++depth_; }
  ~DepthGuard() { --depth_; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;

 private:
  int& depth_;
};

}  // namespace mujoco_errors_internal

template <typename Fn>
absl::Status RunMujoco(absl::string_view what, Fn&& fn) {
  if (!mujoco_errors_internal::handler_installed.load(std::memory_order_acquire)) InstallMujocoErrorHandler();
  try {
    mujoco_errors_internal::DepthGuard guard;
    fn();
  } catch (const mujoco_errors_internal::MujocoError& error) {
    return mujoco_errors_internal::ErrorStatus(what, error);
  }
  return absl::OkStatus();
}

}  // namespace calico

#endif  // CALICO_ENVS_MUJOCO_MUJOCO_ERRORS_H_
