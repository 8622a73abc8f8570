#include "model/linear.h"

#include "gtest/gtest.h"
#include "model/gradient_check.h"

namespace calico {
namespace {

std::vector<float> ToFloat(const std::vector<double>& v) { return {v.begin(), v.end()}; }

TEST(LinearTest, FastKernelsMatchTheNaiveReference) {
  Rng rng(2);
  const int rows = 37, in = 53, out = 29;
  const auto x = ToFloat(RandomVector(rng, rows * in)), w = ToFloat(RandomVector(rng, in * out));
  const auto b = ToFloat(RandomVector(rng, out)), dy = ToFloat(RandomVector(rng, rows * out));
  std::vector<float> y(rows * out), y_ref(rows * out);
  LinearForward(x.data(), w.data(), b.data(), rows, in, out, y.data());
  LinearForwardNaive(x.data(), w.data(), b.data(), rows, in, out, y_ref.data());
  for (int i = 0; i < rows * out; ++i) ASSERT_NEAR(y[i], y_ref[i], 1e-4) << i;
  std::vector<float> dx(rows * in, 1), dw(in * out, 1), db(out, 1);
  std::vector<float> dx_ref = dx, dw_ref = dw, db_ref = db;
  LinearBackward(dy.data(), x.data(), w.data(), rows, in, out, dx.data(), dw.data(), db.data());
  LinearBackwardNaive(dy.data(), x.data(), w.data(), rows, in, out, dx_ref.data(),
                      dw_ref.data(), db_ref.data());
  for (size_t i = 0; i < dx.size(); ++i) ASSERT_NEAR(dx[i], dx_ref[i], 1e-4) << i;
  for (size_t i = 0; i < dw.size(); ++i) ASSERT_NEAR(dw[i], dw_ref[i], 1e-4) << i;
  for (size_t i = 0; i < db.size(); ++i) ASSERT_NEAR(db[i], db_ref[i], 1e-4) << i;
}

TEST(LinearTest, BackwardMatchesFiniteDifferences) {
  Rng rng(3);
  const int rows = 4, in = 5, out = 3;
  std::vector<double> x = RandomVector(rng, rows * in), w = RandomVector(rng, in * out);
  std::vector<double> b = RandomVector(rng, out);
  const std::vector<double> g = RandomVector(rng, rows * out);
  auto loss = [&] {
    std::vector<double> y(rows * out);
    LinearForward(x.data(), w.data(), b.data(), rows, in, out, y.data());
    return Dot(y, g);
  };
  std::vector<double> dx(rows * in), dw(in * out), db(out);
  LinearBackward(g.data(), x.data(), w.data(), rows, in, out, dx.data(), dw.data(), db.data());
  ExpectGradientNear("dx", &x, dx, loss);
  ExpectGradientNear("dw", &w, dw, loss);
  ExpectGradientNear("db", &b, db, loss);
}

}  // namespace
}  // namespace calico
