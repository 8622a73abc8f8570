// TextGenerator: vision-language inference with calico's transformer (issue 7): an
// image and a prompt ("caption:" or "caption: ... q: <question> a:",
// envs/scenes/scene_language.h)
// in, the text the model writes after them out. A request without an image (NoImage())
// is a text-only step, as scenes/vqa_text episodes train: the prompt alone.
//
// The prompt is tokenised exactly as a training step starts (tokenizers/sequence_builder.h,
// vision-language order): the image's 16x16 patches with evaluation-mode patch positions,
// then the prompt's text ids with the local positions they have inside the whole step
// text "caption: ... q: ... a: red" + EOS (the prompt's ids are a prefix of the whole text's; the
// scene language guarantees that and a test checks it). The prompt goes into a KV cache
// in one Decoder::Append, then the answer is decoded one token at a time, each from the
// logits restricted to the text ids and EOS (any other id is masked), greedy or at a
// temperature, until EOS, the request's stop text or max_tokens. Several requests are decoded together as one
// decode batch (one Decoder::Append per token for all of them), as TransformerActor does.
#ifndef CALICO_POLICIES_TEXT_GENERATOR_H_
#define CALICO_POLICIES_TEXT_GENERATOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "envs/array.h"
#include "model/batch.h"
#include "model/decoder.h"
#include "model/transformer.h"
#include "tokenizers/sequence_builder.h"
#include "tokenizers/text/text_tokenizer.h"
#include "tokenizers/token_stream.h"
#include "tokenizers/vocabulary.h"

namespace calico {

// The largest image side a text generator takes (a 1024x1024 image is 4096 patches).
inline constexpr int kMaxImageSide = 1024;

struct TextGeneratorOptions {
  // 0: greedy (the largest logit among text ids and EOS); > 0: sample at this temperature.
  double temperature = 0.0;
  // Mixed with each request's seed, so sampled text depends on both (greedy ignores it).
  uint64_t seed = 0;
  // Most tokens decoded per request, EOS included; fewer when the model's local position
  // table or context ends first. A request that reaches the limit without EOS or its stop
  // text comes back with finished = false.
  int max_tokens = 64;
  // The image size every request must have (uint8 [image_height, image_width, 3]); the
  // scene tasks' 64 x 64 by default. Multiples of 16.
  int image_height = 64;
  int image_width = 64;
  // Requests decoded together (one KV cache sequence each); more are done in chunks.
  int batch_size = 16;
  // Keep every decoding step's logits (unmasked) in GeneratedText::logits (for tests).
  bool record_logits = false;

  // Finite temperature >= 0, max_tokens >= 1, image sides positive multiples of 16,
  // batch_size >= 1.
  absl::Status Validate() const;
};

// The image of a text-only request: a default Array (a float32 scalar with no values),
// which no image can be.
Array NoImage();

// True for NoImage()'s value: the step is the prompt's text alone.
bool IsNoImage(const Array& image);

// One image and the prompt to continue.
struct TextRequest {
  Array image;         // uint8 [image_height, image_width, 3], or NoImage() for text alone
  std::string prompt;  // e.g. "caption:"; may be empty
  uint64_t seed = 0;   // for sampling (with TextGeneratorOptions::seed)
  // Not empty: decoding also ends, as finished, once the text written so far ends with
  // this (e.g. " q:", where a scene model goes on to ask itself a question); `text`
  // then leaves it out. Checked after every token, so a stop text that a token only
  // starts does not end decoding. After a non-empty prompt the text written starts with
  // the space its first token carries, so " q:" also matches as the very first token.
  std::string stop;
};

// What the model wrote for one request.
struct GeneratedText {
  std::string text;                // the decoded ids as text (EOS excluded)
  std::vector<int32_t> ids;        // text ids, in [0, text vocabulary size)
  bool finished = false;           // true: ended with EOS or the stop text; false: stopped at the limit
  bool stopped = false;            // ended with the request's stop text (left out of `text`; its ids stay in `ids`)
  int64_t prompt_positions = 0;    // image patches + prompt ids fed before decoding
  // With record_logits: [decoded tokens (EOS included), vocab_size], the logits each
  // token was chosen from, before masking.
  std::vector<float> logits;
};

// Not thread-safe (owns a Decoder's scratch buffers); the Transformer and the text
// tokenizer are only read and may be shared with other generators.
class TextGenerator {
 public:
  // Errors: a null model or tokenizer, invalid options, InvalidArgument when the model's
  // vocab_size is not the one the text model's vocabulary needs (a checkpoint trained
  // with another text model), FailedPrecondition when the model cannot hold the image
  // and a prompt (local positions, patch position buckets or context too small).
  static absl::StatusOr<std::unique_ptr<TextGenerator>> Create(std::shared_ptr<const Transformer> model,
                                                               std::shared_ptr<const TextTokenizer> text,
                                                               TextGeneratorOptions options);

  // The text for every request, in request order. Errors: an image of another shape or
  // dtype (naming the request), a prompt too long for the model's local positions or
  // context, a NaN logit.
  absl::StatusOr<std::vector<GeneratedText>> Generate(const std::vector<TextRequest>& requests);

  // How many tokens, EOS included, a request with this image and prompt could decode
  // before the model's local positions or context end (max_tokens aside); 0 when the
  // prompt leaves none (Generate would fail), also when it is longer than a step can be.
  // Errors: an image PromptStream rejects.
  absl::StatusOr<int> Room(const Array& image, const std::string& prompt) const;

  // The tokens fed before decoding: the image and the prompt as in a training step
  // (evaluation-mode patch positions), without the step's EOS; for NoImage(), the prompt
  // as in a scenes/vqa_text step (observation spec {"text"}). Errors as Generate's.
  absl::StatusOr<TokenStream> PromptStream(const Array& image, const std::string& prompt) const;

  const TextGeneratorOptions& options() const { return options_; }
  const Vocabulary& vocabulary() const { return builder_.vocabulary(); }
  const SequenceBuilder& builder() const { return builder_; }

 private:
  TextGenerator(std::shared_ptr<const Transformer> model, std::shared_ptr<const TextTokenizer> text,
                SequenceBuilder builder, SequenceBuilder text_builder, TextGeneratorOptions options);

  // Room's count for a prompt stream PromptStream built.
  int RoomAfter(const TokenStream& prompt) const;

  // Generates requests [begin, end) into `out` (one KV cache batch).
  absl::Status GenerateChunk(const std::vector<TextRequest>& requests, size_t begin, size_t end,
                             std::vector<GeneratedText>* out);

  std::shared_ptr<const Transformer> model_;
  std::shared_ptr<const TextTokenizer> text_;
  SequenceBuilder builder_;       // image and text steps
  SequenceBuilder text_builder_;  // text-only steps (NoImage())
  TextGeneratorOptions options_;
  Decoder decoder_;
  std::vector<float> logits_;  // [requests, vocab_size]
  std::vector<float> masked_;  // [vocab_size]
  std::vector<int32_t> special_ids_;  // text ids TextTokenizer::IsSpecial marks: never generated
};

// The observation specs of a vision-language step with an image of `height` x `width`:
// "image" uint8 [height, width, 3] and "text" (as `calico scenes` writes them).
SpecMap VisionLanguageObservationSpec(int height, int width);

// The observation spec of a text-only step: "text" alone (scenes/vqa_text).
SpecMap TextOnlyObservationSpec();

}  // namespace calico

#endif  // CALICO_POLICIES_TEXT_GENERATOR_H_
