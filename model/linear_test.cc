#include "model/linear.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include "gtest/gtest.h"
#include "model/gradient_check.h"
#include "model/threading.h"

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

TEST(LinearTest, RowInvariantKernelMatchesTheNaiveReference) {
  Rng rng(3);
  // Whole and partial tiles of rows and columns, with and without a bias.
  for (const auto& [rows, in, out] : {std::array<int, 3>{1, 53, 29}, {3, 17, 64}, {7, 256, 100},
                                      {37, 53, 29}, {12, 64, 33}, {30, 256, 768},
                                      {50, 40, 70}}) {
    const auto x = ToFloat(RandomVector(rng, rows * in)), w = ToFloat(RandomVector(rng, in * out));
    const auto b = ToFloat(RandomVector(rng, out));
    for (const float* bias : {b.data(), static_cast<const float*>(nullptr)}) {
      std::vector<float> y(rows * out, std::nanf("")), y_ref(rows * out);
      LinearForwardRowInvariant(x.data(), w.data(), bias, rows, in, out, y.data());
      LinearForwardNaive(x.data(), w.data(), bias, rows, in, out, y_ref.data());
      for (int i = 0; i < rows * out; ++i) {
        ASSERT_NEAR(y[i], y_ref[i], 2e-4) << rows << "x" << in << "x" << out << " element " << i;
      }
    }
  }
}

// The kernel's contract, checked directly: each element is the bias plus the products
// summed in order in one chain (multiply-adds fused where the build fuses them, so either
// form is accepted, but the same for the whole output). One row and many, whole tiles and
// partial ones, must all follow it.
TEST(LinearTest, RowInvariantKernelSumsInOrder) {
  Rng rng(4);
  for (const auto& [in, out] : {std::array<int, 2>{70, 45}, {300, 64}, {13, 100}}) {
    for (int rows : {1, 3, 9}) {
      const auto x = ToFloat(RandomVector(rng, rows * in)), w = ToFloat(RandomVector(rng, in * out));
      const auto b = ToFloat(RandomVector(rng, out));
      std::vector<float> y(rows * out);
      LinearForwardRowInvariant(x.data(), w.data(), b.data(), rows, in, out, y.data());
      int fused = 0, unfused = 0;
      for (int r = 0; r < rows; ++r) {
        for (int o = 0; o < out; ++o) {
          float f = 0, u = 0;
          for (int i = 0; i < in; ++i) {
            f = std::fma(x[r * in + i], w[i * out + o], f);
            const volatile float product = x[r * in + i] * w[i * out + o];  // rounded, not fused
            u = u + product;
          }
          f += b[o];
          u += b[o];
          fused += std::memcmp(&f, &y[r * out + o], 4) == 0;
          unfused += std::memcmp(&u, &y[r * out + o], 4) == 0;
        }
      }
      EXPECT_TRUE(fused == rows * out || unfused == rows * out)
          << rows << "x" << in << "x" << out << ": " << fused << " fused, " << unfused << " unfused of " << rows * out;
    }
  }
}

// What the decoder relies on: a row's output does not depend on the other rows of the
// call, the thread count, or where the buffers start.
TEST(LinearTest, RowInvariantKernelGivesEachRowTheSameBitsInAnyCall) {
  Rng rng(5);
  // Up to 52 x 256 x 1000: parallel, streamed and tiled, with the weight panels read in
  // place and copied (from 8 row tiles on, rows 43 and up), and a partial panel.
  const int in = 256, out = 1000, max_rows = 52;
  const auto x = ToFloat(RandomVector(rng, max_rows * in)), w = ToFloat(RandomVector(rng, in * out));
  const auto b = ToFloat(RandomVector(rng, out));
  const int threads_before = ModelThreads();
  SetModelThreads(1);
  std::vector<float> alone(max_rows * out);
  for (int r = 0; r < max_rows; ++r) {
    LinearForwardRowInvariant(x.data() + r * in, w.data(), b.data(), 1, in, out, alone.data() + r * out);
  }
  for (int threads : {1, 2}) {
    SetModelThreads(threads);
    for (int rows = 1; rows <= max_rows; ++rows) {
      for (int shift : {0, 1, 3}) {  // x and y at other alignments
        std::vector<float> xs(shift + rows * in), ys(shift + rows * out);
        std::copy_n(x.begin(), rows * in, xs.begin() + shift);
        LinearForwardRowInvariant(xs.data() + shift, w.data(), b.data(), rows, in, out, ys.data() + shift);
        ASSERT_EQ(std::memcmp(ys.data() + shift, alone.data(), sizeof(float) * rows * out), 0)
            << rows << " rows, " << threads << " threads, shift " << shift;
      }
    }
  }
  SetModelThreads(threads_before);
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
