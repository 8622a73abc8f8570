#include "agent/text_scores.h"

#include <map>
#include <string>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

TextExample Example(const std::string& kind, const std::string& expected, const std::string& answer,
                    int objects = 1) {
  TextExample example;
  example.kind = kind;
  example.expected = expected;
  example.answer = answer;
  example.objects = objects;
  return example;
}

// Reference values: Newcombe (1998), "Two-sided confidence intervals for the single
// proportion", Statistics in Medicine 17, table II, method 3 (the Wilson score interval).
TEST(TextScoresTest, WilsonIntervalMatchesNewcombesTable) {
  struct Case {
    int successes, trials;
    double low, high;  // percent, as printed (4 decimals of a proportion)
  };
  for (const Case& c : {Case{81, 263, 25.53, 36.62}, Case{15, 148, 6.24, 16.05}, Case{0, 20, 0.0, 16.11},
                        Case{1, 29, 0.61, 17.18}, Case{29, 29, 88.30, 100.0}}) {
    ASSERT_OK_AND_ASSIGN(Estimate e, WilsonPercent(c.successes, c.trials));
    EXPECT_DOUBLE_EQ(e.value, 100.0 * c.successes / c.trials);
    EXPECT_NEAR(e.low, c.low, 0.006) << c.successes << "/" << c.trials;
    EXPECT_NEAR(e.high, c.high, 0.006) << c.successes << "/" << c.trials;
  }
  EXPECT_THAT(WilsonPercent(1, 0).status(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("trials")));
  EXPECT_THAT(WilsonPercent(3, 2).status(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("successes")));
  EXPECT_THAT(WilsonPercent(-1, 2).status(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("successes")));
}

TEST(TextScoresTest, AttributeF1IgnoresTheFillerWords) {
  // Every attribute wrong: plain token F1 still credits "a", "left", "of", "a".
  const std::string expected = "a small red sphere left of a large blue box";
  const std::string wrong = "a large green box left of a small yellow cylinder";
  EXPECT_GT(TokenF1(wrong, expected), 0.4);
  // Colours and two of the pairings wrong: "large", "box", "small" match of 6 each side.
  EXPECT_DOUBLE_EQ(AttributeF1(wrong, expected), 0.5);
  EXPECT_DOUBLE_EQ(AttributeF1("a tiny pink cone left of a huge grey cube", expected), 0.0);
  EXPECT_DOUBLE_EQ(AttributeF1(expected, expected), 1.0);
  EXPECT_DOUBLE_EQ(AttributeF1("A  Small RED sphere", "a small red sphere"), 1.0);
  EXPECT_DOUBLE_EQ(AttributeF1("a left of", "a small red sphere"), 0.0);
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
  // Overall, colour, count, existence (enum order), then existence's yes/no shares.
  ASSERT_EQ(score.metrics.size(), 6u);
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
  // Two of two right: Wilson's interval does not collapse to a point at 100%.
  EXPECT_NEAR(score.metrics[2].value.low, 34.24, 0.01);
  EXPECT_DOUBLE_EQ(score.metrics[2].value.high, 100.0);
  EXPECT_EQ(score.metrics[3].name, "accuracy (existence)");
  EXPECT_DOUBLE_EQ(score.metrics[3].value.value, 0.0);
  EXPECT_TRUE(score.examples[3].exact);
  EXPECT_FALSE(score.examples[1].exact);
  EXPECT_EQ(score.metrics[4].name, "answered yes (existence)");
  EXPECT_DOUBLE_EQ(score.metrics[4].value.value, 0.0);
  EXPECT_EQ(score.metrics[5].name, "yes expected (existence)");
  EXPECT_DOUBLE_EQ(score.metrics[5].value.value, 100.0);
  // Same seed, same intervals.
  ASSERT_OK_AND_ASSIGN(TextTaskScore again, ScoreTextTask("scenes/vqa", examples, 500, 1));
  EXPECT_EQ(again.metrics[0].value.low, score.metrics[0].value.low);
  EXPECT_EQ(again.metrics[0].value.high, score.metrics[0].value.high);
}

// A model that says "yes" to every position question: half right, which the accuracy
// alone cannot tell from a model that is half right for other reasons.
TEST(TextScoresTest, YesNoTypesReportHowOftenTheAnswerIsYes) {
  std::vector<TextExample> examples = {
      Example("position", "yes", "yes"), Example("position", "no", "yes"),  Example("position", "no", "Yes "),
      Example("position", "yes", "yes"), Example("existence", "no", "no"),  Example("existence", "yes", "no"),
      Example("existence", "no", "two"), Example("colour", "red", "yes"),
  };
  ASSERT_OK_AND_ASSIGN(TextTaskScore score, ScoreTextTask("scenes/vqa", examples, 100, 1));
  std::map<std::string, TextMetric> by_name;
  for (const TextMetric& metric : score.metrics) by_name[metric.name] = metric;
  ASSERT_EQ(by_name.count("answered yes (position)"), 1u);
  EXPECT_EQ(by_name["answered yes (position)"].count, 4);
  EXPECT_DOUBLE_EQ(by_name["answered yes (position)"].value.value, 100.0);  // 4 of 4, " Yes " included
  EXPECT_DOUBLE_EQ(by_name["yes expected (position)"].value.value, 50.0);   // 2 of 4
  EXPECT_DOUBLE_EQ(by_name["accuracy (position)"].value.value, 50.0);
  // Wilson's interval for 2 of 4 (z = 1.96): [15.00, 85.00].
  EXPECT_NEAR(by_name["yes expected (position)"].value.low, 15.00, 0.01);
  EXPECT_NEAR(by_name["yes expected (position)"].value.high, 85.00, 0.01);
  // An answer that is neither word counts as not "yes".
  EXPECT_NEAR(by_name["answered yes (existence)"].value.value, 0.0, 1e-12);
  EXPECT_NEAR(by_name["yes expected (existence)"].value.value, 100.0 / 3.0, 1e-9);
  // Colour answers are words, not yes/no: no shares for that type.
  EXPECT_EQ(by_name.count("answered yes (colour)"), 0u);
  EXPECT_EQ(by_name.count("yes expected (colour)"), 0u);
}

// Colour and shape questions about several objects are also scored on their own (the
// answer has to come from the object asked about); scenes/vqa_text is scored as scenes/vqa.
TEST(TextScoresTest, ColourAndShapeAccuracyOnScenesOfSeveralObjects) {
  std::vector<TextExample> examples = {
      Example("colour", "red", "red", 1),   Example("colour", "red", "blue", 2), Example("colour", "green", "green", 3),
      Example("colour", "blue", "red", 4),  Example("colour", "cyan", "cyan", 4), Example("shape", "box", "box", 1),
      Example("shape", "box", "sphere", 1), Example("count", "two", "two", 2),
  };
  for (const char* task : {"scenes/vqa", "scenes/vqa_text"}) {
    ASSERT_OK_AND_ASSIGN(TextTaskScore score, ScoreTextTask(task, examples, 100, 1));
    EXPECT_EQ(score.task, task);
    std::map<std::string, TextMetric> by_name;
    for (const TextMetric& metric : score.metrics) by_name[metric.name] = metric;
    EXPECT_NEAR(by_name["accuracy"].value.value, 500.0 / 8, 1e-9);
    EXPECT_NEAR(by_name["accuracy (colour)"].value.value, 60.0, 1e-9);          // 3 of 5
    ASSERT_EQ(by_name.count("accuracy (colour, 2+ objects)"), 1u);
    EXPECT_EQ(by_name["accuracy (colour, 2+ objects)"].count, 4);
    EXPECT_NEAR(by_name["accuracy (colour, 2+ objects)"].value.value, 50.0, 1e-9);  // 2 of 4
    // No shape question about several objects: no metric rather than one of 0 scenes.
    EXPECT_EQ(by_name.count("accuracy (shape, 2+ objects)"), 0u);
    EXPECT_EQ(by_name.count("accuracy (count, 2+ objects)"), 0u);
  }
  EXPECT_THAT(ScoreTextTask("scenes/vqa_texts", examples, 100, 1).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("scenes/vqa_text")));
}

// The description before the answer: 2 of 3 are the scene's caption (spacing and case
// forgiven), and of those 2 one answer is right.
TEST(TextScoresTest, VqaReportsHowOftenTheDescriptionIsTheCaption) {
  std::vector<TextExample> examples = {
      Example("colour", "red", "red"), Example("count", "two", "one"), Example("shape", "box", "box")};
  const char* truth[] = {"a small red box", "a large blue sphere left of a small red box", "a large green box"};
  const char* described[] = {" A small red  box", "a large blue sphere left of a small red box", "a large green sphere"};
  for (int i = 0; i < 3; ++i) {
    examples[i].expected_caption = truth[i];
    examples[i].caption = described[i];
  }
  ASSERT_OK_AND_ASSIGN(TextTaskScore score, ScoreTextTask("scenes/vqa", examples, 100, 1));
  std::map<std::string, TextMetric> by_name;
  for (const TextMetric& metric : score.metrics) by_name[metric.name] = metric;
  ASSERT_EQ(by_name.count("described exactly"), 1u);
  EXPECT_EQ(by_name["described exactly"].count, 3);
  EXPECT_NEAR(by_name["described exactly"].value.value, 200.0 / 3.0, 1e-9);
  EXPECT_EQ(by_name["accuracy (described exactly)"].count, 2);
  EXPECT_DOUBLE_EQ(by_name["accuracy (described exactly)"].value.value, 50.0);
  // Examples without an expected caption (answers not asked to describe) get neither.
  for (TextExample& example : examples) example.expected_caption.clear();
  ASSERT_OK_AND_ASSIGN(TextTaskScore plain, ScoreTextTask("scenes/vqa", examples, 100, 1));
  ASSERT_EQ(plain.metrics.size(), score.metrics.size() - 2);  // all but the two "described" ones
  for (const TextMetric& metric : plain.metrics) EXPECT_EQ(metric.name.find("described"), std::string::npos);
}

TEST(TextScoresTest, CaptionExactMatchAndTokenF1) {
  std::vector<TextExample> examples = {
      Example("caption", "a small red sphere", "a small red sphere", 1),
      Example("caption", "a small red sphere left of a large blue box", "a small red sphere", 2),
      Example("caption", "a small red sphere left of a large blue box", "a small red sphere left of a large blue box", 2),
  };
  ASSERT_OK_AND_ASSIGN(TextTaskScore score, ScoreTextTask("scenes/caption", examples, 200, 2));
  ASSERT_EQ(score.metrics.size(), 5u);
  EXPECT_EQ(score.metrics[0].name, "exact match");
  EXPECT_NEAR(score.metrics[0].value.value, 200.0 / 3, 1e-9);
  EXPECT_EQ(score.metrics[0].count, 3);
  EXPECT_EQ(score.metrics[1].name, "token F1");
  // Second: overlap 4 of answer 4 / expected 10 (multiset: "a" twice in expected, once
  // in the answer): P 1, R 0.4, F1 = 0.8 / 1.4.
  EXPECT_NEAR(score.metrics[1].value.value, 100.0 * (2.0 + 0.8 / 1.4) / 3, 1e-9);
  EXPECT_EQ(score.metrics[2].name, "attribute F1");
  // Second: 3 of 6 attributes, P 1, R 0.5, F1 2/3.
  EXPECT_NEAR(score.metrics[2].value.value, 100.0 * (2.0 + 2.0 / 3) / 3, 1e-9);
  // Per object count, only the counts present: 1 of 1 with one object, 1 of 2 with two.
  EXPECT_EQ(score.metrics[3].name, "exact match (1 object)");
  EXPECT_EQ(score.metrics[3].count, 1);
  EXPECT_DOUBLE_EQ(score.metrics[3].value.value, 100.0);
  EXPECT_EQ(score.metrics[4].name, "exact match (2 objects)");
  EXPECT_EQ(score.metrics[4].count, 2);
  EXPECT_DOUBLE_EQ(score.metrics[4].value.value, 50.0);
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
