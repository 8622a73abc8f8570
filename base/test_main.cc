// The main() of every calico test: GoogleTest and GoogleMock, plus Abseil's failure
// signal handler, so a test that crashes (SIGSEGV, SIGABRT, ...) prints the signal and a
// symbolised stack trace into its log instead of stopping silently mid-test.

#include "absl/debugging/failure_signal_handler.h"
#include "absl/debugging/symbolize.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

int main(int argc, char** argv) {
  absl::InitializeSymbolizer(argv[0]);
  absl::InstallFailureSignalHandler(absl::FailureSignalHandlerOptions());
  testing::InitGoogleMock(&argc, argv);
  return RUN_ALL_TESTS();
}
