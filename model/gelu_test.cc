#include "model/gelu.h"

#include <algorithm>
#include <cstring>

#include "gtest/gtest.h"
#include "model/gradient_check.h"

namespace calico {
namespace {

TEST(GeluTest, MatchesKnownValues) {
  const std::vector<double> x = {-3, -1, 0, 1, 3};
  std::vector<double> y(5);
  GeluForward(x.data(), 5, y.data());
  // 0.5 x (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3))), evaluated independently.
  EXPECT_NEAR(y[0], -0.0036373920817729943, 1e-12);
  EXPECT_NEAR(y[1], -0.15880800939172324, 1e-12);
  EXPECT_EQ(y[2], 0.0);
  EXPECT_NEAR(y[3], 0.8411919906082768, 1e-12);
  EXPECT_NEAR(y[4], 2.996362607918227, 1e-12);
}

// The decoder relies on this: an element's GELU does not depend on where its buffer
// starts or how long the call is (Eigen handles an unaligned head and the tail element
// by element, and those must agree with its vector path).
TEST(GeluTest, ForwardIsTheSameForEveryOffsetAndLength) {
  Rng rng(8);
  std::vector<float> x(4099);
  for (float& v : x) v = static_cast<float>(8 * rng.Uniform() - 4);
  std::vector<float> reference(x.size());
  GeluForward(x.data(), static_cast<int64_t>(x.size()), reference.data());
  for (int shift = 1; shift < 17; ++shift) {
    const int64_t n = static_cast<int64_t>(x.size()) - 2 * shift;
    std::vector<float> xs(x.size() + 16), ys(x.size() + 16);
    std::copy(x.begin() + shift, x.begin() + shift + n, xs.begin() + (16 - shift));  // another offset mod 16
    GeluForward(xs.data() + (16 - shift), n, ys.data() + (16 - shift));
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_EQ(std::memcmp(&ys[16 - shift + i], &reference[shift + i], sizeof(float)), 0)
          << "element " << shift + i << " at shift " << shift << ": " << ys[16 - shift + i] << " vs "
          << reference[shift + i];
    }
  }
}

TEST(GeluTest, BackwardMatchesFiniteDifferences) {
  Rng rng(4);
  std::vector<double> x = RandomVector(rng, 50, 4.0);
  const std::vector<double> g = RandomVector(rng, 50);
  auto loss = [&] {
    std::vector<double> y(50);
    GeluForward(x.data(), 50, y.data());
    return Dot(y, g);
  };
  std::vector<double> dx(50);
  GeluBackward(g.data(), x.data(), 50, dx.data());
  ExpectGradientNear("dx", &x, dx, loss);
}

}  // namespace
}  // namespace calico
