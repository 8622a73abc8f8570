#include "model/patch_block.h"

#include "gtest/gtest.h"
#include "model/config.h"
#include "model/gradient_check.h"

namespace calico {
namespace {

TEST(PatchBlockTest, ZeroConvolutionIsTheIdentity) {
  Rng rng(13);
  const auto xd = RandomVector(rng, kPatchValues);
  const std::vector<float> x(xd.begin(), xd.end());
  const std::vector<float> scale(3, 1.0f), shift(3, 0.0f), w(kPatchConvWeights, 0.0f),
      b(3, 0.0f);
  std::vector<float> out(kPatchValues), normed(kPatchValues), act(kPatchValues), mean(1), rstd(1);
  PatchBlockForward(x.data(), PatchBlockParams<float>{scale.data(), shift.data(), w.data(), b.data()},
                    1, 1e-5f, out.data(), mean.data(), rstd.data(), normed.data(), act.data());
  EXPECT_EQ(out, x);
}

TEST(PatchBlockTest, ConvolutionSeesOnlyTheThreeByThreeNeighbourhood) {
  // A one at pixel (5, 5) channel 0 of the activation reaches only pixels (4..6, 4..6).
  std::vector<double> x(kPatchValues, 0.0);
  x[(5 * 16 + 5) * 3] = 1.0;
  const std::vector<double> scale(3, 1.0), shift(3, 0.0), b(3, 0.0);
  Rng rng(15);
  const std::vector<double> w = RandomVector(rng, kPatchConvWeights);
  std::vector<double> out(kPatchValues), normed(kPatchValues), act(kPatchValues), mean(1), rstd(1);
  PatchBlockForward(x.data(), PatchBlockParams<double>{scale.data(), shift.data(), w.data(), b.data()},
                    1, 1e-5, out.data(), mean.data(), rstd.data(), normed.data(), act.data());
  // Every activation is nonzero after GroupNorm, so compare against a patch whose
  // one-hot moved: the difference must be local.
  std::vector<double> x2(kPatchValues, 0.0);
  x2[(5 * 16 + 6) * 3] = 1.0;
  std::vector<double> out2(kPatchValues);
  PatchBlockForward(x2.data(), PatchBlockParams<double>{scale.data(), shift.data(), w.data(), b.data()},
                    1, 1e-5, out2.data(), mean.data(), rstd.data(), normed.data(), act.data());
  for (int y = 0; y < 16; ++y) {
    for (int xx = 0; xx < 16; ++xx) {
      const bool near = y >= 4 && y <= 6 && xx >= 4 && xx <= 7;
      const double diff = std::abs(out[(y * 16 + xx) * 3 + 1] - out2[(y * 16 + xx) * 3 + 1]);
      if (near) {
        EXPECT_GT(diff, 1e-3) << y << "," << xx;
      } else {
        EXPECT_LT(diff, 1e-12) << y << "," << xx;
      }
    }
  }
}

TEST(PatchBlockTest, BackwardMatchesFiniteDifferences) {
  Rng rng(14);
  const int patches = 2;
  std::vector<double> x = RandomVector(rng, patches * kPatchValues);
  std::vector<double> scale = RandomVector(rng, 3), shift = RandomVector(rng, 3);
  std::vector<double> w = RandomVector(rng, kPatchConvWeights, 0.5), b = RandomVector(rng, 3);
  const std::vector<double> g = RandomVector(rng, patches * kPatchValues);
  const size_t n = patches * kPatchValues;
  std::vector<double> out(n), normed(n), act(n), mean(patches), rstd(patches);
  auto loss = [&] {
    PatchBlockForward(x.data(), PatchBlockParams<double>{scale.data(), shift.data(), w.data(), b.data()},
                      patches, 1e-5, out.data(), mean.data(), rstd.data(), normed.data(),
                      act.data());
    return Dot(out, g);
  };
  loss();
  std::vector<double> dx(n), dscale(3), dshift(3), dw(kPatchConvWeights), db(3);
  PatchBlockBackward(g.data(), x.data(),
                     PatchBlockParams<double>{scale.data(), shift.data(), w.data(), b.data()},
                     patches, mean.data(), rstd.data(), normed.data(), act.data(),
                     PatchBlockGrads<double>{dscale.data(), dshift.data(), dw.data(), db.data()},
                     dx.data());
  ExpectGradientNear("dx", &x, dx, loss);
  ExpectGradientNear("dgn_scale", &scale, dscale, loss);
  ExpectGradientNear("dgn_shift", &shift, dshift, loss);
  ExpectGradientNear("dconv_weight", &w, dw, loss);
  ExpectGradientNear("dconv_bias", &b, db, loss);
}

}  // namespace
}  // namespace calico
