#include "model/gelu.h"

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
