#include "tokenizers/mu_law.h"

#include <algorithm>
#include <cmath>

namespace calico {
namespace {

// log(M * mu + 1), the mu-law normaliser.
const double kMuLawLogScale = std::log(kMuLawM * kMuLawMu + 1.0);

}  // namespace

double MuLawEncode(double x) {
  const double magnitude = std::log1p(std::fabs(x) * kMuLawMu) / kMuLawLogScale;
  return std::copysign(magnitude, x);
}

double MuLawDecode(double y) {
  const double magnitude = std::expm1(std::fabs(y) * kMuLawLogScale) / kMuLawMu;
  return std::copysign(magnitude, y);
}

int32_t ContinuousBin(double x) {
  const double y = std::clamp(MuLawEncode(x), -1.0, 1.0);
  const int32_t bin = static_cast<int32_t>(std::floor((y + 1.0) * (kNumContinuousBins / 2.0)));
  return std::min(bin, kNumContinuousBins - 1);
}

double ContinuousBinValue(int32_t bin) {
  const double centre = -1.0 + (bin + 0.5) * (2.0 / kNumContinuousBins);
  return MuLawDecode(centre);
}

}  // namespace calico
