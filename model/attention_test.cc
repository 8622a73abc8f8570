#include "model/attention.h"

#include <cmath>

#include "gtest/gtest.h"
#include "model/gradient_check.h"

namespace calico {
namespace {

TEST(AttentionTest, FastKernelMatchesNaiveAcrossBlockBoundaries) {
  Rng rng(9);
  // 150 positions: three query blocks, the last one partial.
  const AttentionShape s{2, 3, 150, 8};
  const size_t n = s.batch * s.heads * s.seq * s.head_dim;
  const auto qd = RandomVector(rng, n, 2.0), kd = RandomVector(rng, n, 2.0),
             vd = RandomVector(rng, n);
  const std::vector<float> q(qd.begin(), qd.end()), k(kd.begin(), kd.end()),
      v(vd.begin(), vd.end());
  std::vector<float> out(n), lse(s.batch * s.heads * s.seq), out_ref(n), lse_ref(lse.size());
  CausalAttentionForward(q.data(), k.data(), v.data(), s, out.data(), lse.data());
  CausalAttentionForwardNaive(q.data(), k.data(), v.data(), s, out_ref.data(), lse_ref.data());
  for (size_t i = 0; i < n; ++i) ASSERT_NEAR(out[i], out_ref[i], 2e-5) << i;
  for (size_t i = 0; i < lse.size(); ++i) ASSERT_NEAR(lse[i], lse_ref[i], 2e-5) << i;
}

TEST(AttentionTest, FirstPositionCopiesItsValueAndFutureKeysAreInvisible) {
  Rng rng(10);
  const AttentionShape s{1, 1, 5, 4};
  auto q = RandomVector(rng, 20), k = RandomVector(rng, 20), v = RandomVector(rng, 20);
  std::vector<double> out(20), lse(5);
  CausalAttentionForward(q.data(), k.data(), v.data(), s, out.data(), lse.data());
  for (int c = 0; c < 4; ++c) EXPECT_NEAR(out[c], v[c], 1e-12);
  const std::vector<double> before = out;
  for (int c = 0; c < 4; ++c) {
    k[4 * 4 + c] += 1.0;  // the last key and value
    v[4 * 4 + c] += 1.0;
  }
  CausalAttentionForward(q.data(), k.data(), v.data(), s, out.data(), lse.data());
  for (int i = 0; i < 16; ++i) EXPECT_EQ(out[i], before[i]) << i;
  EXPECT_NE(out[16], before[16]);
}

TEST(AttentionTest, BackwardMatchesFiniteDifferences) {
  Rng rng(11);
  // 70 positions so the backward also crosses a block boundary.
  const AttentionShape s{1, 2, 70, 4};
  const size_t n = s.batch * s.heads * s.seq * s.head_dim;
  std::vector<double> q = RandomVector(rng, n, 1.5), k = RandomVector(rng, n, 1.5),
                      v = RandomVector(rng, n);
  const std::vector<double> g = RandomVector(rng, n);
  std::vector<double> out(n), lse(s.batch * s.heads * s.seq);
  auto loss = [&] {
    CausalAttentionForward(q.data(), k.data(), v.data(), s, out.data(), lse.data());
    return Dot(out, g);
  };
  loss();
  std::vector<double> dq(n), dk(n), dv(n);
  CausalAttentionBackward(g.data(), q.data(), k.data(), v.data(), out.data(), lse.data(), s,
                          dq.data(), dk.data(), dv.data());
  ExpectGradientNear("dq", &q, dq, loss);
  ExpectGradientNear("dk", &k, dk, loss);
  ExpectGradientNear("dv", &v, dv, loss);
}

TEST(AttentionTest, SplitHeadsRotaryBackwardMatchesFiniteDifferences) {
  Rng rng(12);
  const AttentionShape s{2, 2, 3, 4};
  const RotaryTable<double> rotary(0, s.seq, s.head_dim, 10000.0);
  const size_t n = s.batch * s.seq * 3 * s.heads * s.head_dim, m = n / 3;
  std::vector<double> qkv = RandomVector(rng, n);
  const auto gq = RandomVector(rng, m), gk = RandomVector(rng, m), gv = RandomVector(rng, m);
  auto loss = [&] {
    std::vector<double> q(m), k(m), v(m);
    SplitHeadsRotary(qkv.data(), s, rotary, q.data(), k.data(), v.data());
    return Dot(q, gq) + Dot(k, gk) + Dot(v, gv);
  };
  std::vector<double> dqkv(n, 0.0);
  SplitHeadsRotaryBackward(gq.data(), gk.data(), gv.data(), s, rotary, dqkv.data());
  ExpectGradientNear("dqkv", &qkv, dqkv, loss);
}

}  // namespace
}  // namespace calico
