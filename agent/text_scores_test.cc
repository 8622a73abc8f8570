#include "agent/text_scores.h"

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

TextExample Example(const std::string& kind, const std::string& expected, const std::string& answer) {
  TextExample example;
  example.kind = kind;
  example.expected = expected;
  example.answer = answer;
  return example;
}

TEST(TextScoresTest, NormalizeAnswerCollapsesSpaceAndCase) {
  EXPECT_EQ(NormalizeAnswer("  A small\tRED  sphere "), "a small red sphere");
  EXPECT_EQ(NormalizeAnswer(""), "");
}

TEST(TextScoresTest, TokenF1CountsOverlapAsAMultiset) {
  EXPECT_DOUBLE_EQ(TokenF1("a small red sphere", "a small red sphere"), 1.0);
  EXPECT_DOUBLE_EQ(TokenF1("a large red sphere", "a small red sphere"), 0.75);
  // Precision 2/2, recall 2/4: F1 = 2 * 1 * 0.5 / 1.5.
  EXPECT_DOUBLE_EQ(TokenF1("red sphere", "a small red sphere"), 2.0 / 3.0);
  // "a a a" against "a b": overlap 1 (multiset), P 1/3, R 1/2, F1 0.4.
  EXPECT_DOUBLE_EQ(TokenF1("a a a", "a b"), 0.4);
  EXPECT_DOUBLE_EQ(TokenF1("blue", "red"), 0.0);
  EXPECT_DOUBLE_EQ(TokenF1("", ""), 1.0);
  EXPECT_DOUBLE_EQ(TokenF1("", "red"), 0.0);
  EXPECT_DOUBLE_EQ(TokenF1("Red", "red "), 1.0);
}

TEST(TextScoresTest, VqaAccuracyOverallAndPerQuestionType) {
  std::vector<TextExample> examples = {
      Example("colour", "red", "red"),   Example("colour", "blue", "green"), Example("count", "two", "two"),
      Example("count", "one", "One "),   Example("existence", "yes", "no"),
  };
  ASSERT_OK_AND_ASSIGN(TextTaskScore score, ScoreTextTask("scenes/vqa", examples, 500, 1));
  ASSERT_EQ(score.metrics.size(), 4u);  // overall, colour, count, existence (enum order)
  EXPECT_EQ(score.metrics[0].name, "accuracy");
  EXPECT_EQ(score.metrics[0].count, 5);
  EXPECT_DOUBLE_EQ(score.metrics[0].value.value, 60.0);
  EXPECT_LE(score.metrics[0].value.low, 60.0);
  EXPECT_GE(score.metrics[0].value.high, 60.0);
  EXPECT_LT(score.metrics[0].value.low, score.metrics[0].value.high);
  EXPECT_EQ(score.metrics[1].name, "accuracy (colour)");
  EXPECT_DOUBLE_EQ(score.metrics[1].value.value, 50.0);
  EXPECT_EQ(score.metrics[2].name, "accuracy (count)");
  EXPECT_DOUBLE_EQ(score.metrics[2].value.value, 100.0);
  EXPECT_DOUBLE_EQ(score.metrics[2].value.low, 100.0);
  EXPECT_EQ(score.metrics[3].name, "accuracy (existence)");
  EXPECT_DOUBLE_EQ(score.metrics[3].value.value, 0.0);
  EXPECT_TRUE(score.examples[3].exact);
  EXPECT_FALSE(score.examples[1].exact);
  // Same seed, same intervals.
  ASSERT_OK_AND_ASSIGN(TextTaskScore again, ScoreTextTask("scenes/vqa", examples, 500, 1));
  EXPECT_EQ(again.metrics[0].value.low, score.metrics[0].value.low);
  EXPECT_EQ(again.metrics[0].value.high, score.metrics[0].value.high);
}

TEST(TextScoresTest, CaptionExactMatchAndTokenF1) {
  std::vector<TextExample> examples = {
      Example("caption", "a small red sphere", "a small red sphere"),
      Example("caption", "a small red sphere left of a large blue box", "a small red sphere"),
  };
  ASSERT_OK_AND_ASSIGN(TextTaskScore score, ScoreTextTask("scenes/caption", examples, 200, 2));
  ASSERT_EQ(score.metrics.size(), 2u);
  EXPECT_EQ(score.metrics[0].name, "exact match");
  EXPECT_DOUBLE_EQ(score.metrics[0].value.value, 50.0);
  EXPECT_EQ(score.metrics[1].name, "token F1");
  // Second: overlap 4 of answer 4 / expected 10 (multiset: "a" twice in expected, once
  // in the answer): P 1, R 0.4, F1 = 0.8 / 1.4.
  EXPECT_NEAR(score.metrics[1].value.value, 100.0 * (1.0 + 0.8 / 1.4) / 2, 1e-9);
}

TEST(TextScoresTest, Errors) {
  EXPECT_THAT(ScoreTextTask("mujoco/cartpole_balance", {Example("x", "a", "a")}, 10, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cannot score task")));
  EXPECT_THAT(ScoreTextTask("scenes/vqa", {}, 10, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no examples")));
  EXPECT_THAT(ScoreTextTask("scenes/vqa", {Example("colour", "a", "a")}, 0, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bootstrap samples")));
}

}  // namespace
}  // namespace calico
