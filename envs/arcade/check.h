// ARCADE_CHECK: aborts on a broken programmer invariant (Debian's Abseil 20220623 has no
// absl/log/check.h). Only for conditions no caller input can cause.
#ifndef CALICO_ENVS_ARCADE_CHECK_H_
#define CALICO_ENVS_ARCADE_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define ARCADE_CHECK(condition)                                                           \
  do {                                                                                    \
    if (!(condition)) {                                                                   \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)

#endif  // CALICO_ENVS_ARCADE_CHECK_H_
