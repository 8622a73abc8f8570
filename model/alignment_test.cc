// The float kernels give bit-identical results wherever their buffers start. Buffers
// are std::vectors, which malloc aligns to 16 bytes only, while AVX packets are 32 or
// 64: a kernel whose vector code peels a different head for a different start would make
// a training run depend on the heap's state (a resumed run would not equal an
// uninterrupted one under --config=native).
#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

#include "gtest/gtest.h"
#include "model/attention.h"
#include "model/cross_entropy.h"
#include "model/embedding.h"
#include "model/gelu.h"
#include "model/gradient_check.h"
#include "model/layer_norm.h"
#include "model/linear.h"
#include "model/patch_block.h"

namespace calico {
namespace {

// Float offsets at which the buffers start, relative to a 64-byte boundary: 16-byte
// steps (what malloc may give) and odd ones.
constexpr int kOffsets[] = {0, 1, 3, 4, 8, 12};

// Copies of `values` placed `offset` floats past a 64-byte boundary.
class Placed {
 public:
  Placed(const std::vector<float>& values, int offset) : storage_(values.size() + 32) {
    const auto address = reinterpret_cast<uintptr_t>(storage_.data());
    const size_t skip = ((64 - address % 64) % 64) / sizeof(float);
    data_ = storage_.data() + skip + offset;
    std::memcpy(data_, values.data(), values.size() * sizeof(float));
    size_ = values.size();
  }
  float* data() { return data_; }
  std::vector<float> values() const { return std::vector<float>(data_, data_ + size_); }

 private:
  std::vector<float> storage_;
  float* data_ = nullptr;
  size_t size_ = 0;
};

std::vector<float> RandomFloats(Rng& rng, size_t n, double scale = 1.0) {
  const std::vector<double> d = RandomVector(rng, n, scale);
  return std::vector<float>(d.begin(), d.end());
}

// Runs `kernel` on buffers placed at each offset (all buffers at the same one, then each
// at a different one, so inputs and outputs are also shifted against each other) and
// expects every output bit-identical to the first placement's.
void ExpectSameAtEveryOffset(const std::vector<std::vector<float>>& buffers, const std::vector<int>& outputs,
                             const std::function<void(std::vector<Placed>&)>& kernel) {
  constexpr int kCount = sizeof(kOffsets) / sizeof(kOffsets[0]);
  std::vector<std::vector<float>> first;
  for (int placement = 0; placement < 2 * kCount; ++placement) {
    std::vector<Placed> placed;
    for (size_t b = 0; b < buffers.size(); ++b) {
      const int shift = placement < kCount ? 0 : static_cast<int>(b);
      placed.emplace_back(buffers[b], kOffsets[(placement + shift) % kCount]);
    }
    kernel(placed);
    for (size_t o = 0; o < outputs.size(); ++o) {
      const std::vector<float> got = placed[outputs[o]].values();
      if (placement == 0) {
        first.push_back(got);
        continue;
      }
      ASSERT_EQ(got.size(), first[o].size());
      for (size_t i = 0; i < got.size(); ++i) {
        if (got[i] != first[o][i]) {
          ADD_FAILURE() << "output " << outputs[o] << " element " << i << " in placement " << placement << ": "
                        << got[i] << " against " << first[o][i];
          break;  // one report per output and placement
        }
      }
    }
  }
}

TEST(AlignmentTest, GeluForwardAndBackward) {
  Rng rng(1);
  for (const size_t n : {size_t{1000}, size_t{4099}}) {
    ExpectSameAtEveryOffset(
        {RandomFloats(rng, n, 3.0), std::vector<float>(n), RandomFloats(rng, n), RandomFloats(rng, n)}, {1, 3},
        [&](std::vector<Placed>& b) {
          GeluForward(b[0].data(), n, b[1].data());
          GeluBackward(b[2].data(), b[0].data(), n, b[3].data());
        });
  }
}

TEST(AlignmentTest, AttentionForwardAndBackward) {
  Rng rng(2);
  for (const AttentionShape& s : {AttentionShape{2, 2, 70, 16}, AttentionShape{1, 2, 130, 32}}) {
    const size_t n = s.batch * s.heads * s.seq * s.head_dim, rows = s.batch * s.heads * s.seq;
    ExpectSameAtEveryOffset(
        {RandomFloats(rng, n), RandomFloats(rng, n), RandomFloats(rng, n), std::vector<float>(n),
         std::vector<float>(rows), RandomFloats(rng, n), std::vector<float>(n), std::vector<float>(n),
         std::vector<float>(n)},
        {3, 4, 6, 7, 8}, [&](std::vector<Placed>& b) {
          CausalAttentionForward(b[0].data(), b[1].data(), b[2].data(), s, b[3].data(), b[4].data());
          CausalAttentionBackward(b[5].data(), b[0].data(), b[1].data(), b[2].data(), b[3].data(), b[4].data(), s,
                                  b[6].data(), b[7].data(), b[8].data());
        });
  }
}

TEST(AlignmentTest, LinearForwardAndBackward) {
  Rng rng(3);
  for (const int64_t rows : {int64_t{1}, int64_t{3}, int64_t{40}}) {
    const int64_t in = 37, out = 53;
    ExpectSameAtEveryOffset({RandomFloats(rng, rows * in), RandomFloats(rng, in * out), RandomFloats(rng, out),
                             std::vector<float>(rows * out), RandomFloats(rng, rows * out),
                             std::vector<float>(rows * in), std::vector<float>(in * out), std::vector<float>(out)},
                            {3, 5, 6, 7}, [&](std::vector<Placed>& b) {
                              LinearForward(b[0].data(), b[1].data(), b[2].data(), rows, in, out, b[3].data());
                              LinearBackward(b[4].data(), b[0].data(), b[1].data(), rows, in, out, b[5].data(),
                                             b[6].data(), b[7].data());
                            });
  }
}

TEST(AlignmentTest, LayerNormForwardAndBackward) {
  Rng rng(4);
  const int64_t rows = 9, width = 45;
  ExpectSameAtEveryOffset(
      {RandomFloats(rng, rows * width), RandomFloats(rng, width), RandomFloats(rng, width),
       std::vector<float>(rows * width), std::vector<float>(rows), std::vector<float>(rows),
       RandomFloats(rng, rows * width), std::vector<float>(rows * width), std::vector<float>(width),
       std::vector<float>(width)},
      {3, 4, 5, 7, 8, 9}, [&](std::vector<Placed>& b) {
        LayerNormForward(b[0].data(), b[1].data(), b[2].data(), rows, width, 1e-5f, b[3].data(), b[4].data(),
                         b[5].data());
        LayerNormBackward(b[6].data(), b[0].data(), b[1].data(), b[4].data(), b[5].data(), rows, width,
                          b[7].data(), b[8].data(), b[9].data());
      });
}

TEST(AlignmentTest, PatchBlockForwardAndBackward) {
  Rng rng(5);
  const int64_t patches = 5, n = patches * 768;
  ExpectSameAtEveryOffset(
      {RandomFloats(rng, n), RandomFloats(rng, 3), RandomFloats(rng, 3), RandomFloats(rng, kPatchConvWeights, 0.3),
       RandomFloats(rng, 3), std::vector<float>(n), std::vector<float>(patches), std::vector<float>(patches),
       std::vector<float>(n), std::vector<float>(n), RandomFloats(rng, n), std::vector<float>(3),
       std::vector<float>(3), std::vector<float>(kPatchConvWeights), std::vector<float>(3), std::vector<float>(n)},
      {5, 6, 7, 8, 9, 11, 12, 13, 14, 15}, [&](std::vector<Placed>& b) {
        const PatchBlockParams<float> params{b[1].data(), b[2].data(), b[3].data(), b[4].data()};
        PatchBlockForward(b[0].data(), params, patches, 1e-5f, b[5].data(), b[6].data(), b[7].data(), b[8].data(),
                          b[9].data());
        const PatchBlockGrads<float> grads{b[11].data(), b[12].data(), b[13].data(), b[14].data()};
        PatchBlockBackward(b[10].data(), b[0].data(), params, patches, b[6].data(), b[7].data(), b[8].data(),
                           b[9].data(), grads, b[15].data());
      });
}

TEST(AlignmentTest, CrossEntropyAndEmbedding) {
  Rng rng(6);
  const int64_t rows = 7, classes = 61, width = 29, table_rows = 5;
  const std::vector<int32_t> target = {0, 60, 3, 17, 17, 59, 1};
  const std::vector<int32_t> index = {4, -1, 0, 4, 2, 2, 1};
  std::vector<double> losses;
  ExpectSameAtEveryOffset({RandomFloats(rng, rows * classes, 3.0), std::vector<float>(rows * classes),
                           RandomFloats(rng, table_rows * width), RandomFloats(rng, rows * width),
                           std::vector<float>(rows * width), std::vector<float>(table_rows * width)},
                          {1, 4, 5}, [&](std::vector<Placed>& b) {
                            losses.push_back(
                                SoftmaxCrossEntropy(b[0].data(), target.data(), rows, classes, 0.5, b[1].data()));
                            EmbeddingForward(b[2].data(), index.data(), rows, width, b[4].data());
                            EmbeddingBackward(b[3].data(), index.data(), rows, width, b[5].data());
                          });
  for (double loss : losses) EXPECT_EQ(loss, losses.front());
}

}  // namespace
}  // namespace calico
