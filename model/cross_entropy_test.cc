#include "model/cross_entropy.h"

#include <cmath>

#include "gtest/gtest.h"
#include "model/gradient_check.h"

namespace calico {
namespace {

TEST(CrossEntropyTest, UniformLogitsGiveLogOfClassCount) {
  const std::vector<float> logits(2 * 8, 3.0f);
  const std::vector<int32_t> target = {1, 7};
  EXPECT_NEAR(SoftmaxCrossEntropy(logits.data(), target.data(), 2, 8, 0.5, static_cast<float*>(nullptr)),
              std::log(8.0), 1e-6);
}

TEST(CrossEntropyTest, LargeLogitsStayFinite) {
  const std::vector<float> logits = {1000.0f, 0.0f, -1000.0f};
  const std::vector<int32_t> target = {1};
  std::vector<float> d(3);
  EXPECT_NEAR(SoftmaxCrossEntropy(logits.data(), target.data(), 1, 3, 1.0, d.data()), 1000.0,
              1e-3);
  EXPECT_NEAR(d[0], 1.0f, 1e-6);
  EXPECT_NEAR(d[1], -1.0f, 1e-6);
}

TEST(CrossEntropyTest, GradientMatchesFiniteDifferences) {
  Rng rng(6);
  std::vector<double> logits = RandomVector(rng, 3 * 5, 3.0);
  const std::vector<int32_t> target = {4, 0, 2};
  auto loss = [&] {
    return SoftmaxCrossEntropy(logits.data(), target.data(), 3, 5, 1.0 / 3, static_cast<double*>(nullptr));
  };
  std::vector<double> d(15);
  SoftmaxCrossEntropy(logits.data(), target.data(), 3, 5, 1.0 / 3, d.data());
  ExpectGradientNear("dlogits", &logits, d, loss);
}

}  // namespace
}  // namespace calico
