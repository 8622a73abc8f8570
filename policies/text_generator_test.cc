#include "policies/text_generator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "base/random.h"
#include "base/status_matchers.h"
#include "envs/scenes/scene.h"
#include "envs/scenes/scene_language.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policies/test_models.h"
#include "policies/transformer_policy.h"
#include "tokenizers/sequence_builder.h"

namespace calico {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kTextModel[] = "tokenizers/text/calico_text.model";

Array RandomImage(uint64_t seed, int height = 64, int width = 64) {
  Rng rng(seed);
  std::vector<uint8_t> bytes(height * width * 3);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng.UniformInt(0, 256));
  return Array::Uint8({height, width, 3}, std::move(bytes));
}

class TextGeneratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<TextTokenizer>> text = TextTokenizer::Load(kTextModel);
    ASSERT_OK(text.status());
    text_ = std::shared_ptr<const TextTokenizer>(std::move(text).value());
    absl::StatusOr<std::shared_ptr<const Transformer>> model = RandomPresetModel("nano", 7);
    ASSERT_OK(model.status());
    model_ = *model;
  }

  std::vector<TextRequest> Requests(int n) {
    std::vector<TextRequest> requests;
    const char* prompts[] = {"caption:", "caption: a small red box q: what colour is the box? a:",
                             "q: how many objects are there? a:", "q: is there a red sphere? a:"};
    for (int i = 0; i < n; ++i) {
      // Every fifth request is text alone, as a scenes/vqa_text step.
      const bool text_only = i % 5 == 4;
      requests.push_back({text_only ? NoImage() : RandomImage(100 + i), prompts[(text_only ? 1 : i) % 4],
                          static_cast<uint64_t>(i), /*stop=*/""});
    }
    return requests;
  }

  std::shared_ptr<const TextTokenizer> text_;
  std::shared_ptr<const Transformer> model_;
};

TEST_F(TextGeneratorTest, PromptTokensArePrefixOfTheTrainingStep) {
  absl::StatusOr<std::unique_ptr<TextGenerator>> generator = TextGenerator::Create(model_, text_, {});
  ASSERT_OK(generator.status());
  for (uint64_t seed = 0; seed < 40; ++seed) {
    const Scene scene = SampleScene(seed);
    for (const std::string& step_text : {CaptionStepText(scene), VqaStepText(scene)}) {
      const Array image = RandomImage(seed);
      // The whole step as training tokenises it: image, text, EOS.
      TokenStream step;
      ASSERT_OK((*generator)->builder().AppendObservation({{"image", image}, {"text", Array::Text(step_text)}},
                                                         nullptr, &step));
      EXPECT_EQ(step.ids.back(), (*generator)->vocabulary().eos_id());
      absl::StatusOr<std::vector<PromptAndAnswer>> parts = StepTextPrompts(step_text);
      ASSERT_OK(parts.status());
      // Every prompt (the caption's and each question's) is the start of the step.
      for (const PromptAndAnswer& part : *parts) {
        absl::StatusOr<TokenStream> prompt = (*generator)->PromptStream(image, part.prompt);
        ASSERT_OK(prompt.status());
        const int64_t n = prompt->num_positions();
        ASSERT_LT(n, step.num_positions()) << step_text;
        for (int64_t t = 0; t < n; ++t) {
          EXPECT_EQ(prompt->ids[t], step.ids[t]) << part.prompt << " position " << t;
          EXPECT_EQ(prompt->local_position[t], step.local_position[t]) << part.prompt << " position " << t;
          EXPECT_EQ(prompt->patch_index[t], step.patch_index[t]) << part.prompt << " position " << t;
        }
        EXPECT_EQ(prompt->patches, step.patches);
        EXPECT_EQ(prompt->num_patches(), 16);
        // What follows the prompt in training is the answer's text.
        absl::StatusOr<std::vector<int32_t>> answer_ids = text_->Encode(part.answer);
        ASSERT_OK(answer_ids.status());
        ASSERT_LE(n + static_cast<int64_t>(answer_ids->size()), step.num_positions() - 1) << part.prompt;
        std::vector<int32_t> next(step.ids.begin() + n, step.ids.begin() + n + answer_ids->size());
        EXPECT_EQ(next, *answer_ids) << part.prompt;
      }
    }
  }
}

// A request without an image is tokenised as a scenes/vqa_text step (observation spec
// {"text"}, built here independently of TextOnlyObservationSpec): its prompt is that
// step's start, from local position 0, with no patches.
TEST_F(TextGeneratorTest, TextOnlyPromptIsPrefixOfTheTextOnlyTrainingStep) {
  absl::StatusOr<std::unique_ptr<TextGenerator>> generator = TextGenerator::Create(model_, text_, {});
  ASSERT_OK(generator.status());
  SequenceBuilderOptions options;
  options.observation_spec["text"] = {"text", {}, DType::kString, {}, {}};
  absl::StatusOr<SequenceBuilder> builder = SequenceBuilder::Create(options, (*generator)->vocabulary(), text_.get());
  ASSERT_OK(builder.status());
  for (uint64_t seed = 0; seed < 40; ++seed) {
    const std::string step_text = VqaStepText(SampleScene(seed));
    TokenStream step;
    ASSERT_OK(builder->AppendObservation({{"text", Array::Text(step_text)}}, nullptr, &step));
    absl::StatusOr<std::vector<PromptAndAnswer>> parts = StepTextPrompts(step_text);
    ASSERT_OK(parts.status());
    for (const PromptAndAnswer& part : *parts) {
      absl::StatusOr<TokenStream> prompt = (*generator)->PromptStream(NoImage(), part.prompt);
      ASSERT_OK(prompt.status());
      EXPECT_EQ(prompt->num_patches(), 0);
      EXPECT_EQ(prompt->local_position[0], 0);
      const int64_t n = prompt->num_positions();
      ASSERT_LT(n, step.num_positions()) << step_text;
      for (int64_t t = 0; t < n; ++t) {
        EXPECT_EQ(prompt->ids[t], step.ids[t]) << part.prompt << " position " << t;
        EXPECT_EQ(prompt->local_position[t], step.local_position[t]) << part.prompt << " position " << t;
      }
      // The image's prompt is the same text after 16 patches.
      absl::StatusOr<TokenStream> with_image = (*generator)->PromptStream(RandomImage(seed), part.prompt);
      ASSERT_OK(with_image.status());
      EXPECT_EQ(with_image->num_positions(), n + 16);
    }
  }
  // Without an image an empty prompt leaves nothing to decode from.
  EXPECT_THAT((*generator)->Generate({{NoImage(), "", 1, /*stop=*/""}}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("without an image needs a prompt")));
  EXPECT_THAT((*generator)->Room(NoImage(), "").status(), StatusIs(absl::StatusCode::kInvalidArgument));
  // Room counts for text alone as with an image: it is what the positions leave.
  const std::string question = "caption: a red box q: what colour is the box? a:";
  absl::StatusOr<TokenStream> prompt = (*generator)->PromptStream(NoImage(), question);
  ASSERT_OK(prompt.status());
  absl::StatusOr<int> room = (*generator)->Room(NoImage(), question);
  ASSERT_OK(room.status());
  const ModelConfig& config = model_->config();
  EXPECT_EQ(*room, std::min<int64_t>(config.max_local_positions() - prompt->local_position.back() - 1,
                                     config.context_length() - prompt->num_positions()));
  std::string crowded = "caption:";
  for (int i = 0; i < 2000; ++i) crowded += " red";
  absl::StatusOr<int> none = (*generator)->Room(NoImage(), crowded);
  ASSERT_OK(none.status());
  EXPECT_EQ(*none, 0);
  // An empty uint8 image is not text alone: it is an image of the wrong size.
  EXPECT_FALSE(IsNoImage(Array::Uint8({0, 0, 3}, {})));
  EXPECT_THAT((*generator)->PromptStream(Array::Uint8({0, 0, 3}, {}), "caption:").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(TextGeneratorTest, IncrementalDecodingMatchesAFullForwardPass) {
  TextGeneratorOptions options;
  options.temperature = 1.5;  // varied text, so the check covers many different ids
  options.max_tokens = 12;
  options.record_logits = true;
  options.batch_size = 4;
  absl::StatusOr<std::unique_ptr<TextGenerator>> generator = TextGenerator::Create(model_, text_, options);
  ASSERT_OK(generator.status());
  const std::vector<TextRequest> requests = Requests(5);  // four with images, one text alone
  absl::StatusOr<std::vector<GeneratedText>> results = (*generator)->Generate(requests);
  ASSERT_OK(results.status());
  const int32_t V = model_->config().vocab_size();
  const int32_t eos = (*generator)->vocabulary().eos_id();
  // Forward is not const (activation buffers): a private copy of the model.
  Transformer copy = std::move(Transformer::Create(model_->config(), 0).value());
  copy.parameters() = model_->parameters();
  for (size_t r = 0; r < requests.size(); ++r) {
    const GeneratedText& result = (*results)[r];
    absl::StatusOr<TokenStream> prompt = (*generator)->PromptStream(requests[r].image, requests[r].prompt);
    ASSERT_OK(prompt.status());
    EXPECT_EQ(result.prompt_positions, prompt->num_positions());
    std::vector<int32_t> decoded = result.ids;
    if (result.finished) decoded.push_back(eos);
    EXPECT_LE(decoded.size(), 12u);
    for (int32_t id : result.ids) EXPECT_LT(id, text_->vocab_size());
    // Prompt + decoded tokens in one batch; every decoded token is a target, so the
    // forward pass returns the logits each one was chosen from.
    Batch batch = StreamToBatch(*prompt, 0, prompt->num_positions());
    int32_t local = prompt->local_position.back() + 1;
    for (int32_t id : decoded) {
      batch.ids.push_back(id);
      batch.patch_index.push_back(-1);
      batch.local_position.push_back(local++);
      batch.loss_mask.push_back(1);
      ++batch.seq_len;
    }
    std::vector<float> logits;
    ASSERT_OK(copy.Forward(batch, &logits).status());
    ASSERT_EQ(logits.size(), decoded.size() * V);
    ASSERT_EQ(result.logits.size(), logits.size());
    double worst = 0;
    for (size_t i = 0; i < logits.size(); ++i) {
      const double d = std::fabs(double{logits[i]} - result.logits[i]);
      if (std::isnan(d)) worst = std::numeric_limits<double>::infinity();  // std::max would drop a NaN
      if (!std::isinf(worst)) worst = std::max(worst, d);
    }
    EXPECT_LT(worst, 1e-4) << "request " << r;
    // The text is the decoded ids' text.
    absl::StatusOr<std::string> text = text_->Decode(result.ids);
    ASSERT_OK(text.status());
    EXPECT_EQ(result.text, *text);
  }
}

TEST_F(TextGeneratorTest, GreedyPicksTheLargestTextOrEosLogit) {
  TextGeneratorOptions options;
  options.max_tokens = 6;
  options.record_logits = true;
  absl::StatusOr<std::unique_ptr<TextGenerator>> generator = TextGenerator::Create(model_, text_, options);
  ASSERT_OK(generator.status());
  absl::StatusOr<std::vector<GeneratedText>> results = (*generator)->Generate(Requests(2));
  ASSERT_OK(results.status());
  const int32_t V = model_->config().vocab_size();
  const int32_t eos = (*generator)->vocabulary().eos_id();
  ASSERT_EQ(results->size(), 2u);
  for (const GeneratedText& result : *results) {
    std::vector<int32_t> decoded = result.ids;
    if (result.finished) decoded.push_back(eos);
    ASSERT_FALSE(decoded.empty());  // every request decoded at least one token (or the end)
    ASSERT_GE(result.logits.size(), decoded.size() * V);
    for (size_t k = 0; k < decoded.size(); ++k) {
      const float* row = result.logits.data() + k * V;
      int32_t best = -1;
      for (int32_t id = 0; id < text_->vocab_size(); ++id) {
        if (text_->IsSpecial(id)) continue;  // <unk> is never generated
        if (best < 0 || row[id] > row[best]) best = id;
      }
      if (row[eos] > row[best]) best = eos;
      EXPECT_EQ(decoded[k], best) << "token " << k;
    }
  }
}

TEST_F(TextGeneratorTest, BatchedEqualsOneRequestAtATimeAndSeedsMakeItDeterministic) {
  TextGeneratorOptions options;
  options.temperature = 1.0;
  options.max_tokens = 8;
  options.seed = 3;
  options.batch_size = 3;  // 5 requests: chunks of 3 and 2
  absl::StatusOr<std::unique_ptr<TextGenerator>> batched = TextGenerator::Create(model_, text_, options);
  ASSERT_OK(batched.status());
  options.batch_size = 1;
  absl::StatusOr<std::unique_ptr<TextGenerator>> single = TextGenerator::Create(model_, text_, options);
  ASSERT_OK(single.status());
  const std::vector<TextRequest> requests = Requests(5);
  absl::StatusOr<std::vector<GeneratedText>> a = (*batched)->Generate(requests);
  ASSERT_OK(a.status());
  absl::StatusOr<std::vector<GeneratedText>> again = (*batched)->Generate(requests);
  ASSERT_OK(again.status());
  for (size_t r = 0; r < requests.size(); ++r) {
    absl::StatusOr<std::vector<GeneratedText>> b = (*single)->Generate({requests[r]});
    ASSERT_OK(b.status());
    EXPECT_EQ((*a)[r].ids, (*b)[0].ids) << "request " << r;
    EXPECT_EQ((*a)[r].ids, (*again)[r].ids) << "request " << r;
  }
  // Another request seed gives other samples (8 tokens at temperature 1 of a random model).
  std::vector<TextRequest> reseeded = requests;
  for (TextRequest& request : reseeded) request.seed += 1000;
  absl::StatusOr<std::vector<GeneratedText>> c = (*batched)->Generate(reseeded);
  ASSERT_OK(c.status());
  int differ = 0;
  for (size_t r = 0; r < requests.size(); ++r) differ += (*a)[r].ids != (*c)[r].ids;
  EXPECT_GT(differ, 0);
}

TEST_F(TextGeneratorTest, NeverGeneratesTheUnknownPiece) {
  ASSERT_TRUE(text_->IsSpecial(0)) << "calico's model has <unk> at id 0";
  ASSERT_FALSE(text_->IsSpecial(text_->Encode("red").value()[0]));
  // Temperature 100 makes sampling nearly uniform over the allowed ids: 2,048 tokens
  // would hold id 0 about four times if it were allowed.
  TextGeneratorOptions options;
  options.temperature = 100;
  options.max_tokens = 64;
  options.batch_size = 32;
  absl::StatusOr<std::unique_ptr<TextGenerator>> generator = TextGenerator::Create(model_, text_, options);
  ASSERT_OK(generator.status());
  absl::StatusOr<std::vector<GeneratedText>> results = (*generator)->Generate(Requests(32));
  ASSERT_OK(results.status());
  int64_t tokens = 0;
  for (const GeneratedText& result : *results) {
    tokens += static_cast<int64_t>(result.ids.size());
    for (int32_t id : result.ids) EXPECT_FALSE(text_->IsSpecial(id)) << id;
  }
  EXPECT_GT(tokens, 1000);
}

TEST_F(TextGeneratorTest, StopsAtMaxTokensWithoutEos) {
  TextGeneratorOptions options;
  options.max_tokens = 3;
  absl::StatusOr<std::unique_ptr<TextGenerator>> generator = TextGenerator::Create(model_, text_, options);
  ASSERT_OK(generator.status());
  absl::StatusOr<std::vector<GeneratedText>> results = (*generator)->Generate(Requests(4));
  ASSERT_OK(results.status());
  int unfinished = 0;
  for (const GeneratedText& result : *results) {
    EXPECT_LE(result.ids.size() + (result.finished ? 1 : 0), 3u);
    if (!result.finished) {
      EXPECT_EQ(result.ids.size(), 3u);
      ++unfinished;
    }
  }
  // The untrained model writes its end token in 3 steps rarely: most requests run out.
  EXPECT_GT(unfinished, 0) << "no request reached max_tokens: the check above never ran";
}

TEST_F(TextGeneratorTest, EndsAtTheStopTextAndLeavesItOut) {
  TextGeneratorOptions options;
  options.max_tokens = 12;
  absl::StatusOr<std::unique_ptr<TextGenerator>> generator = TextGenerator::Create(model_, text_, options);
  ASSERT_OK(generator.status());
  std::vector<TextRequest> requests = Requests(4);
  absl::StatusOr<std::vector<GeneratedText>> free = (*generator)->Generate(requests);
  ASSERT_OK(free.status());
  // Greedy decoding is deterministic: stopping at the text of a request's first three
  // tokens ends it right there, and a stop text it never writes changes nothing.
  int compared = 0;
  for (size_t r = 0; r < requests.size(); ++r) {
    const GeneratedText& whole = (*free)[r];
    if (whole.ids.size() < 4) continue;
    absl::StatusOr<std::string> head = text_->Decode(std::vector<int32_t>(whole.ids.begin(), whole.ids.begin() + 3));
    ASSERT_OK(head.status());
    bool earlier = head->empty();
    for (int k = 1; k < 3; ++k) {
      absl::StatusOr<std::string> shorter = text_->Decode(std::vector<int32_t>(whole.ids.begin(), whole.ids.begin() + k));
      ASSERT_OK(shorter.status());
      earlier = earlier || absl::EndsWith(*shorter, *head);
    }
    if (earlier) continue;  // the stop text would end it sooner
    std::vector<TextRequest> stopped = {requests[r], requests[r]};
    stopped[0].stop = *head;
    stopped[1].stop = "no such text";
    absl::StatusOr<std::vector<GeneratedText>> results = (*generator)->Generate(stopped);
    ASSERT_OK(results.status());
    EXPECT_TRUE((*results)[0].finished);
    EXPECT_TRUE((*results)[0].stopped);
    EXPECT_EQ((*results)[0].ids, std::vector<int32_t>(whole.ids.begin(), whole.ids.begin() + 3));
    EXPECT_EQ((*results)[0].text, "");
    EXPECT_FALSE((*results)[1].stopped);
    EXPECT_EQ((*results)[1].ids, whole.ids);
    EXPECT_EQ((*results)[1].text, whole.text);
    ++compared;
  }
  EXPECT_GE(compared, 2);
}

// After a prompt, the model's first token writes the space its piece starts with: a stop
// text that begins with that space (" q:" for a model that starts asking at once) ends
// decoding at the first token, and the text left is empty.
TEST_F(TextGeneratorTest, StopTextMatchesTheFirstTokensSpace) {
  TextGeneratorOptions options;
  options.max_tokens = 8;
  options.temperature = 1.0;  // seeded: varied first tokens, the same ones again for the same seed
  absl::StatusOr<std::unique_ptr<TextGenerator>> generator = TextGenerator::Create(model_, text_, options);
  ASSERT_OK(generator.status());
  std::vector<TextRequest> requests = Requests(32);
  absl::StatusOr<std::vector<GeneratedText>> free = (*generator)->Generate(requests);
  ASSERT_OK(free.status());
  int compared = 0;
  for (size_t r = 0; r < requests.size(); ++r) {
    const GeneratedText& whole = (*free)[r];
    if (whole.ids.size() < 2 || !absl::StartsWith(text_->Piece(whole.ids[0]), "\xE2\x96\x81")) continue;
    absl::StatusOr<std::string> first = text_->Decode({whole.ids[0]});
    ASSERT_OK(first.status());
    if (first->empty()) continue;
    TextRequest stopped = requests[r];
    stopped.stop = " " + *first;
    absl::StatusOr<std::vector<GeneratedText>> results = (*generator)->Generate({stopped});
    ASSERT_OK(results.status());
    EXPECT_TRUE((*results)[0].stopped) << "stop '" << stopped.stop << "'";
    EXPECT_TRUE((*results)[0].finished);
    EXPECT_EQ((*results)[0].ids, std::vector<int32_t>{whole.ids[0]});
    EXPECT_EQ((*results)[0].text, "");
    ++compared;
  }
  EXPECT_GE(compared, 2);
}

// Room counts what Generate can decode: a prompt that leaves none is refused by Generate,
// one that leaves k decodes at most k tokens.
TEST_F(TextGeneratorTest, RoomIsWhatGenerateCanDecode) {
  TextGeneratorOptions options;
  options.max_tokens = 1000;  // more than any room: the model's positions decide
  absl::StatusOr<std::unique_ptr<TextGenerator>> generator = TextGenerator::Create(model_, text_, options);
  ASSERT_OK(generator.status());
  const Array image = RandomImage(7);
  absl::StatusOr<int> room = (*generator)->Room(image, "caption:");
  ASSERT_OK(room.status());
  const ModelConfig& config = model_->config();
  absl::StatusOr<TokenStream> prompt = (*generator)->PromptStream(image, "caption:");
  ASSERT_OK(prompt.status());
  EXPECT_EQ(*room, std::min<int64_t>(config.max_local_positions() - prompt->local_position.back() - 1,
                                     config.context_length() - prompt->num_positions()));
  absl::StatusOr<std::vector<GeneratedText>> result = (*generator)->Generate({{image, "caption:", 1, /*stop=*/""}});
  ASSERT_OK(result.status());
  EXPECT_LE(static_cast<int>((*result)[0].ids.size()) + ((*result)[0].finished ? 1 : 0), *room);
  // A prompt that leaves a room of a few tokens: decoding uses it up exactly (the
  // untrained model, fixed weights, does not write its end token that soon).
  std::string long_prompt = "caption:";
  int small_room = *room;
  while (small_room > 3) {
    long_prompt += " red";
    absl::StatusOr<int> left = (*generator)->Room(image, long_prompt);
    ASSERT_OK(left.status());
    small_room = *left;
  }
  ASSERT_GT(small_room, 0);
  absl::StatusOr<std::vector<GeneratedText>> filled =
      (*generator)->Generate({{image, long_prompt, 1, /*stop=*/""}});
  ASSERT_OK(filled.status());
  EXPECT_FALSE((*filled)[0].finished);
  EXPECT_EQ(static_cast<int>((*filled)[0].ids.size()), small_room);
  // A prompt of as many more words as there is room fills it; a far longer one too.
  std::string crowded = "caption:";
  for (int i = 0; i < *room; ++i) crowded += " red";
  absl::StatusOr<int> none = (*generator)->Room(image, crowded);
  ASSERT_OK(none.status());
  EXPECT_EQ(*none, 0);
  EXPECT_THAT((*generator)->Generate({{image, crowded, 1, /*stop=*/""}}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  for (int i = 0; i < 1000; ++i) crowded += " red";
  none = (*generator)->Room(image, crowded);
  ASSERT_OK(none.status());
  EXPECT_EQ(*none, 0);
  EXPECT_THAT((*generator)->Room(Array::Uint8({32, 32, 3}, std::vector<uint8_t>(32 * 32 * 3, 0)), "caption:").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(TextGeneratorTest, RejectsAModelWithAnotherVocabulary) {
  absl::StatusOr<std::shared_ptr<const Transformer>> other = RandomPresetModel("nano", 1, /*vocab_size=*/2688);
  ASSERT_OK(other.status());
  absl::Status status = TextGenerator::Create(*other, text_, {}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("vocab_size is 2688"));
  EXPECT_THAT(status.message(), HasSubstr("not trained with this text vocabulary"));
}

TEST_F(TextGeneratorTest, RejectsAModelTrainedWithAnotherTextModel) {
  ModelConfig config = model_->config();
  config.set_text_model_fingerprint("0123456789abcdef");
  ASSERT_OK_AND_ASSIGN(Transformer other, Transformer::Create(config, 7));
  EXPECT_THAT(TextGenerator::Create(std::make_shared<const Transformer>(std::move(other)), text_, {}).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("0123456789abcdef"), HasSubstr(text_->fingerprint()))));
  config.set_text_model_fingerprint(text_->fingerprint());
  ASSERT_OK_AND_ASSIGN(Transformer same, Transformer::Create(config, 7));
  EXPECT_OK(TextGenerator::Create(std::make_shared<const Transformer>(std::move(same)), text_, {}).status());
}

TEST_F(TextGeneratorTest, RejectsAModelThatCannotHoldTheImage) {
  absl::StatusOr<std::shared_ptr<const Transformer>> tiny =
      RandomPresetModel("nano", 1, /*vocab_size=*/0, /*max_local_positions=*/8);
  ASSERT_OK(tiny.status());
  absl::Status status = TextGenerator::Create(*tiny, text_, {}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("cannot hold a 64x64 image"));
}

TEST_F(TextGeneratorTest, RejectsBadImagesAndOptions) {
  absl::StatusOr<std::unique_ptr<TextGenerator>> generator = TextGenerator::Create(model_, text_, {});
  ASSERT_OK(generator.status());
  absl::Status status = (*generator)->Generate(
      {{RandomImage(1), "caption:", 0, /*stop=*/""}, {RandomImage(2, 32, 64), "caption:", 0, /*stop=*/""}}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("request 1"));
  TextGeneratorOptions bad;
  bad.temperature = -1;
  EXPECT_EQ(TextGenerator::Create(model_, text_, bad).status().code(), absl::StatusCode::kInvalidArgument);
  bad = {};
  bad.image_height = 40;
  EXPECT_EQ(TextGenerator::Create(model_, text_, bad).status().code(), absl::StatusCode::kInvalidArgument);
  bad = {};
  bad.image_width = 1 << 20;  // would overflow the pixel count in int
  EXPECT_THAT(TextGenerator::Create(model_, text_, bad).status().message(), HasSubstr("in [16, 1024]"));
  bad = {};
  bad.max_tokens = 0;
  EXPECT_EQ(TextGenerator::Create(model_, text_, bad).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(TextGenerator::Create(nullptr, text_, {}).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace calico
