#include "policies/text_generator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/random.h"
#include "base/status_macros.h"
#include "model/kv_cache.h"
#include "model/sampling.h"
#include "policies/text_model_match.h"
#include "policies/transformer_policy.h"

namespace calico {
namespace {

// SentencePiece's word-boundary mark (U+2581, UTF-8), which a piece starts with where its
// text starts with a space.
constexpr char kWordBoundary[] = "\xE2\x96\x81";

absl::Status Annotate(const absl::Status& status, const std::string& what) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(what, ": ", status.message()));
}

}  // namespace

SpecMap VisionLanguageObservationSpec(int height, int width) {
  SpecMap specs = TextOnlyObservationSpec();
  specs["image"] = {"image", {height, width, 3}, DType::kUint8, {}, {}};
  return specs;
}

SpecMap TextOnlyObservationSpec() {
  SpecMap specs;
  specs["text"] = {"text", {}, DType::kString, {}, {}};
  return specs;
}

Array NoImage() { return Array(); }

bool IsNoImage(const Array& image) {
  return image.dtype == DType::kFloat32 && image.shape.empty() && image.floats.empty() && image.ints.empty() &&
         image.bytes.empty() && image.text.empty();
}

absl::Status TextGeneratorOptions::Validate() const {
  if (!(temperature >= 0) || !std::isfinite(temperature)) {
    return absl::InvalidArgumentError(
        absl::StrCat("text generator: temperature ", temperature, ", expected a finite value >= 0"));
  }
  if (max_tokens < 1) {
    return absl::InvalidArgumentError(absl::StrCat("text generator: max_tokens ", max_tokens, ", expected >= 1"));
  }
  if (image_height < 16 || image_width < 16 || image_height % 16 != 0 || image_width % 16 != 0 ||
      image_height > kMaxImageSide || image_width > kMaxImageSide) {
    return absl::InvalidArgumentError(absl::StrCat("text generator: image size ", image_height, "x", image_width,
                                                   ", expected multiples of 16 in [16, ", kMaxImageSide, "]"));
  }
  if (batch_size < 1) {
    return absl::InvalidArgumentError(absl::StrCat("text generator: batch_size ", batch_size, ", expected >= 1"));
  }
  return absl::OkStatus();
}

TextGenerator::TextGenerator(std::shared_ptr<const Transformer> model, std::shared_ptr<const TextTokenizer> text,
                             SequenceBuilder builder, SequenceBuilder text_builder, TextGeneratorOptions options)
    : model_(std::move(model)),
      text_(std::move(text)),
      builder_(std::move(builder)),
      text_builder_(std::move(text_builder)),
      options_(std::move(options)),
      decoder_(model_.get()) {
  // Ids that stand for no text (<unk>, control pieces) are never generated.
  const int32_t text_end = builder_.vocabulary().text_range().end;
  for (int32_t id = 0; id < text_end; ++id) {
    if (text_->IsSpecial(id)) special_ids_.push_back(id);
  }
}

absl::StatusOr<std::unique_ptr<TextGenerator>> TextGenerator::Create(std::shared_ptr<const Transformer> model,
                                                                     std::shared_ptr<const TextTokenizer> text,
                                                                     TextGeneratorOptions options) {
  if (model == nullptr) return absl::InvalidArgumentError("text generator: no model");
  if (text == nullptr) return absl::InvalidArgumentError("text generator: no text tokenizer");
  RETURN_IF_ERROR(options.Validate());
  const ModelConfig& config = model->config();
  ASSIGN_OR_RETURN(Vocabulary vocab, Vocabulary::Create(text->vocab_size()));
  if (vocab.size() != config.vocab_size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the model's vocab_size is ", config.vocab_size(), " but calico's token stream with a ", text->vocab_size(),
        "-piece text model needs ", vocab.size(),
        ": this checkpoint was not trained with this text vocabulary, so it cannot read or write text"));
  }
  RETURN_IF_ERROR(CheckTextModelMatches(config, *text));
  SequenceBuilderOptions builder_options;
  builder_options.observation_spec = VisionLanguageObservationSpec(options.image_height, options.image_width);
  ASSIGN_OR_RETURN(SequenceBuilder builder, SequenceBuilder::Create(builder_options, vocab, text.get()));
  builder_options.observation_spec = TextOnlyObservationSpec();
  ASSIGN_OR_RETURN(SequenceBuilder text_builder, SequenceBuilder::Create(builder_options, vocab, text.get()));
  auto generator = std::unique_ptr<TextGenerator>(new TextGenerator(
      std::move(model), std::move(text), std::move(builder), std::move(text_builder), std::move(options)));

  // The image, an empty prompt and one decoded token must fit the model: its patch
  // position buckets, local positions and context.
  Array blank = Array::Uint8({options.image_height, options.image_width, 3},
                             std::vector<uint8_t>(static_cast<size_t>(options.image_height) * options.image_width * 3, 0));
  const std::string what = absl::StrCat("the model (", config.name(), ") cannot hold a ", options.image_height, "x",
                                        options.image_width, " image and its text");
  TokenStream probe;
  RETURN_IF_ERROR(Annotate(
      generator->builder_.AppendObservation({{"image", blank}, {"text", Array::Text("")}}, nullptr, &probe), what));
  // Every position of the probe, EOS included (it stands for the first decoded token).
  Batch batch = StreamToBatch(probe, 0, probe.num_positions());
  if (batch.seq_len > config.context_length()) {
    return absl::FailedPreconditionError(absl::StrCat(what, ": ", batch.seq_len, " positions, context_length ",
                                                      config.context_length()));
  }
  if (absl::Status st = ValidateBatch(batch, config, /*require_targets=*/false); !st.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(what, ": ", st.message()));
  }
  return generator;
}

absl::StatusOr<TokenStream> TextGenerator::PromptStream(const Array& image, const std::string& prompt) const {
  TokenStream stream;
  if (IsNoImage(image)) {
    RETURN_IF_ERROR(text_builder_.AppendObservation({{"text", Array::Text(prompt)}}, nullptr, &stream));
  } else {
    RETURN_IF_ERROR(builder_.AppendObservation({{"image", image}, {"text", Array::Text(prompt)}}, nullptr, &stream));
  }
  // The step ends with EOS; the prompt is everything before it.
  if (stream.ids.empty() || stream.ids.back() != builder_.vocabulary().eos_id()) {
    return absl::InternalError("text generator: a vision-language step did not end with EOS");
  }
  const int64_t n = stream.num_positions() - 1;
  // Without an image an empty prompt leaves nothing to decode from.
  if (n == 0) return absl::InvalidArgumentError("text generator: a request without an image needs a prompt");
  stream.ids.resize(n);
  stream.patch_index.resize(n);
  stream.local_position.resize(n);
  stream.loss_mask.resize(n);
  stream.kinds.resize(n);
  stream.timestep.resize(n);
  if (!stream.sources.empty()) stream.sources.resize(n);
  return stream;
}

int TextGenerator::RoomAfter(const TokenStream& prompt) const {
  const ModelConfig& config = model_->config();
  // The step's EOS would have had the local position after the prompt's last one.
  const int64_t by_local = config.max_local_positions() - (prompt.local_position.back() + 1);
  const int64_t by_context = config.context_length() - prompt.num_positions();
  return static_cast<int>(std::max<int64_t>(0, std::min(by_local, by_context)));
}

absl::StatusOr<int> TextGenerator::Room(const Array& image, const std::string& prompt) const {
  absl::StatusOr<TokenStream> stream = PromptStream(image, prompt);
  if (stream.ok()) return RoomAfter(*stream);
  // A prompt longer than any step can be leaves no room either; any other failure (an
  // image of another size, no image and no prompt) is the caller's error.
  int64_t image_positions = 0;
  if (!IsNoImage(image)) {
    ASSIGN_OR_RETURN(TokenStream image_only, PromptStream(image, ""));
    image_positions = image_only.num_positions();
  }
  ASSIGN_OR_RETURN(std::vector<int32_t> ids, text_->Encode(prompt));
  if (image_positions + static_cast<int64_t>(ids.size()) + 1 > kMaxLocalPositions) return 0;
  return stream.status();
}

absl::StatusOr<std::vector<GeneratedText>> TextGenerator::Generate(const std::vector<TextRequest>& requests) {
  std::vector<GeneratedText> out(requests.size());
  for (size_t begin = 0; begin < requests.size(); begin += options_.batch_size) {
    const size_t end = std::min(requests.size(), begin + static_cast<size_t>(options_.batch_size));
    RETURN_IF_ERROR(GenerateChunk(requests, begin, end, &out));
  }
  return out;
}

absl::Status TextGenerator::GenerateChunk(const std::vector<TextRequest>& requests, size_t begin, size_t end,
                                          std::vector<GeneratedText>* out) {
  const ModelConfig& config = model_->config();
  const int32_t vocab = config.vocab_size();
  const int32_t eos = builder_.vocabulary().eos_id();
  const int32_t text_end = builder_.vocabulary().text_range().end;
  const int n = static_cast<int>(end - begin);

  // Prompts, their first decoded token's local position and how many tokens each may decode.
  std::vector<Batch> inputs(n);
  std::vector<int32_t> next_local(n);
  std::vector<int> limit(n);
  int capacity = 1;
  for (int r = 0; r < n; ++r) {
    const std::string what = absl::StrCat("request ", begin + r);
    absl::StatusOr<TokenStream> prompt = PromptStream(requests[begin + r].image, requests[begin + r].prompt);
    if (!prompt.ok()) return Annotate(prompt.status(), what);
    inputs[r] = StreamToBatch(*prompt, 0, prompt->num_positions());
    next_local[r] = prompt->local_position.back() + 1;
    limit[r] = std::min(options_.max_tokens, RoomAfter(*prompt));
    if (limit[r] < 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, ": the image and prompt take ", prompt->num_positions(), " positions (local positions up to ",
          next_local[r] - 1, "); the model (", config.name(), ") has ", config.context_length(),
          " positions of context and ", config.max_local_positions(),
          " local positions, so no room is left to answer (shorten the prompt)"));
    }
    capacity = std::max<int>(capacity, static_cast<int>(prompt->num_positions()) + limit[r]);
    (*out)[begin + r].prompt_positions = prompt->num_positions();
  }
  ASSIGN_OR_RETURN(KvCache cache, KvCache::Create(config, n, capacity));
  std::vector<int> active(n);
  for (int r = 0; r < n; ++r) active[r] = r;
  // SentencePiece decoding drops the first piece's word-boundary mark, but after a prompt
  // that mark is a space the model wrote: " q:" as its first token must match " q:".
  std::vector<std::string> lead(n);
  std::vector<Rng> rngs;
  for (int r = 0; r < n; ++r) {
    rngs.emplace_back(Rng(options_.seed ^ 0x5851F42D4C957F2DULL).Next() ^ Rng(requests[begin + r].seed).Next());
  }
  RETURN_IF_ERROR(decoder_.Append(active, inputs, &cache, &logits_));

  Batch one = Batch::Zeros(1, 1);
  masked_.resize(vocab);
  const float neg_inf = -std::numeric_limits<float>::infinity();
  while (!active.empty()) {
    std::vector<int> still;
    std::vector<Batch> tokens;
    for (size_t i = 0; i < active.size(); ++i) {
      const int r = active[i];
      GeneratedText& result = (*out)[begin + r];
      const float* row = logits_.data() + static_cast<int64_t>(i) * vocab;
      if (options_.record_logits) result.logits.insert(result.logits.end(), row, row + vocab);
      // Only text ids (but no special ones) and EOS can come out.
      std::copy(row, row + vocab, masked_.begin());
      std::fill(masked_.begin() + text_end, masked_.end(), neg_inf);
      masked_[eos] = row[eos];
      for (int32_t id : special_ids_) masked_[id] = neg_inf;
      ASSIGN_OR_RETURN(const int32_t id,
                       SampleToken(masked_.data(), vocab, 0, vocab, options_.temperature, &rngs[r]));
      if (id == eos) {
        result.finished = true;
        continue;
      }
      result.ids.push_back(id);
      if (result.ids.size() == 1 && !requests[begin + r].prompt.empty() &&
          absl::StartsWith(text_->Piece(id), kWordBoundary)) {
        lead[r] = " ";
      }
      const std::string& stop = requests[begin + r].stop;
      if (!stop.empty()) {
        ASSIGN_OR_RETURN(const std::string so_far, text_->Decode(result.ids));
        if (absl::EndsWith(absl::StrCat(lead[r], so_far), stop)) {
          result.finished = result.stopped = true;
          continue;
        }
      }
      if (static_cast<int>(result.ids.size()) >= limit[r]) continue;  // out of room, unfinished
      one.ids[0] = id;
      one.local_position[0] = next_local[r]++;
      still.push_back(r);
      tokens.push_back(one);
    }
    active = std::move(still);
    if (!active.empty()) RETURN_IF_ERROR(decoder_.Append(active, tokens, &cache, &logits_));
  }
  for (int r = 0; r < n; ++r) {
    GeneratedText& result = (*out)[begin + r];
    ASSIGN_OR_RETURN(result.text, text_->Decode(result.ids));
    if (result.stopped) {
      // Cut the stop text from what was written (the lead space included), then drop the lead.
      std::string written = absl::StrCat(lead[r], result.text);
      written.resize(written.size() - requests[begin + r].stop.size());
      result.text = written.substr(std::min(written.size(), lead[r].size()));
    }
  }
  return absl::OkStatus();
}

}  // namespace calico
