// GoogleTest matchers for absl::Status and absl::StatusOr (Debian's Abseil has none).
#ifndef CALICO_BASE_STATUS_MATCHERS_H_
#define CALICO_BASE_STATUS_MATCHERS_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace testing_internal {

inline const absl::Status& GetStatus(const absl::Status& status) { return status; }

template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

}  // namespace testing_internal

// Matches an OK absl::Status or an absl::StatusOr holding a value.
MATCHER(IsOk, "is OK") {
  const absl::Status& status = testing_internal::GetStatus(arg);
  if (!status.ok()) *result_listener << "status is " << status;
  return status.ok();
}

// Matches a status with `code` whose message satisfies `message_matcher`
// (a gmock matcher such as HasSubstr("...")).
MATCHER_P2(StatusIs, code, message_matcher,
           "has code " + absl::StatusCodeToString(code) + " and a matching message") {
  const absl::Status& status = testing_internal::GetStatus(arg);
  *result_listener << "status is " << status;
  return status.code() == code &&
         ::testing::Matches(message_matcher)(std::string(status.message()));
}

// Matches a status with `code`, whatever its message.
MATCHER_P(StatusIs, code, "has code " + absl::StatusCodeToString(code)) {
  const absl::Status& status = testing_internal::GetStatus(arg);
  *result_listener << "status is " << status;
  return status.code() == code;
}

}  // namespace calico

#define ASSERT_OK(expr) ASSERT_THAT((expr), ::calico::IsOk())
#define EXPECT_OK(expr) EXPECT_THAT((expr), ::calico::IsOk())

// Asserts `rexpr` (an absl::StatusOr) is OK and moves its value into `lhs`.
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr)                                                 \
  CALICO_ASSERT_OK_AND_ASSIGN_IMPL_(CALICO_STATUS_CONCAT_(calico_test_statusor_, __COUNTER__), \
                                    lhs, rexpr)
#define CALICO_ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                     \
  ASSERT_THAT(statusor, ::calico::IsOk());                     \
  lhs = std::move(statusor).value()

#ifndef CALICO_STATUS_CONCAT_
#define CALICO_STATUS_CONCAT_INNER_(a, b) a##b
#define CALICO_STATUS_CONCAT_(a, b) CALICO_STATUS_CONCAT_INNER_(a, b)
#endif

#endif  // CALICO_BASE_STATUS_MATCHERS_H_
