#include "agent/scene_answers.h"

#include <memory>
#include <string>
#include <vector>

#include "base/random.h"
#include "base/status_macros.h"
#include "base/status_matchers.h"
#include "envs/scenes/scene_language.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policies/test_models.h"
#include "tokenizers/text/text_tokenizer.h"

namespace calico {
namespace {

constexpr char kTextModel[] = "tokenizers/text/calico_text.model";

// A generator over a random (untrained) nano model from `seed`, sampling at temperature 1
// (varied text, so checks are not of one repeated token), at most 10 tokens per decode.
absl::StatusOr<std::unique_ptr<TextGenerator>> SamplingNanoGenerator(uint64_t seed) {
  ASSIGN_OR_RETURN(std::shared_ptr<const Transformer> model, RandomPresetModel("nano", seed));
  ASSIGN_OR_RETURN(std::unique_ptr<TextTokenizer> text, TextTokenizer::Load(kTextModel));
  TextGeneratorOptions options;
  options.max_tokens = 10;
  options.temperature = 1.0;
  return TextGenerator::Create(model, std::shared_ptr<const TextTokenizer>(std::move(text)), options);
}

Array RandomImage(uint64_t seed) {
  Rng rng(seed);
  std::vector<uint8_t> bytes(64 * 64 * 3);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng.UniformInt(0, 256));
  return Array::Uint8({64, 64, 3}, std::move(bytes));
}

// The two decodes, done by hand with the generator, agree with DescribeAndAnswer: the
// caption after "caption:", the answer after "caption: <that caption> q: <question> a:",
// both cut where the model starts another question, the answer parted from any working.
TEST(SceneAnswersTest, AnswersAfterItsOwnCaption) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TextGenerator> generator, SamplingNanoGenerator(3));
  // No description given: the model writes each caption itself.
  const std::vector<SceneQuestion> questions = {{RandomImage(1), "what colour is the box?", 11, ""},
                                                {RandomImage(2), "", 12, ""},
                                                {RandomImage(3), "how many objects are there?", 13, ""}};
  ASSERT_OK_AND_ASSIGN(std::vector<SceneAnswer> answers, DescribeAndAnswer(generator.get(), questions));
  ASSERT_EQ(answers.size(), 3u);
  int nonempty = 0;
  for (size_t i = 0; i < questions.size(); ++i) {
    const SceneQuestion& q = questions[i];
    ASSERT_OK_AND_ASSIGN(std::vector<GeneratedText> caption,
                         generator->Generate({{q.image, "caption:", q.seed, " q:"}}));
    EXPECT_EQ(answers[i].caption, UpToNextQuestion(caption[0].text)) << i;
    nonempty += !answers[i].caption.empty();
    if (q.question.empty()) {
      EXPECT_EQ(answers[i].answer, "");
      EXPECT_EQ(answers[i].finished, caption[0].finished);
      continue;
    }
    ASSERT_OK_AND_ASSIGN(std::vector<GeneratedText> answer,
                         generator->Generate({{q.image, VqaPrompt(answers[i].caption, q.question), q.seed, " q:"}}));
    const WrittenAnswer written = SplitAnswer(UpToNextQuestion(answer[0].text));
    EXPECT_EQ(answers[i].answer, written.answer) << i;
    EXPECT_EQ(answers[i].working, written.working) << i;
    EXPECT_EQ(answers[i].finished, caption[0].finished && answer[0].finished) << i;
  }
  EXPECT_GT(nonempty, 0);
}

// A given description is answered after as it is (no caption decoded), with the image
// or with text alone (NoImage(), as scenes/vqa_text); questions without one in the same
// batch still describe their image first.
TEST(SceneAnswersTest, AnswersAfterAGivenDescriptionWithOrWithoutTheImage) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TextGenerator> generator, SamplingNanoGenerator(5));
  const std::string given = "a small red box left of a large blue sphere";
  const std::vector<SceneQuestion> questions = {{NoImage(), "what colour is the box?", 21, given},
                                                {RandomImage(4), "what colour is the sphere?", 22, given},
                                                {RandomImage(5), "how many objects are there?", 23, ""}};
  ASSERT_OK_AND_ASSIGN(std::vector<SceneAnswer> answers, DescribeAndAnswer(generator.get(), questions));
  ASSERT_EQ(answers.size(), 3u);
  ASSERT_OK_AND_ASSIGN(std::vector<GeneratedText> own_caption,
                       generator->Generate({{questions[2].image, "caption:", 23, " q:"}}));
  EXPECT_EQ(answers[0].caption, given);
  EXPECT_EQ(answers[1].caption, given);
  EXPECT_EQ(answers[2].caption, UpToNextQuestion(own_caption[0].text));
  std::vector<std::string> written_answers;
  for (size_t i = 0; i < questions.size(); ++i) {
    const SceneQuestion& q = questions[i];
    ASSERT_OK_AND_ASSIGN(std::vector<GeneratedText> answer,
                         generator->Generate({{q.image, VqaPrompt(answers[i].caption, q.question), q.seed, " q:"}}));
    const WrittenAnswer written = SplitAnswer(UpToNextQuestion(answer[0].text));
    EXPECT_EQ(answers[i].answer, written.answer) << i;
    EXPECT_EQ(answers[i].working, written.working) << i;
    EXPECT_EQ(answers[i].finished, i == 2 ? own_caption[0].finished && answer[0].finished : answer[0].finished) << i;
    written_answers.push_back(UpToNextQuestion(answer[0].text));
  }
  // The text-only answer is decoded from the text alone: with the image in front the same
  // question and seed give other text (10 sampled tokens of a random model).
  ASSERT_OK_AND_ASSIGN(std::vector<GeneratedText> with_image,
                       generator->Generate({{RandomImage(4), VqaPrompt(given, questions[0].question), 21, " q:"}}));
  EXPECT_NE(UpToNextQuestion(with_image[0].text), written_answers[0]);
}

// A caption that fills the model's local positions leaves no room for the question and
// its answer: that question goes unanswered (no_room), the others in the batch are
// answered, and nothing fails.
TEST(SceneAnswersTest, AQuestionWithNoRoomAfterTheCaptionGoesUnanswered) {
  // 48 local positions: the 16 patches, "caption:" and about 28 caption tokens.
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const Transformer> model,
                       RandomPresetModel("nano", 3, /*vocab_size=*/0, /*max_local_positions=*/48));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TextTokenizer> loaded, TextTokenizer::Load(kTextModel));
  TextGeneratorOptions options;
  options.max_tokens = 1000;  // the model's positions decide
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TextGenerator> generator,
                       TextGenerator::Create(model, std::shared_ptr<const TextTokenizer>(std::move(loaded)), options));
  std::vector<SceneQuestion> questions;
  for (int i = 0; i < 6; ++i) {
    questions.push_back({RandomImage(20 + i), "how many objects are there?", 0, /*description=*/""});
  }
  ASSERT_OK_AND_ASSIGN(std::vector<SceneAnswer> answers, DescribeAndAnswer(generator.get(), questions));
  int unanswered = 0;
  for (size_t i = 0; i < questions.size(); ++i) {
    ASSERT_OK_AND_ASSIGN(const int room,
                         generator->Room(questions[i].image, VqaPrompt(answers[i].caption, questions[i].question)));
    EXPECT_EQ(answers[i].no_room, room < 1) << i;
    if (answers[i].no_room) {
      ++unanswered;
      EXPECT_EQ(answers[i].answer, "");
      EXPECT_FALSE(answers[i].finished);
    }
  }
  EXPECT_GE(unanswered, 1);
}

TEST(SceneAnswersTest, ReportsTheGeneratorsErrors) {
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const Transformer> model, RandomPresetModel("nano", 3));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TextTokenizer> loaded, TextTokenizer::Load(kTextModel));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TextGenerator> generator,
                       TextGenerator::Create(model, std::shared_ptr<const TextTokenizer>(std::move(loaded)), {}));
  const Array small = Array::Uint8({32, 32, 3}, std::vector<uint8_t>(32 * 32 * 3, 0));
  EXPECT_THAT(DescribeAndAnswer(generator.get(), {{small, "what colour is the box?", 0, /*description=*/""}}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace calico
