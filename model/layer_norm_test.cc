#include "model/layer_norm.h"

#include <cmath>

#include "gtest/gtest.h"
#include "model/gradient_check.h"

namespace calico {
namespace {

TEST(LayerNormTest, NormalisesEachRowThenScalesAndShifts) {
  const std::vector<float> x = {1, 2, 3, 4, -2, 0, 2, 4};
  const std::vector<float> gamma = {1, 1, 2, 2}, beta = {0, 0, 1, 1};
  std::vector<float> out(8), mean(2), rstd(2);
  LayerNormForward(x.data(), gamma.data(), beta.data(), 2, 4, 0.0f, out.data(), mean.data(),
                   rstd.data());
  EXPECT_FLOAT_EQ(mean[0], 2.5f);
  EXPECT_FLOAT_EQ(rstd[0], 1 / std::sqrt(1.25f));
  EXPECT_NEAR(out[0], -1.5f / std::sqrt(1.25f), 1e-6);
  EXPECT_NEAR(out[3], 1.5f / std::sqrt(1.25f) * 2 + 1, 1e-6);
  EXPECT_FLOAT_EQ(mean[1], 1.0f);
}

TEST(LayerNormTest, BackwardMatchesFiniteDifferences) {
  Rng rng(1);
  const int rows = 3, width = 7;
  std::vector<double> x = RandomVector(rng, rows * width, 2.0);
  std::vector<double> gamma = RandomVector(rng, width), beta = RandomVector(rng, width);
  const std::vector<double> w = RandomVector(rng, rows * width);
  auto loss = [&] {
    std::vector<double> out(rows * width), mean(rows), rstd(rows);
    LayerNormForward(x.data(), gamma.data(), beta.data(), rows, width, 1e-5, out.data(),
                     mean.data(), rstd.data());
    return Dot(out, w);
  };
  std::vector<double> out(rows * width), mean(rows), rstd(rows);
  LayerNormForward(x.data(), gamma.data(), beta.data(), rows, width, 1e-5, out.data(),
                   mean.data(), rstd.data());
  std::vector<double> dx(rows * width, 0.5), dgamma(width, 0.0), dbeta(width, 0.0);
  LayerNormBackward(w.data(), x.data(), gamma.data(), mean.data(), rstd.data(), rows, width,
                    dx.data(), dgamma.data(), dbeta.data());
  for (double& v : dx) v -= 0.5;  // backward adds into dx
  ExpectGradientNear("dx", &x, dx, loss);
  ExpectGradientNear("dgamma", &gamma, dgamma, loss);
  ExpectGradientNear("dbeta", &beta, dbeta, loss);
}

}  // namespace
}  // namespace calico
