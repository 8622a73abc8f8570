#include "agent/text_eval.h"

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "absl/strings/str_cat.h"
#include "agent/evaluate.h"
#include "base/file_io.h"
#include "base/status_macros.h"
#include "base/status_matchers.h"
#include "envs/scenes/scene.h"
#include "envs/scenes/scene_language.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policies/test_models.h"
#include "policies/text_generator.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

constexpr char kTextModel[] = "tokenizers/text/calico_text.model";

// GeneratorAnswerer over a random (untrained) nano model that writes at most `max_tokens`.
absl::StatusOr<TextAnswerer> RandomNanoAnswerer(int max_tokens) {
  ASSIGN_OR_RETURN(std::shared_ptr<const Transformer> model, RandomPresetModel("nano", 5));
  ASSIGN_OR_RETURN(std::unique_ptr<TextTokenizer> text, TextTokenizer::Load(kTextModel));
  TextGeneratorOptions options;
  options.max_tokens = max_tokens;
  ASSIGN_OR_RETURN(std::unique_ptr<TextGenerator> generator,
                   TextGenerator::Create(model, std::shared_ptr<const TextTokenizer>(std::move(text)), options));
  return GeneratorAnswerer(std::move(generator));
}

TEST(TextEvalTest, QueriesAreTheHeldOutScenesWithTheirQuestionsAndCaptions) {
  ASSERT_OK_AND_ASSIGN(std::vector<TextQuery> vqa, MakeTextQueries("scenes/vqa", kFirstEvalSeed, 12));
  ASSERT_EQ(vqa.size(), 12u);
  for (size_t i = 0; i < vqa.size(); ++i) {
    const Scene scene = SampleScene(kFirstEvalSeed + i);
    const QuestionAnswer qa = QuestionForScene(scene);
    EXPECT_EQ(vqa[i].seed, kFirstEvalSeed + i);
    EXPECT_EQ(vqa[i].question, qa.question);
    EXPECT_EQ(vqa[i].expected_caption, Caption(scene));
    EXPECT_EQ(vqa[i].expected, qa.answer);
    EXPECT_EQ(vqa[i].kind, QuestionTypeName(qa.type));
    EXPECT_EQ(vqa[i].image.shape, (std::vector<int64_t>{64, 64, 3}));
  }
  ASSERT_OK_AND_ASSIGN(std::vector<TextQuery> captions, MakeTextQueries("scenes/caption", kFirstEvalSeed, 3));
  EXPECT_EQ(captions[1].question, "");
  EXPECT_EQ(captions[1].expected_caption, "");
  EXPECT_EQ(captions[1].expected, Caption(SampleScene(kFirstEvalSeed + 1)));
  // Same seeds, same pixels.
  ASSERT_OK_AND_ASSIGN(std::vector<TextQuery> again, MakeTextQueries("scenes/caption", kFirstEvalSeed, 3));
  EXPECT_EQ(again[2].image.bytes, captions[2].image.bytes);
  EXPECT_THAT(MakeTextQueries("mujoco/cartpole_balance", kFirstEvalSeed, 3).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a vision-language task")));
}

// scenes/vqa_text asks scenes/vqa's questions on the same scenes, with the scene's caption
// given as text and no image (nothing rendered, no description to score).
TEST(TextEvalTest, TextOnlyQueriesAreTheVqaQuestionsAfterTheCaption) {
  ASSERT_OK_AND_ASSIGN(std::vector<TextQuery> vqa, MakeTextQueries("scenes/vqa", kFirstEvalSeed, 30));
  ASSERT_OK_AND_ASSIGN(std::vector<TextQuery> text, MakeTextQueries("scenes/vqa_text", kFirstEvalSeed, 30));
  ASSERT_EQ(text.size(), 30u);
  for (size_t i = 0; i < text.size(); ++i) {
    EXPECT_EQ(text[i].seed, vqa[i].seed);
    EXPECT_EQ(text[i].question, vqa[i].question);
    EXPECT_EQ(text[i].expected, vqa[i].expected);
    EXPECT_EQ(text[i].kind, vqa[i].kind);
    EXPECT_EQ(text[i].objects, vqa[i].objects);
    EXPECT_EQ(text[i].description, vqa[i].expected_caption);
    EXPECT_EQ(text[i].expected_caption, "");
    EXPECT_TRUE(IsNoImage(text[i].image)) << i;
    EXPECT_EQ(vqa[i].description, "");
  }
  // The ground truth scores 100 and no description metric appears; a random model answers
  // every question from the text, reading back the description it was given.
  ASSERT_OK_AND_ASSIGN(TextTaskScore truth,
                       EvaluateTextTask("scenes/vqa_text", 30, kFirstEvalSeed, GroundTruthAnswerer(), 100, 0, nullptr));
  EXPECT_EQ(truth.task, "scenes/vqa_text");
  EXPECT_DOUBLE_EQ(truth.metrics[0].value.value, 100.0);
  for (const TextMetric& metric : truth.metrics) EXPECT_EQ(metric.name.find("described"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(TextAnswerer random_answerer, RandomNanoAnswerer(4));
  ASSERT_OK_AND_ASSIGN(TextTaskScore random,
                       EvaluateTextTask("scenes/vqa_text", 10, kFirstEvalSeed, random_answerer, 100, 0, nullptr));
  ASSERT_EQ(random.examples.size(), 10u);
  for (size_t i = 0; i < random.examples.size(); ++i) {
    EXPECT_EQ(random.examples[i].caption, text[i].description);
    EXPECT_FALSE(random.examples[i].answer.empty() && random.examples[i].working.empty()) << i;
  }
}

TEST(TextEvalTest, GroundTruthScoresHundredAndARandomModelScoresLow) {
  ASSERT_OK_AND_ASSIGN(TextTaskScore truth,
                       EvaluateTextTask("scenes/vqa", 40, kFirstEvalSeed, GroundTruthAnswerer(), 200, 0, nullptr));
  EXPECT_DOUBLE_EQ(truth.metrics[0].value.value, 100.0);
  for (const std::string name : {"described exactly", "accuracy (described exactly)"}) {
    const auto metric = std::find_if(truth.metrics.begin(), truth.metrics.end(),
                                     [&](const TextMetric& m) { return m.name == name; });
    ASSERT_NE(metric, truth.metrics.end()) << name;
    EXPECT_DOUBLE_EQ(metric->value.value, 100.0) << name;
  }
  ASSERT_OK_AND_ASSIGN(TextTaskScore caption,
                       EvaluateTextTask("scenes/caption", 5, kFirstEvalSeed, GroundTruthAnswerer(), 200, 0, nullptr));
  EXPECT_DOUBLE_EQ(caption.metrics[1].value.value, 100.0);

  ASSERT_OK_AND_ASSIGN(TextAnswerer random_answerer, RandomNanoAnswerer(6));
  ASSERT_OK_AND_ASSIGN(TextTaskScore random,
                       EvaluateTextTask("scenes/vqa", 70, kFirstEvalSeed, random_answerer, 200, 0, nullptr));
  ASSERT_EQ(random.examples.size(), 70u);  // two answerer chunks (64 + 6)
  EXPECT_LT(random.metrics[0].value.value, 20.0);
  EXPECT_FALSE(random.examples[0].answer.empty());
}

TEST(TextEvalTest, ScenesRenderedChunkByChunkAreTheSameScenes) {
  // 70 scenes are two chunks (64 + 6): each example is the query MakeTextQueries makes for
  // its seed, and the answerer sees each chunk's images.
  ASSERT_OK_AND_ASSIGN(std::vector<TextQuery> all, MakeTextQueries("scenes/vqa", kFirstEvalSeed, 70));
  std::vector<std::vector<uint8_t>> images;
  TextAnswerer recording = [&](const std::vector<TextQuery>& queries) -> absl::StatusOr<std::vector<SceneAnswer>> {
    for (const TextQuery& query : queries) images.push_back(query.image.bytes);
    return std::vector<SceneAnswer>(queries.size(), SceneAnswer{"a small red box", "x", true, false, ""});
  };
  ASSERT_OK_AND_ASSIGN(TextTaskScore score,
                       EvaluateTextTask("scenes/vqa", 70, kFirstEvalSeed, recording, 10, 0, nullptr));
  ASSERT_EQ(score.examples.size(), 70u);
  ASSERT_EQ(images.size(), 70u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(score.examples[i].seed, all[i].seed);
    EXPECT_EQ(score.examples[i].question, all[i].question);
    EXPECT_EQ(score.examples[i].caption, "a small red box");
    EXPECT_EQ(score.examples[i].answer, "x");
    EXPECT_EQ(score.examples[i].expected, all[i].expected);
    EXPECT_TRUE(images[i] == all[i].image.bytes) << "scene " << i;
  }
  EXPECT_THAT(EvaluateTextTask("scenes/vqa", 0, kFirstEvalSeed, recording, 10, 0, nullptr).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("0 scenes")));
}

TEST(TextEvalTest, SuiteOfVisionLanguageTasksWritesItsOwnReportSection) {
  const TaskRegistry registry;
  ASSERT_OK_AND_ASSIGN(
      SuiteConfig suite,
      ParseSuite("name: 'vl' episodes: 6 first_seed: 1000000 tasks { task: 'scenes/vqa' } "
                 "tasks { task: 'scenes/caption' episodes: 3 } tasks { task: 'scenes/vqa_text' episodes: 4 }",
                 "vl.textproto", registry, {}));
  EXPECT_EQ(suite.tasks(0).episodes(), 6);
  EvaluateOptions options;
  options.suite = suite;
  options.policy_label = "expert";
  EXPECT_THAT(EvaluateSuite(registry, nullptr, options, nullptr).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("needs a model that writes text")));
  options.answer_text = GroundTruthAnswerer();
  options.report_directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/vl-report");
  ASSERT_OK_AND_ASSIGN(SuiteScores scores, EvaluateSuite(registry, nullptr, options, nullptr));
  EXPECT_TRUE(scores.tasks.empty());
  ASSERT_EQ(scores.text_tasks.size(), 3u);
  EXPECT_EQ(scores.text_tasks[1].examples.size(), 3u);
  EXPECT_EQ(scores.text_tasks[2].task, "scenes/vqa_text");
  EXPECT_EQ(scores.text_tasks[2].examples.size(), 4u);
  ASSERT_OK_AND_ASSIGN(std::string json, ReadFile(options.report_directory + "/report.json"));
  EXPECT_THAT(json, HasSubstr("\"aggregate\": null"));
  EXPECT_THAT(json, HasSubstr("\"vision_language\": ["));
  EXPECT_THAT(json, HasSubstr("{\"name\": \"accuracy\", \"scenes\": 6, \"percent\": {\"value\": 100"));
  EXPECT_THAT(json, HasSubstr("\"seed\": 1000002"));
  ASSERT_OK_AND_ASSIGN(std::string md, ReadFile(options.report_directory + "/report.md"));
  EXPECT_THAT(md, HasSubstr("## Vision-language"));
  EXPECT_THAT(md, HasSubstr("| scenes/caption | token F1 | 3 | 100.0 |"));
  EXPECT_THAT(md, HasSubstr("| scenes/vqa_text | accuracy | 4 | 100.0 |"));
  EXPECT_THAT(md, HasSubstr("not part of the mean, median or IQM"));
  ASSERT_OK_AND_ASSIGN(std::string html, ReadFile(options.report_directory + "/report.html"));
  EXPECT_THAT(html, HasSubstr("id=\"text-table\""));
  EXPECT_THAT(html, ::testing::Not(HasSubstr("<svg id=\"scores\"")));
}

TEST(TextEvalTest, SuiteWithVisionLanguageTasksMustStartAtHeldOutSeeds) {
  const TaskRegistry registry;
  for (const char* task : {"scenes/vqa", "scenes/caption", "scenes/vqa_text"}) {
    EXPECT_THAT(ParseSuite(absl::StrCat("first_seed: 10 tasks { task: '", task, "' }"), "vl.textproto", registry, {}),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("held-out scene seeds start at 1000000")))
        << task;
  }
  EXPECT_THAT(ParseSuite("first_seed: 1000000 tasks { task: 'scenes/vqa' } tasks { task: 'scenes/vqa' }",
                         "vl.textproto", registry, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("listed twice")));
}

}  // namespace
}  // namespace calico
