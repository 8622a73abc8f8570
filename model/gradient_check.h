// Test helper: compares an analytic gradient with central finite differences.
#ifndef CALICO_MODEL_GRADIENT_CHECK_H_
#define CALICO_MODEL_GRADIENT_CHECK_H_

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "base/random.h"
#include "gtest/gtest.h"

namespace calico {

// `n` values uniform in [-scale, scale).
inline std::vector<double> RandomVector(Rng& rng, size_t n, double scale = 1.0) {
  std::vector<double> v(n);
  for (double& x : v) x = (2 * rng.Uniform() - 1) * scale;
  return v;
}

// Sum of a[i] * b[i]: the scalar "loss" the layer tests differentiate (its gradient with
// respect to the layer output is b).
inline double Dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// Expects analytic[i] == d loss / d x[i] for every i, by central differences with step
// `eps`: |analytic - numeric| <= tol * (1 + |numeric|). `x` is perturbed in place and
// restored; `loss` must recompute from the current x. Everything is double, so a
// 1e-6 step gives ~1e-9 truncation and rounding error.
inline void ExpectGradientNear(const std::string& what, std::vector<double>* x,
                               const std::vector<double>& analytic,
                               const std::function<double()>& loss, double eps = 1e-6,
                               double tol = 1e-6) {
  ASSERT_EQ(x->size(), analytic.size()) << what;
  int failures = 0;
  for (size_t i = 0; i < x->size(); ++i) {
    const double saved = (*x)[i];
    (*x)[i] = saved + eps;
    const double plus = loss();
    (*x)[i] = saved - eps;
    const double minus = loss();
    (*x)[i] = saved;
    const double numeric = (plus - minus) / (2 * eps);
    if (std::abs(analytic[i] - numeric) > tol * (1 + std::abs(numeric)) && failures++ < 5) {
      ADD_FAILURE() << what << "[" << i << "]: analytic " << analytic[i] << " vs numeric "
                    << numeric;
    }
  }
  EXPECT_EQ(failures, 0) << what;
}

}  // namespace calico

#endif  // CALICO_MODEL_GRADIENT_CHECK_H_
