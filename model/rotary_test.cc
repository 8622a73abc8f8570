#include "model/rotary.h"

#include <cmath>

#include "gtest/gtest.h"
#include "model/gradient_check.h"

namespace calico {
namespace {

double DotAt(const RotaryTable<double>& table, std::vector<double> q, int64_t m,
             std::vector<double> k, int64_t n) {
  table.Rotate(q.data(), m, false);
  table.Rotate(k.data(), n, false);
  return Dot(q, k);
}

TEST(RotaryTest, ScoresDependOnlyOnRelativePosition) {
  Rng rng(7);
  const RotaryTable<double> table(0, 5000, 8, 10000.0);
  const auto q = RandomVector(rng, 8), k = RandomVector(rng, 8);
  EXPECT_NEAR(DotAt(table, q, 10, k, 3), DotAt(table, q, 4007, k, 4000), 1e-9);
  EXPECT_GT(std::abs(DotAt(table, q, 10, k, 3) - DotAt(table, q, 10, k, 4)), 1e-6);
}

TEST(RotaryTest, InverseUndoesTheRotationAndPositionZeroIsIdentity) {
  Rng rng(8);
  const RotaryTable<double> table(0, 100, 6, 10000.0);
  const auto x = RandomVector(rng, 6);
  auto y = x;
  table.Rotate(y.data(), 0, false);
  EXPECT_EQ(y, x);
  table.Rotate(y.data(), 57, false);
  EXPECT_GT(std::abs(y[0] - x[0]) + std::abs(y[3] - x[3]), 1e-3);
  table.Rotate(y.data(), 57, true);
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(y[i], x[i], 1e-12);
}

TEST(RotaryTest, OffsetTablesGiveIdenticalValues) {
  const RotaryTable<float> full(0, 2000, 32, 10000.0);
  const RotaryTable<float> tail(1500, 10, 32, 10000.0);
  std::vector<float> a(32, 0.5f), b(32, 0.5f);
  full.Rotate(a.data(), 1503, false);
  tail.Rotate(b.data(), 1503, false);
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace calico
