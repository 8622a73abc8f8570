// Rng: a small, seedable, platform-independent random generator (SplitMix64), so the
// same seed gives the same numbers on every machine and standard library.
#ifndef CALICO_BASE_RANDOM_H_
#define CALICO_BASE_RANDOM_H_

#include <cstdint>

namespace calico {

// Not thread-safe: give each thread its own Rng.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  // Next 64 uniformly distributed bits.
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  // Uniform integer in [lo, hi); requires lo < hi. Rejection sampling keeps it unbiased.
  int64_t UniformInt(int64_t lo, int64_t hi) {
    const uint64_t range = static_cast<uint64_t>(hi - lo);
    const uint64_t limit = UINT64_MAX - UINT64_MAX % range;
    uint64_t r;
    do {
      r = Next();
    } while (r >= limit);
    return lo + static_cast<int64_t>(r % range);
  }

  // Uniform double in [0, 1).
  double Uniform() { return (Next() >> 11) * (1.0 / 9007199254740992.0); }

  uint64_t state() const { return state_; }

 private:
  uint64_t state_;
};

}  // namespace calico

#endif  // CALICO_BASE_RANDOM_H_
