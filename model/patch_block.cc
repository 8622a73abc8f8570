#include "model/patch_block.h"

#include <cmath>
#include <vector>

#include "model/config.h"
#include "model/gelu.h"

#include "model/parallel.h"

namespace calico {
namespace {

constexpr int kS = kPatchSide;
constexpr int kC = kPatchChannels;
constexpr int kN = kPatchValues;

// out = conv(in) + bias on one patch (zero padding 1).
template <typename T>
void Conv3x3(const T* in, const T* w, const T* bias, T* out) {
  for (int y = 0; y < kS; ++y) {
    for (int x = 0; x < kS; ++x) {
      for (int oc = 0; oc < kC; ++oc) {
        T acc = bias[oc];
        for (int ky = 0; ky < 3; ++ky) {
          const int iy = y + ky - 1;
          if (iy < 0 || iy >= kS) continue;
          for (int kx = 0; kx < 3; ++kx) {
            const int ix = x + kx - 1;
            if (ix < 0 || ix >= kS) continue;
            const T* a = in + (iy * kS + ix) * kC;
            const T* wk = w + ((oc * 3 + ky) * 3 + kx) * kC;
            for (int ic = 0; ic < kC; ++ic) acc += wk[ic] * a[ic];
          }
        }
        out[(y * kS + x) * kC + oc] = acc;
      }
    }
  }
}

}  // namespace

template <typename T>
void PatchBlockForward(const T* x, const PatchBlockParams<T>& params, int64_t patches, T eps,
                       T* out, T* mean, T* rstd, T* normed, T* act) {
#pragma omp parallel for schedule(static) if (patches * kN * 4 >= kMinParallelWork)
  for (int64_t p = 0; p < patches; ++p) {
    const T* xp = x + p * kN;
    double sum = 0;
    for (int i = 0; i < kN; ++i) sum += xp[i];
    const double m = sum / kN;
    double var = 0;
    for (int i = 0; i < kN; ++i) var += (xp[i] - m) * (xp[i] - m);
    const T s = static_cast<T>(1.0 / std::sqrt(var / kN + eps));
    mean[p] = static_cast<T>(m);
    rstd[p] = s;
    T* np = normed + p * kN;
    for (int i = 0; i < kN; ++i) {
      const int c = i % kC;
      np[i] = (xp[i] - mean[p]) * s * params.gn_scale[c] + params.gn_shift[c];
    }
  }
  GeluForward(normed, patches * kN, act);
#pragma omp parallel for schedule(static) if (patches * kN * 32 >= kMinParallelWork)
  for (int64_t p = 0; p < patches; ++p) {
    T* op = out + p * kN;
    Conv3x3(act + p * kN, params.conv_weight, params.conv_bias, op);
    for (int i = 0; i < kN; ++i) op[i] += x[p * kN + i];
  }
}

template <typename T>
void PatchBlockBackward(const T* dout, const T* x, const PatchBlockParams<T>& params,
                        int64_t patches, const T* mean, const T* rstd, const T* normed,
                        const T* act, const PatchBlockGrads<T>& grads, T* dx) {
  std::vector<T> dact(kN), dnormed(kN);
  // One thread over patches: the parameter gradients sum over all of them, and a
  // patch costs ~40k multiply-adds, small next to the transformer.
  for (int64_t p = 0; p < patches; ++p) {
    const T* d = dout + p * kN;
    const T* a = act + p * kN;
    std::fill(dact.begin(), dact.end(), T(0));
    for (int y = 0; y < kS; ++y) {
      for (int xx = 0; xx < kS; ++xx) {
        for (int oc = 0; oc < kC; ++oc) {
          const T g = d[(y * kS + xx) * kC + oc];
          grads.conv_bias[oc] += g;
          for (int ky = 0; ky < 3; ++ky) {
            const int iy = y + ky - 1;
            if (iy < 0 || iy >= kS) continue;
            for (int kx = 0; kx < 3; ++kx) {
              const int ix = xx + kx - 1;
              if (ix < 0 || ix >= kS) continue;
              const int in = (iy * kS + ix) * kC;
              const int wk = ((oc * 3 + ky) * 3 + kx) * kC;
              for (int ic = 0; ic < kC; ++ic) {
                grads.conv_weight[wk + ic] += g * a[in + ic];
                dact[in + ic] += g * params.conv_weight[wk + ic];
              }
            }
          }
        }
      }
    }
    std::fill(dnormed.begin(), dnormed.end(), T(0));
    GeluBackward(dact.data(), normed + p * kN, kN, dnormed.data());
    // GroupNorm backward (one group, per-channel affine).
    const T* xp = x + p * kN;
    double mean_dxhat = 0, mean_dxhat_xhat = 0;
    for (int i = 0; i < kN; ++i) {
      const int c = i % kC;
      const T xhat = (xp[i] - mean[p]) * rstd[p];
      grads.gn_scale[c] += dnormed[i] * xhat;
      grads.gn_shift[c] += dnormed[i];
      const T dxhat = dnormed[i] * params.gn_scale[c];
      mean_dxhat += dxhat;
      mean_dxhat_xhat += dxhat * xhat;
    }
    if (dx == nullptr) continue;
    const T ma = static_cast<T>(mean_dxhat / kN), mb = static_cast<T>(mean_dxhat_xhat / kN);
    T* dxp = dx + p * kN;
    for (int i = 0; i < kN; ++i) {
      const T xhat = (xp[i] - mean[p]) * rstd[p];
      dxp[i] += d[i] + rstd[p] * (dnormed[i] * params.gn_scale[i % kC] - ma - xhat * mb);
    }
  }
}

template void PatchBlockForward<float>(const float*, const PatchBlockParams<float>&, int64_t,
                                       float, float*, float*, float*, float*, float*);
template void PatchBlockForward<double>(const double*, const PatchBlockParams<double>&, int64_t,
                                        double, double*, double*, double*, double*, double*);
template void PatchBlockBackward<float>(const float*, const float*, const PatchBlockParams<float>&,
                                        int64_t, const float*, const float*, const float*,
                                        const float*, const PatchBlockGrads<float>&, float*);
template void PatchBlockBackward<double>(const double*, const double*,
                                         const PatchBlockParams<double>&, int64_t, const double*,
                                         const double*, const double*, const double*,
                                         const PatchBlockGrads<double>&, double*);

}  // namespace calico
