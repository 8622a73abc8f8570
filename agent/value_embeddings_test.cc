#include "agent/value_embeddings.h"

#include <cmath>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/config.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

class ValueEmbeddingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(vocab_, Vocabulary::Create(512));
    ASSERT_OK_AND_ASSIGN(ModelConfig config, ModelPreset("nano"));
    config.set_vocab_size(vocab_->size());
    ASSERT_OK_AND_ASSIGN(Transformer model, Transformer::Create(config, 1));
    model_.emplace(std::move(model));
    before_ = model_->parameters();
    ASSERT_OK(InitializeValueEmbeddings(*vocab_, 3, &*model_));
  }

  std::vector<double> Row(int32_t id) const {
    const int64_t width = model_->config().width();
    const float* p = model_->parameters().data() + model_->layout().token_embedding + id * width;
    return std::vector<double>(p, p + width);
  }

  double Cosine(int32_t a, int32_t b) const {
    const std::vector<double> x = Row(a), y = Row(b);
    double xy = 0, xx = 0, yy = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      xy += x[i] * y[i];
      xx += x[i] * x[i];
      yy += y[i] * y[i];
    }
    return xy / std::sqrt(xx * yy);
  }

  std::optional<Vocabulary> vocab_;
  std::optional<Transformer> model_;
  std::vector<float> before_;
};

TEST_F(ValueEmbeddingsTest, NeighbouringBinsStartCloseAndDistantOnesApart) {
  double near = 0, far = 0;
  for (int32_t b = 0; b < 1000; b += 37) {
    near += Cosine(vocab_->ContinuousId(b), vocab_->ContinuousId(b + 1)) / 28;
    far += std::abs(Cosine(vocab_->ContinuousId(b), vocab_->ContinuousId((b + 512) % 1024))) / 28;
  }
  EXPECT_GT(near, 0.99);
  EXPECT_LT(far, 0.3);
  // Similarity falls with distance in bins.
  EXPECT_GT(Cosine(vocab_->ContinuousId(400), vocab_->ContinuousId(410)),
            Cosine(vocab_->ContinuousId(400), vocab_->ContinuousId(440)));
}

TEST_F(ValueEmbeddingsTest, DiscreteValuesShareTheirBits) {
  // 9 of 10 bits agree: expected cosine (9 - 1) / 10 = 0.8; all disagree: -1.
  double one_bit = 0;
  for (int32_t v = 0; v < 1024; v += 41) one_bit += Cosine(vocab_->DiscreteId(v), vocab_->DiscreteId(v ^ 4)) / 25;
  EXPECT_NEAR(one_bit, 0.8, 0.1);
  EXPECT_NEAR(Cosine(vocab_->DiscreteId(5), vocab_->DiscreteId(1023 - 5)), -1.0, 1e-5);
}

TEST_F(ValueEmbeddingsTest, KeepsTheDefaultScaleAndLeavesOtherRowsAlone) {
  double sum_sq = 0;
  int64_t n = 0;
  for (int32_t id = vocab_->continuous_range().begin; id < vocab_->discrete_range().end; ++id) {
    for (double x : Row(id)) {
      sum_sq += x * x;
      ++n;
    }
  }
  EXPECT_NEAR(std::sqrt(sum_sq / n), 0.02, 0.004);
  const int64_t width = model_->config().width();
  const int64_t table = model_->layout().token_embedding;
  const std::vector<float>& after = model_->parameters();
  for (int32_t id : {0, 100, 511, vocab_->separator_id(), vocab_->eos_id()}) {
    for (int64_t c = 0; c < width; ++c) EXPECT_EQ(after[table + id * width + c], before_[table + id * width + c]);
  }
  // The head's columns of value ids hold the same code as their rows; other columns and
  // everything outside the table and the head are untouched.
  const int64_t head = model_->layout().head_weight;
  const int64_t V = vocab_->size();
  for (int32_t id : {vocab_->ContinuousId(0), vocab_->ContinuousId(700), vocab_->DiscreteId(3)}) {
    for (int64_t c = 0; c < width; ++c) EXPECT_EQ(after[head + c * V + id], after[table + id * width + c]);
  }
  for (int32_t id : {0, 511, vocab_->separator_id(), vocab_->eos_id()}) {
    for (int64_t c = 0; c < width; ++c) EXPECT_EQ(after[head + c * V + id], before_[head + c * V + id]);
  }
  for (int64_t i = 0; i < static_cast<int64_t>(after.size()); ++i) {
    const bool in_table = i >= table && i < table + V * width;
    const bool in_head = i >= head && i < head + V * width;
    if (!in_table && !in_head) {
      ASSERT_EQ(after[i], before_[i]) << i;
    }
  }
}

TEST(ValueEmbeddingsErrorTest, VocabularyMismatchIsAnError) {
  ASSERT_OK_AND_ASSIGN(Vocabulary vocab, Vocabulary::Create(256));
  ASSERT_OK_AND_ASSIGN(ModelConfig config, ModelPreset("nano"));
  ASSERT_OK_AND_ASSIGN(Transformer model, Transformer::Create(config, 1));
  EXPECT_THAT(InitializeValueEmbeddings(vocab, 1, &model),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("vocab_size")));
}

}  // namespace
}  // namespace calico
