#include "model/linear.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "model/eigen_types.h"
#include "model/parallel.h"

namespace calico {

// Each thread runs a single-threaded Eigen GEMM on its own slice of output rows or
// columns: no output element is shared, so no reduction order depends on threads.

template <typename T>
void LinearForward(const T* x, const T* w, const T* bias, int64_t rows, int64_t in, int64_t out,
                   T* y) {
  const int64_t work = 2 * rows * in * out;
  if (rows >= 16) {
    ParallelFor(rows, work, [&](int64_t r0, int64_t r1) {
      MatrixMap<T> ym(y + r0 * out, r1 - r0, out);
      ym.noalias() = ConstMatrixMap<T>(x + r0 * in, r1 - r0, in) * ConstMatrixMap<T>(w, in, out);
      if (bias != nullptr) ym.rowwise() += ConstRowVectorMap<T>(bias, out);
    });
    return;
  }
  // Few rows (decoding): split the output columns instead.
  ParallelFor(out, work, [&](int64_t c0, int64_t c1) {
    StridedMatrixMap<T> ym(y + c0, rows, c1 - c0, Eigen::OuterStride<>(out));
    ym.noalias() = ConstMatrixMap<T>(x, rows, in) *
                   ConstStridedMatrixMap<T>(w + c0, in, c1 - c0, Eigen::OuterStride<>(out));
    if (bias != nullptr) ym.rowwise() += ConstRowVectorMap<T>(bias + c0, c1 - c0);
  });
}

namespace {

// LinearForwardRowInvariant's register tile: up to kTileRows output rows by kTileVectors
// vectors of columns (GCC vector types of the target's register width).
#if defined(__AVX512F__)
constexpr int kLanes = 16, kTileRows = 6, kTileVectors = 2;  // 12 zmm accumulators
#elif defined(__AVX__)
constexpr int kLanes = 8, kTileRows = 6, kTileVectors = 2;   // 12 of 16 ymm
#else
constexpr int kLanes = 4, kTileRows = 4, kTileVectors = 2;   // 8 of 16 xmm
#endif
constexpr int kTileCols = kLanes * kTileVectors;
typedef float Lanes __attribute__((vector_size(kLanes * sizeof(float))));

// a * x + acc, fused into one rounding where the target has the instruction. Spelled out
// rather than left to the compiler, which fused `acc += a * x` in some of the kernels'
// instantiations and not in others (measured: a one-row call then differed in the last
// bit from the same row in a larger call).
inline Lanes MulAdd(Lanes a, float x, Lanes acc) {
  Lanes xs;
  for (int l = 0; l < kLanes; ++l) xs[l] = x;
#if defined(__AVX512F__)
  return reinterpret_cast<Lanes>(_mm512_fmadd_ps(reinterpret_cast<__m512>(a), reinterpret_cast<__m512>(xs),
                                                 reinterpret_cast<__m512>(acc)));
#elif defined(__FMA__)
  return reinterpret_cast<Lanes>(_mm256_fmadd_ps(reinterpret_cast<__m256>(a), reinterpret_cast<__m256>(xs),
                                                 reinterpret_cast<__m256>(acc)));
#else
  return a * xs + acc;  // no fused instruction to use: the compiler cannot fuse either
#endif
}

// Calls of at most kStreamRows rows are bound by reading the weights: they read them in
// the order they are stored, kStreamInputs rows of weights at a time across all columns
// (see Stream). Larger calls reuse each column panel of the weights for every row tile.
constexpr int64_t kStreamRows = 4;
// 16 weight rows per pass over y: in one comparison (model_bench --mode=linear, three
// runs each, an AVX2 VM) a one-row call took 0.95x Eigen's time with 16, 1.10x with 8
// and 1.01x with 32, and with the weights in L3 0.93x with 16 and 1.17x with 8.
constexpr int kStreamInputs = 16;

// The arithmetic every output element gets: acc = 0; for i in order, acc = MulAdd(w[i, o],
// x[r, i], acc); then y = acc + bias[o]. A chain may stop after any input with its partial
// sum stored in y and go on from there later (a stored float loads back the same), so the
// kernels below may split the inputs as suits their memory access and still give every
// element, of every row, in every call, the same bits.

// acc[r][v] (a tile of R rows by NV vectors, starting at column c of w and y) continues
// over inputs [i0, i0 + n): from zero when i0 == 0, else from y; stores the partial sums
// to y, adding the bias when `last`. Row r's input i is x[r * ldx + i * x_step].
template <int R, int NV, int N = 0>
inline void Chain(const float* x, int64_t ldx, int64_t x_step, const float* w, int64_t ldw, int64_t i0, int64_t n,
                  bool last, const float* bias, float* y, int64_t ldy) {
  Lanes acc[R][NV];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) {
      if (i0 == 0) {
        acc[r][v] = Lanes{};
      } else {
        std::memcpy(&acc[r][v], y + r * ldy + v * kLanes, sizeof(Lanes));
      }
    }
  }
  if constexpr (N > 0) n = N;  // a length known at compile time: the loop unrolls
  // Two loop orders, the same chain for every element. Vectors outer, rows inner keeps R
  // broadcast inputs live across the vectors: R * NV accumulators + R inputs + 1 weight
  // vector, 19 for a 6 x 2 tile, more than AVX2's 16 registers, and GCC spilled
  // accumulators to the stack on every input (measured: 128-432 rows at 1.4x Eigen's
  // time, 0.7x with rows outer). Tiles needing more than 14 (two registers left for the
  // compiler's temporaries) take rows outer, which keeps NV weight vectors and one input
  // live; the smaller tiles and the streams keep the other order, a little faster there.
  // The rule counts 16 registers on AVX-512 too (32 there), untimed: no AVX-512 machine.
  if constexpr (R * NV + R + 1 > 14) {
#pragma GCC unroll 8
    for (int64_t i = i0; i < i0 + n; ++i) {
      Lanes wi[NV];
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) std::memcpy(&wi[v], w + i * ldw + v * kLanes, sizeof(Lanes));
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) {
        const float xi = x[r * ldx + i * x_step];
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) acc[r][v] = MulAdd(wi[v], xi, acc[r][v]);
      }
    }
  } else {
#pragma GCC unroll 8
    for (int64_t i = i0; i < i0 + n; ++i) {
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) {
        Lanes wi;
        std::memcpy(&wi, w + i * ldw + v * kLanes, sizeof(wi));
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) acc[r][v] = MulAdd(wi, x[r * ldx + i * x_step], acc[r][v]);
      }
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) {
      Lanes out = acc[r][v];
      if (last && bias != nullptr) {
        Lanes b;
        std::memcpy(&b, bias + v * kLanes, sizeof(b));
        out += b;
      }
      std::memcpy(y + r * ldy + v * kLanes, &out, sizeof(out));
    }
  }
}

// A register tile of 1 <= rows <= kTileRows rows over all inputs in one chain; x is the
// tile's rows interleaved, [in][rows].
void TileRows(int64_t rows, const float* x, const float* w, int64_t ldw, int64_t in, const float* bias, float* y,
              int64_t ldy) {
  switch (rows) {
    case 1: return Chain<1, kTileVectors>(x, 1, 1, w, ldw, 0, in, true, bias, y, ldy);
    case 2: return Chain<2, kTileVectors>(x, 1, 2, w, ldw, 0, in, true, bias, y, ldy);
    case 3: return Chain<3, kTileVectors>(x, 1, 3, w, ldw, 0, in, true, bias, y, ldy);
    case 4: return Chain<4, kTileVectors>(x, 1, 4, w, ldw, 0, in, true, bias, y, ldy);
    default: break;
  }
  if constexpr (kTileRows >= 6) {
    if (rows == 5) return Chain<5, kTileVectors>(x, 1, 5, w, ldw, 0, in, true, bias, y, ldy);
    if (rows == 6) return Chain<6, kTileVectors>(x, 1, 6, w, ldw, 0, in, true, bias, y, ldy);
  }
}

// y[0:R, c0:c1] for c1 - c0 a multiple of kLanes: kStreamInputs inputs at a time across
// all the columns, 8 / R vectors of columns for each of the R rows per step.
template <int R>
void Stream(const float* x, const float* w, const float* bias, int64_t in, int64_t out, int64_t c0, int64_t c1,
            float* y) {
  constexpr int NV = 8 / R;
  for (int64_t i0 = 0; i0 < in; i0 += kStreamInputs) {
    const int64_t n = std::min<int64_t>(kStreamInputs, in - i0);
    const bool last = i0 + n >= in;
    int64_t c = c0;
    if (n == kStreamInputs) {
      for (; c + NV * kLanes <= c1; c += NV * kLanes) {
        Chain<R, NV, kStreamInputs>(x, in, 1, w + c, out, i0, n, last, bias == nullptr ? nullptr : bias + c, y + c,
                                    out);
      }
    }
    for (; c + NV * kLanes <= c1; c += NV * kLanes) {
      Chain<R, NV>(x, in, 1, w + c, out, i0, n, last, bias == nullptr ? nullptr : bias + c, y + c, out);
    }
    for (; c < c1; c += kLanes) {
      Chain<R, 1>(x, in, 1, w + c, out, i0, n, last, bias == nullptr ? nullptr : bias + c, y + c, out);
    }
  }
}

void StreamRows(int64_t rows, const float* x, const float* w, const float* bias, int64_t in, int64_t out, int64_t c0,
                int64_t c1, float* y) {
  switch (rows) {
    case 1: return Stream<1>(x, w, bias, in, out, c0, c1, y);
    case 2: return Stream<2>(x, w, bias, in, out, c0, c1, y);
    case 3: return Stream<3>(x, w, bias, in, out, c0, c1, y);
    case 4: return Stream<4>(x, w, bias, in, out, c0, c1, y);
    default: break;
  }
}

}  // namespace

void LinearForwardRowInvariant(const float* x, const float* w, const float* bias, int64_t rows,
                               int64_t in, int64_t out, float* y) {
  if (rows <= 0 || out <= 0) return;
  if (in <= 0) {  // an empty sum: the bias alone
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < out; ++c) y[r * out + c] = bias != nullptr ? bias[c] : 0.0f;
    }
    return;
  }
  const int64_t col_tiles = (out + kTileCols - 1) / kTileCols;
  // Row tiles of near-equal sizes (13 rows: 5, 4 and 4, not 6, 6 and 1): a tile of one
  // row has too few independent chains to keep the multiply-add units busy.
  const int64_t row_tiles = (rows + kTileRows - 1) / kTileRows;
  // The row tiles' inputs interleaved, [in][tile rows] per tile, so that a tile reads its
  // inputs as one stream instead of one per row. Calls of few rows stream all but a last
  // partial column tile.
  std::vector<float> packed;
  if (rows > kStreamRows || out % kTileCols != 0) {
    packed.resize(rows * in);
    for (int64_t k = 0; k < row_tiles; ++k) {
      const int64_t r0 = rows * k / row_tiles, r1 = rows * (k + 1) / row_tiles;
      float* tile = packed.data() + r0 * in;
      for (int64_t r = r0; r < r1; ++r) {
        for (int64_t i = 0; i < in; ++i) tile[i * (r1 - r0) + (r - r0)] = x[r * in + i];
      }
    }
  }
  // Threads take whole column tiles.
  ParallelFor(col_tiles, 2 * rows * in * out, [&](int64_t t0, int64_t t1) {
    const int64_t c_begin = t0 * kTileCols, c_end = std::min(t1 * kTileCols, out);
    int64_t c0 = c_begin;
    if (rows <= kStreamRows) {
      const int64_t whole_end = std::min(c_end, (out / kTileCols) * kTileCols);
      if (c0 < whole_end) StreamRows(rows, x, w, bias, in, out, c0, whole_end, y);
      c0 = std::max(c0, whole_end);
    }
    // With 8 or more row tiles, each column panel [in, kTileCols] is copied to a contiguous
    // buffer first, then every row tile runs on the copy: read in place, a panel of a
    // matrix whose rows are a multiple of 4 KiB apart falls into a single set of the L1
    // cache and does not stay there from one row tile to the next. With fewer, the copy
    // costs more than it saves in a real decode step, where the weights come from L3
    // (measured: copying fc's [256, 1024] panels from 2 row tiles on made that matrix 1.3x
    // faster at 7-27 rows alone in a loop, and cartpole_balance one policy per thread 20%
    // slower). A last partial panel is always copied, zero-padded.
    const bool copy_panels = row_tiles >= 8;
    std::vector<float> panel, y_tile;
    std::array<float, kTileCols> bias_tile{};
    for (; c0 < c_end; c0 += kTileCols) {
      const int64_t cols = std::min<int64_t>(kTileCols, out - c0);
      const float* wt = w + c0;
      int64_t ldw = out;
      if (copy_panels || cols < kTileCols) {
        if (panel.empty()) panel.resize(in * kTileCols);
        if (cols < kTileCols) std::fill(panel.begin(), panel.end(), 0.0f);
        for (int64_t i = 0; i < in; ++i) std::copy_n(w + i * out + c0, cols, panel.begin() + i * kTileCols);
        wt = panel.data();
        ldw = kTileCols;
      }
      const float* bt = bias == nullptr ? nullptr : bias + c0;
      float* yt = y + c0;
      int64_t ldy = out;
      if (cols < kTileCols) {
        if (bias != nullptr) {
          std::copy_n(bias + c0, cols, bias_tile.begin());
          bt = bias_tile.data();
        }
        y_tile.resize(rows * kTileCols);
        yt = y_tile.data();
        ldy = kTileCols;
      }
      for (int64_t k = 0; k < row_tiles; ++k) {
        const int64_t r0 = rows * k / row_tiles, r1 = rows * (k + 1) / row_tiles;
        TileRows(r1 - r0, packed.data() + r0 * in, wt, ldw, in, bt, yt + r0 * ldy, ldy);
      }
      if (cols < kTileCols) {
        for (int64_t r = 0; r < rows; ++r) std::copy_n(y_tile.data() + r * kTileCols, cols, y + r * out + c0);
      }
    }
  });
}

template <typename T>
void LinearForwardNaive(const T* x, const T* w, const T* bias, int64_t rows, int64_t in,
                        int64_t out, T* y) {
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t o = 0; o < out; ++o) {
      double acc = bias != nullptr ? bias[o] : 0.0;
      for (int64_t i = 0; i < in; ++i) acc += double{x[r * in + i]} * w[i * out + o];
      y[r * out + o] = static_cast<T>(acc);
    }
  }
}

template <typename T>
void LinearBackward(const T* dy, const T* x, const T* w, int64_t rows, int64_t in, int64_t out,
                    T* dx, T* dw, T* dbias) {
  const int64_t work = 2 * rows * in * out;
  if (dx != nullptr) {
    ParallelFor(rows, work, [&](int64_t r0, int64_t r1) {
      MatrixMap<T>(dx + r0 * in, r1 - r0, in).noalias() +=
          ConstMatrixMap<T>(dy + r0 * out, r1 - r0, out) *
          ConstMatrixMap<T>(w, in, out).transpose();
    });
  }
  // dw [in, out] = x^T dy, split by output columns (sum over rows stays in one thread).
  ParallelFor(out, work, [&](int64_t c0, int64_t c1) {
    StridedMatrixMap<T>(dw + c0, in, c1 - c0, Eigen::OuterStride<>(out)).noalias() +=
        ConstMatrixMap<T>(x, rows, in).transpose() *
        ConstStridedMatrixMap<T>(dy + c0, rows, c1 - c0, Eigen::OuterStride<>(out));
    if (dbias != nullptr) {
      // Row by row in a plain loop: Eigen's column sums of a strided map took the vector
      // or the scalar path (rows paired, or one after another) by where dbias + c0 starts,
      // so a heap 16 bytes off changed the bias gradient's last bits
      // (model/alignment_test.cc).
      for (int64_t r = 0; r < rows; ++r) {
        const T* g = dy + r * out;
        for (int64_t c = c0; c < c1; ++c) dbias[c] += g[c];
      }
    }
  });
}

template <typename T>
void LinearBackwardNaive(const T* dy, const T* x, const T* w, int64_t rows, int64_t in,
                         int64_t out, T* dx, T* dw, T* dbias) {
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t o = 0; o < out; ++o) {
      const T g = dy[r * out + o];
      if (dbias != nullptr) dbias[o] += g;
      for (int64_t i = 0; i < in; ++i) {
        if (dx != nullptr) dx[r * in + i] += g * w[i * out + o];
        dw[i * out + o] += g * x[r * in + i];
      }
    }
  }
}

#define CALICO_INSTANTIATE_LINEAR(T)                                                         \
  template void LinearForward<T>(const T*, const T*, const T*, int64_t, int64_t, int64_t, T*); \
  template void LinearForwardNaive<T>(const T*, const T*, const T*, int64_t, int64_t, int64_t, \
                                      T*);                                                   \
  template void LinearBackward<T>(const T*, const T*, const T*, int64_t, int64_t, int64_t, T*, \
                                  T*, T*);                                                   \
  template void LinearBackwardNaive<T>(const T*, const T*, const T*, int64_t, int64_t,        \
                                       int64_t, T*, T*, T*);
CALICO_INSTANTIATE_LINEAR(float)
CALICO_INSTANTIATE_LINEAR(double)
#undef CALICO_INSTANTIATE_LINEAR

}  // namespace calico
