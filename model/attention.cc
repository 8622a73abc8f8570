#include "model/attention.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "model/eigen_types.h"

#include "model/parallel.h"

namespace calico {
namespace {

// Query rows per block: the score block [kBlock, keys] stays in cache and the masked
// triangle above the diagonal is mostly skipped.
constexpr int64_t kBlock = 64;

}  // namespace

template <typename T>
void SplitHeadsRotary(const T* qkv, const AttentionShape& s, const RotaryTable<T>& rotary, T* q,
                      T* k, T* v) {
  const int64_t width = s.heads * s.head_dim;
#pragma omp parallel for schedule(static) if (s.batch * s.seq * s.heads * s.head_dim >= kMinParallelWork)
  for (int64_t bt = 0; bt < s.batch * s.seq; ++bt) {
    const int64_t b = bt / s.seq, t = bt % s.seq;
    const T* row = qkv + bt * 3 * width;
    for (int64_t h = 0; h < s.heads; ++h) {
      const int64_t dst = ((b * s.heads + h) * s.seq + t) * s.head_dim;
      std::copy_n(row + h * s.head_dim, s.head_dim, q + dst);
      std::copy_n(row + width + h * s.head_dim, s.head_dim, k + dst);
      std::copy_n(row + 2 * width + h * s.head_dim, s.head_dim, v + dst);
      rotary.Rotate(q + dst, t, /*inverse=*/false);
      rotary.Rotate(k + dst, t, /*inverse=*/false);
    }
  }
}

template <typename T>
void SplitHeadsRotaryBackward(const T* dq, const T* dk, const T* dv, const AttentionShape& s,
                              const RotaryTable<T>& rotary, T* dqkv) {
  const int64_t width = s.heads * s.head_dim;
  const int64_t d = s.head_dim;
#pragma omp parallel if (s.batch * s.seq * s.heads * s.head_dim >= kMinParallelWork)
  {
    std::vector<T> tmp(d);
#pragma omp for schedule(static)
    for (int64_t bt = 0; bt < s.batch * s.seq; ++bt) {
      const int64_t b = bt / s.seq, t = bt % s.seq;
      T* row = dqkv + bt * 3 * width;
      for (int64_t h = 0; h < s.heads; ++h) {
        const int64_t src = ((b * s.heads + h) * s.seq + t) * d;
        // A rotation's transpose is the inverse rotation.
        std::copy_n(dq + src, d, tmp.data());
        rotary.Rotate(tmp.data(), t, /*inverse=*/true);
        for (int64_t i = 0; i < d; ++i) row[h * d + i] += tmp[i];
        std::copy_n(dk + src, d, tmp.data());
        rotary.Rotate(tmp.data(), t, /*inverse=*/true);
        for (int64_t i = 0; i < d; ++i) row[width + h * d + i] += tmp[i];
        for (int64_t i = 0; i < d; ++i) row[2 * width + h * d + i] += dv[src + i];
      }
    }
  }
}

template <typename T>
void CausalAttentionForward(const T* q, const T* k, const T* v, const AttentionShape& s, T* out,
                            T* lse) {
  const int64_t d = s.head_dim, width = s.heads * s.head_dim;
  const T scale = static_cast<T>(1.0 / std::sqrt(static_cast<double>(d)));
#pragma omp parallel if (s.batch * s.heads * s.seq * s.seq * s.head_dim / 2 >= kMinParallelWork)
  {
    RowMatrix<T> scores;
#pragma omp for schedule(static)
    for (int64_t bh = 0; bh < s.batch * s.heads; ++bh) {
      const int64_t b = bh / s.heads, h = bh % s.heads;
      ConstMatrixMap<T> qm(q + bh * s.seq * d, s.seq, d);
      ConstMatrixMap<T> km(k + bh * s.seq * d, s.seq, d);
      ConstMatrixMap<T> vm(v + bh * s.seq * d, s.seq, d);
      StridedMatrixMap<T> om(out + b * s.seq * width + h * d, s.seq, d,
                             Eigen::OuterStride<>(width));
      T* lse_bh = lse + bh * s.seq;
      for (int64_t r0 = 0; r0 < s.seq; r0 += kBlock) {
        const int64_t rows = std::min(kBlock, s.seq - r0), keys = r0 + rows;
        scores.resize(rows, keys);
        scores.noalias() = qm.middleRows(r0, rows) * km.topRows(keys).transpose();
        for (int64_t i = 0; i < rows; ++i) {
          T* srow = scores.data() + i * keys;
          const int64_t visible = r0 + i + 1;
          // Vectorised exp (Eigen's), the bulk of the softmax's cost.
          Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>> row(srow, visible);
          row *= scale;
          const T max = row.maxCoeff();
          row = (row - max).exp();
          const T sum = row.sum();
          row *= T(1) / sum;
          std::fill(srow + visible, srow + keys, T(0));
          lse_bh[r0 + i] = max + std::log(sum);
        }
        om.middleRows(r0, rows).noalias() = scores * vm.topRows(keys);
      }
    }
  }
}

template <typename T>
void CausalAttentionForwardNaive(const T* q, const T* k, const T* v, const AttentionShape& s,
                                 T* out, T* lse) {
  const int64_t d = s.head_dim, width = s.heads * s.head_dim;
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  std::vector<double> p(s.seq);
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t h = 0; h < s.heads; ++h) {
      const int64_t base = (b * s.heads + h) * s.seq * d;
      for (int64_t i = 0; i < s.seq; ++i) {
        double max = -std::numeric_limits<double>::infinity();
        for (int64_t j = 0; j <= i; ++j) {
          double dot = 0;
          for (int64_t c = 0; c < d; ++c) dot += double{q[base + i * d + c]} * k[base + j * d + c];
          p[j] = dot * scale;
          max = std::max(max, p[j]);
        }
        double sum = 0;
        for (int64_t j = 0; j <= i; ++j) sum += std::exp(p[j] - max);
        lse[(b * s.heads + h) * s.seq + i] = static_cast<T>(max + std::log(sum));
        for (int64_t c = 0; c < d; ++c) {
          double acc = 0;
          for (int64_t j = 0; j <= i; ++j) acc += std::exp(p[j] - max) / sum * v[base + j * d + c];
          out[(b * s.seq + i) * width + h * d + c] = static_cast<T>(acc);
        }
      }
    }
  }
}

template <typename T>
void CausalAttentionBackward(const T* dout, const T* q, const T* k, const T* v, const T* out,
                             const T* lse, const AttentionShape& s, T* dq, T* dk, T* dv) {
  const int64_t d = s.head_dim, width = s.heads * s.head_dim;
  const T scale = static_cast<T>(1.0 / std::sqrt(static_cast<double>(d)));
#pragma omp parallel if (s.batch * s.heads * s.seq * s.seq * s.head_dim >= kMinParallelWork)
  {
    RowMatrix<T> p, dp;
    Eigen::Matrix<T, Eigen::Dynamic, 1> delta;
#pragma omp for schedule(static)
    for (int64_t bh = 0; bh < s.batch * s.heads; ++bh) {
      const int64_t b = bh / s.heads, h = bh % s.heads;
      ConstMatrixMap<T> qm(q + bh * s.seq * d, s.seq, d);
      ConstMatrixMap<T> km(k + bh * s.seq * d, s.seq, d);
      ConstMatrixMap<T> vm(v + bh * s.seq * d, s.seq, d);
      ConstStridedMatrixMap<T> om(out + b * s.seq * width + h * d, s.seq, d,
                                  Eigen::OuterStride<>(width));
      ConstStridedMatrixMap<T> dom(dout + b * s.seq * width + h * d, s.seq, d,
                                   Eigen::OuterStride<>(width));
      MatrixMap<T> dqm(dq + bh * s.seq * d, s.seq, d);
      MatrixMap<T> dkm(dk + bh * s.seq * d, s.seq, d);
      MatrixMap<T> dvm(dv + bh * s.seq * d, s.seq, d);
      dkm.setZero();
      dvm.setZero();
      const T* lse_bh = lse + bh * s.seq;
      // delta_i = sum_c dout_ic out_ic = sum_j P_ij dP_ij (softmax backward's row term).
      delta = (dom.array() * om.array()).rowwise().sum();
      for (int64_t r0 = 0; r0 < s.seq; r0 += kBlock) {
        const int64_t rows = std::min(kBlock, s.seq - r0), keys = r0 + rows;
        p.resize(rows, keys);
        p.noalias() = qm.middleRows(r0, rows) * km.topRows(keys).transpose();
        for (int64_t i = 0; i < rows; ++i) {
          T* prow = p.data() + i * keys;
          const int64_t visible = r0 + i + 1;
          Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>> row(prow, visible);
          row = (row * scale - lse_bh[r0 + i]).exp();
          std::fill(prow + visible, prow + keys, T(0));
        }
        dvm.topRows(keys).noalias() += p.transpose() * dom.middleRows(r0, rows);
        dp.resize(rows, keys);
        dp.noalias() = dom.middleRows(r0, rows) * vm.topRows(keys).transpose();
        // dS = P * (dP - delta), then the 1/sqrt(d) of the scores.
        for (int64_t i = 0; i < rows; ++i) {
          T* prow = p.data() + i * keys;
          const T* dprow = dp.data() + i * keys;
          const T di = delta(r0 + i);
          for (int64_t j = 0; j < keys; ++j) prow[j] = prow[j] * (dprow[j] - di) * scale;
        }
        dqm.middleRows(r0, rows).noalias() = p * km.topRows(keys);
        dkm.topRows(keys).noalias() += p.transpose() * qm.middleRows(r0, rows);
      }
    }
  }
}

#define CALICO_INSTANTIATE_ATTENTION(T)                                                        \
  template void SplitHeadsRotary<T>(const T*, const AttentionShape&, const RotaryTable<T>&,  \
                                    T*, T*, T*);                                             \
  template void SplitHeadsRotaryBackward<T>(const T*, const T*, const T*,                    \
                                            const AttentionShape&, const RotaryTable<T>&, T*); \
  template void CausalAttentionForward<T>(const T*, const T*, const T*, const AttentionShape&, \
                                          T*, T*);                                           \
  template void CausalAttentionForwardNaive<T>(const T*, const T*, const T*,                 \
                                               const AttentionShape&, T*, T*);               \
  template void CausalAttentionBackward<T>(const T*, const T*, const T*, const T*, const T*, \
                                           const T*, const AttentionShape&, T*, T*, T*);
CALICO_INSTANTIATE_ATTENTION(float)
CALICO_INSTANTIATE_ATTENTION(double)
#undef CALICO_INSTANTIATE_ATTENTION

}  // namespace calico
