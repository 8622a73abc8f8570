#include "model/embedding.h"

#include "gtest/gtest.h"
#include "model/gradient_check.h"

namespace calico {
namespace {

TEST(EmbeddingTest, AddsRowsAndSkipsNegativeIndices) {
  const std::vector<float> table = {1, 2, 3, 4, 5, 6};  // [3, 2]
  const std::vector<int32_t> index = {2, -1, 0};
  std::vector<float> out(6, 10);
  EmbeddingForward(table.data(), index.data(), 3, 2, out.data());
  EXPECT_EQ(out, (std::vector<float>{15, 16, 10, 10, 11, 12}));
}

TEST(EmbeddingTest, BackwardMatchesFiniteDifferencesWithRepeatedIndices) {
  Rng rng(5);
  std::vector<double> table = RandomVector(rng, 4 * 3);
  const std::vector<int32_t> index = {1, 3, -1, 1, 0};
  const std::vector<double> g = RandomVector(rng, 5 * 3);
  auto loss = [&] {
    std::vector<double> out(5 * 3, 0.0);
    EmbeddingForward(table.data(), index.data(), 5, 3, out.data());
    return Dot(out, g);
  };
  std::vector<double> dtable(4 * 3, 0.0);
  EmbeddingBackward(g.data(), index.data(), 5, 3, dtable.data());
  ExpectGradientNear("dtable", &table, dtable, loss);
  EXPECT_EQ(dtable[2 * 3], 0.0);  // row 2 is never used
}

}  // namespace
}  // namespace calico
