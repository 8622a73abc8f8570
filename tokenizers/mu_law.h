// Mu-law companding (mu = 100, M = 256) into [-1, 1] and the 1024 uniform bins that turn
// continuous values into tokens (Gato, Reed et al. 2022, §2.1). Pure functions.
#ifndef CALICO_TOKENIZERS_MU_LAW_H_
#define CALICO_TOKENIZERS_MU_LAW_H_

#include <cstdint>

namespace calico {

inline constexpr double kMuLawMu = 100.0;
inline constexpr double kMuLawM = 256.0;
// Number of continuous bins.
inline constexpr int kNumContinuousBins = 1024;

// F(x) = sgn(x) * log(|x| * mu + 1) / log(M * mu + 1); not clipped.
double MuLawEncode(double x);
// Inverse of MuLawEncode on [-1, 1].
double MuLawDecode(double y);

// Bin of `x` in [0, 1024): mu-law, clip to [-1, 1], then floor((y + 1) / 2 * 1024), with
// y = 1 falling in the last bin. Infinities land in the end bins; `x` must not be NaN.
int32_t ContinuousBin(double x);
// Centre of `bin` in mu-law space, -1 + (bin + 0.5) * 2 / 1024, mapped back by the
// inverse mu-law.
double ContinuousBinValue(int32_t bin);

}  // namespace calico

#endif  // CALICO_TOKENIZERS_MU_LAW_H_
