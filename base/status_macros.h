// Status propagation macros. Debian's Abseil (20220623) ships no status_macros.h, so
// calico defines the two it needs.
#ifndef CALICO_BASE_STATUS_MACROS_H_
#define CALICO_BASE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CALICO_STATUS_CONCAT_INNER_(a, b) a##b
#define CALICO_STATUS_CONCAT_(a, b) CALICO_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status); returns it from the enclosing function if not OK.
#define RETURN_IF_ERROR(expr)                                  \
  do {                                                         \
    ::absl::Status calico_status_ = (expr);                    \
    if (!calico_status_.ok()) return calico_status_;           \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status, otherwise
// moves the value into `lhs` (which may be a declaration such as `auto x`).
#define ASSIGN_OR_RETURN(lhs, rexpr)                                              \
  CALICO_ASSIGN_OR_RETURN_IMPL_(CALICO_STATUS_CONCAT_(calico_statusor_, __COUNTER__), \
                                lhs, rexpr)

#define CALICO_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                  \
  if (!statusor.ok()) return std::move(statusor).status();  \
  lhs = std::move(statusor).value()

#endif  // CALICO_BASE_STATUS_MACROS_H_
