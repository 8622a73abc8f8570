#include "agent/ask.h"

#include <cmath>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/resource_paths.h"
#include "agent/scene_answers.h"
#include "agent/train.h"
#include "base/image_resize.h"
#include "base/png.h"
#include "base/status_macros.h"
#include "envs/scenes/scene_language.h"
#include "policies/text_generator.h"
#include "policies/text_model_match.h"
#include "policies/transformer_policy.h"
#include "tokenizers/text/text_tokenizer.h"

namespace calico {

absl::Status AskOptions::Validate() const {
  if (checkpoint.empty()) {
    return absl::InvalidArgumentError("no checkpoint given (--checkpoint=FILE or a training run's directory)");
  }
  if (image_path.empty()) return absl::InvalidArgumentError("no image given (--image=FILE.png)");
  if (question.has_value()) {
    absl::StatusOr<std::string> normalised = NormalizeQuestion(*question);
    if (!normalised.ok()) return absl::InvalidArgumentError(absl::StrCat("--question: ", normalised.status().message()));
  }
  if (!(temperature >= 0) || !std::isfinite(temperature)) {
    return absl::InvalidArgumentError(absl::StrCat("--temperature ", temperature, ", expected a finite value >= 0"));
  }
  if (max_tokens < 1) return absl::InvalidArgumentError(absl::StrCat("--max_tokens ", max_tokens, ", expected >= 1"));
  return absl::OkStatus();
}

absl::StatusOr<AskResult> AskAboutImage(const AskOptions& options, std::ostream* notes) {
  RETURN_IF_ERROR(options.Validate());
  AskResult result;
  if (options.question.has_value()) {
    ASSIGN_OR_RETURN(result.question, NormalizeQuestion(*options.question));
  }
  // The image first: the cheapest thing to get wrong.
  ASSIGN_OR_RETURN(Image8 image, ReadPng(options.image_path, 3));
  result.image_height = image.height;
  result.image_width = image.width;
  if (image.height != kAskImageSize || image.width != kAskImageSize) {
    ASSIGN_OR_RETURN(image, ResizeImage(image, kAskImageSize, kAskImageSize));
    result.resized = true;
    if (notes != nullptr) {
      *notes << "note: " << options.image_path << " is " << result.image_height << "x" << result.image_width
             << " (height x width); resized (area averaging when shrinking, bilinear when growing) to " << kAskImageSize << "x" << kAskImageSize
             << ", the size the scene tasks train on\n";
    }
  }
  ASSIGN_OR_RETURN(result.checkpoint, ResolveCheckpoint(options.checkpoint));
  ASSIGN_OR_RETURN(std::shared_ptr<const Transformer> model, LoadTransformerFromCheckpoint(result.checkpoint));
  if (absl::Status trained = CheckTrainedOnVisionLanguage(model->config()); !trained.ok()) {
    return absl::Status(trained.code(), absl::StrCat("checkpoint ", result.checkpoint, ": ", trained.message()));
  }
  ASSIGN_OR_RETURN(std::string text_path, FindTextModel(options.text_model_path));
  ASSIGN_OR_RETURN(std::unique_ptr<TextTokenizer> text, TextTokenizer::Load(text_path));
  TextGeneratorOptions generator_options;
  generator_options.temperature = options.temperature;
  generator_options.seed = options.seed;
  generator_options.max_tokens = options.max_tokens;
  generator_options.image_height = generator_options.image_width = kAskImageSize;
  generator_options.batch_size = 1;
  absl::StatusOr<std::unique_ptr<TextGenerator>> generator = TextGenerator::Create(
      std::move(model), std::shared_ptr<const TextTokenizer>(std::move(text)), generator_options);
  if (!generator.ok()) {
    return absl::Status(generator.status().code(),
                        absl::StrCat("checkpoint ", result.checkpoint, ": ", generator.status().message()));
  }
  SceneQuestion question;
  question.image = Array::Uint8({kAskImageSize, kAskImageSize, 3}, std::move(image.pixels));
  question.question = result.question;
  ASSIGN_OR_RETURN(std::vector<SceneAnswer> answers, DescribeAndAnswer(generator->get(), {question}));
  if (answers[0].no_room) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the model described the image in ", answers[0].caption.size(), " characters (\"", answers[0].caption,
        "\"), which with the question fills the model's context or local positions (whichever is shorter): no room is "
        "left to answer; a smaller max_tokens (",
        options.max_tokens, " now) keeps the description shorter"));
  }
  result.caption = std::move(answers[0].caption);
  result.answer = std::move(answers[0].answer);
  result.working = std::move(answers[0].working);
  result.finished = answers[0].finished;
  return result;
}

}  // namespace calico
