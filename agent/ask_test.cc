#include "agent/ask.h"

#include <cstdlib>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "base/file_io.h"
#include "base/png.h"
#include "base/random.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "envs/scenes/scene_language.h"
#include "policies/test_models.h"
#include "policies/text_generator.h"
#include "policies/transformer_policy.h"
#include "tokenizers/text/text_tokenizer.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

constexpr char kTextModel[] = "tokenizers/text/calico_text.model";

std::string TempPath(const std::string& name) { return absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name); }

std::string WriteImage(const std::string& name, int height, int width) {
  Rng rng(height * 1000 + width);
  Image8 image{height, width, 3, std::vector<uint8_t>(height * width * 3)};
  for (uint8_t& b : image.pixels) b = static_cast<uint8_t>(rng.UniformInt(0, 256));
  const std::string path = TempPath(name);
  EXPECT_OK(WritePng(path, image));
  return path;
}

class AskTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_OK(WriteRandomCheckpoint("nano", 3, TempPath("nano.ckpt")).status());
  }
  AskOptions Options() {
    AskOptions options;
    options.checkpoint = TempPath("nano.ckpt");
    options.image_path = WriteImage("scene.png", 64, 64);
    options.text_model_path = kTextModel;
    options.max_tokens = 5;
    return options;
  }
};

TEST_F(AskTest, CaptionsAndAnswersWithACheckpointOrARunDirectory) {
  AskOptions options = Options();
  std::ostringstream notes;
  ASSERT_OK_AND_ASSIGN(AskResult caption, AskAboutImage(options, &notes));
  EXPECT_EQ(caption.question, "");
  EXPECT_EQ(caption.answer, "");
  EXPECT_FALSE(caption.resized);
  EXPECT_EQ(notes.str(), "");
  EXPECT_EQ(caption.checkpoint, options.checkpoint);
  EXPECT_TRUE(caption.finished || !caption.caption.empty());

  options.question = "  What colour is the   Box";
  ASSERT_OK_AND_ASSIGN(AskResult answer, AskAboutImage(options, &notes));
  EXPECT_EQ(answer.question, "what colour is the box?");
  EXPECT_EQ(answer.caption, caption.caption);  // the same first decode (greedy)
  // The answer is the greedy continuation of its own caption and the question, cut at a next question.
  {
    ASSERT_OK_AND_ASSIGN(std::shared_ptr<const Transformer> model, LoadTransformerFromCheckpoint(options.checkpoint));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<TextTokenizer> text, TextTokenizer::Load(kTextModel));
    TextGeneratorOptions generator_options;
    generator_options.max_tokens = options.max_tokens;
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<TextGenerator> generator,
                         TextGenerator::Create(model, std::shared_ptr<const TextTokenizer>(std::move(text)),
                                               generator_options));
    ASSERT_OK_AND_ASSIGN(Image8 png, ReadPng(options.image_path, 3));
    const Array image = Array::Uint8({64, 64, 3}, std::move(png.pixels));
    ASSERT_OK_AND_ASSIGN(std::vector<GeneratedText> by_hand,
                         generator->Generate({{image, VqaPrompt(answer.caption, answer.question), 0, " q:"}}));
    EXPECT_EQ(answer.answer, UpToNextQuestion(by_hand[0].text));
  }

  // A training run's directory: its LATEST checkpoint.
  const std::string run = TempPath("run");
  ASSERT_OK(MakeDirectories(run));
  ASSERT_OK(WriteRandomCheckpoint("nano", 3, run + "/ckpt-000010").status());
  ASSERT_OK(WriteFileAtomically(run + "/LATEST", "ckpt-000010\n"));
  options.checkpoint = run;
  ASSERT_OK_AND_ASSIGN(AskResult from_run, AskAboutImage(options, &notes));
  EXPECT_EQ(from_run.checkpoint, run + "/ckpt-000010");
  EXPECT_EQ(from_run.caption, answer.caption);  // same weights, greedy
  EXPECT_EQ(from_run.answer, answer.answer);
}

TEST_F(AskTest, ResizesAnImageOfAnotherSizeWithANote) {
  AskOptions options = Options();
  options.image_path = WriteImage("wide.png", 80, 128);
  std::ostringstream notes;
  ASSERT_OK_AND_ASSIGN(AskResult result, AskAboutImage(options, &notes));
  EXPECT_TRUE(result.resized);
  EXPECT_EQ(result.image_height, 80);
  EXPECT_EQ(result.image_width, 128);
  EXPECT_THAT(notes.str(), HasSubstr("wide.png is 80x128 (height x width); resized (area averaging when shrinking, bilinear when growing) to 64x64"));
}

TEST_F(AskTest, BadInputsAreClearErrors) {
  AskOptions options = Options();
  options.image_path = TempPath("missing.png");
  EXPECT_THAT(std::string(AskAboutImage(options, nullptr).status().message()), HasSubstr("missing.png"));

  options = Options();
  options.image_path = TempPath("notes.png");
  ASSERT_OK(WriteFileAtomically(options.image_path, "just some text, not an image\n"));
  EXPECT_THAT(AskAboutImage(options, nullptr).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("notes.png is not a PNG file")));

  options = Options();
  options.question = "   ";
  EXPECT_THAT(AskAboutImage(options, nullptr).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--question: the question is empty")));

  options = Options();
  options.question = "what colour is the box? a: red q: what shape is it?";
  EXPECT_THAT(AskAboutImage(options, nullptr).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--question: the question has the word 'q:'")));

  // A model with 48 local positions describes the image in every one the caption can
  // have (max_tokens is larger), so the question and its answer have no room.
  options = Options();
  options.checkpoint = TempPath("crowded.ckpt");
  ASSERT_OK(WriteRandomCheckpoint("nano", 3, options.checkpoint, 0, /*max_local_positions=*/48).status());
  options.max_tokens = 1000;
  options.question = "how many objects are there?";
  EXPECT_THAT(AskAboutImage(options, nullptr).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no room is left to answer")));

  options = Options();
  options.checkpoint = TempPath("other-vocab.ckpt");
  ASSERT_OK(WriteRandomCheckpoint("nano", 3, options.checkpoint, /*vocab_size=*/128).status());
  EXPECT_THAT(AskAboutImage(options, nullptr).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("other-vocab.ckpt: the model's vocab_size is 128 but")));

  options = Options();
  options.checkpoint = TempPath("short.ckpt");
  ASSERT_OK(WriteRandomCheckpoint("nano", 3, options.checkpoint, 0, /*max_local_positions=*/10).status());
  EXPECT_THAT(AskAboutImage(options, nullptr).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("cannot hold a 64x64 image")));

  options = Options();
  options.checkpoint = TempPath("no-such.ckpt");
  absl::Status missing = AskAboutImage(options, nullptr).status();
  EXPECT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.message()), HasSubstr("no-such.ckpt"));

  options = Options();
  options.checkpoint = TempPath("empty-run");
  ASSERT_OK(MakeDirectories(options.checkpoint));
  EXPECT_THAT(AskAboutImage(options, nullptr).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no checkpoint in")));
}

}  // namespace
}  // namespace calico
