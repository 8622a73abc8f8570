#include "tokenizers/sequence_builder.h"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tokenizers/mu_law.h"
#include "tokenizers/text/text_tokenizer.h"

namespace calico {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kTextModel[] = "tokenizers/text/calico_text.model";

class SequenceBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto text = TextTokenizer::Load(kTextModel);
    ASSERT_OK(text);
    text_ = std::move(*text);
    auto vocab = Vocabulary::Create(text_->vocab_size());
    ASSERT_OK(vocab);
    vocab_ = std::make_unique<Vocabulary>(*vocab);
  }

  // A task with every modality: keys chosen so that lexicographic order differs from
  // modality order and from insertion order.
  SequenceBuilderOptions AllModalities() const {
    SequenceBuilderOptions options;
    options.observation_spec["b_velocity"] = {"b_velocity", {2}, DType::kFloat32, {}, {}};
    options.observation_spec["a_position"] = {"a_position", {2, 2}, DType::kFloat32, {}, {}};
    options.observation_spec["z_grid"] = {"z_grid", {3}, DType::kInt32, {0}, {9}};
    options.observation_spec["c_camera"] = {"c_camera", {16, 32, 3}, DType::kUint8, {}, {}};
    options.observation_spec["y_instruction"] = {"y_instruction", {}, DType::kString, {}, {}};
    options.action_spec["torque"] = {"torque", {2}, DType::kFloat32, {-1}, {1}};
    options.action_spec["button"] = {"button", {}, DType::kInt32, {0}, {5}};
    options.record_sources = true;
    return options;
  }

  // A vision-language task (a 32x32 image and a text, no action) and one step of it.
  static SequenceBuilderOptions VisionLanguage() {
    SequenceBuilderOptions options;
    options.observation_spec["image"] = {"image", {32, 32, 3}, DType::kUint8, {}, {}};
    options.observation_spec["text"] = {"text", {}, DType::kString, {}, {}};
    return options;
  }
  static NamedArrays VisionLanguageStep(const std::string& text) {
    NamedArrays obs;
    obs["image"] = Array::Uint8({32, 32, 3}, std::vector<uint8_t>(32 * 32 * 3, 9));
    obs["text"] = Array::Text(text);
    return obs;
  }

  NamedArrays Observation(float offset) const {
    NamedArrays obs;
    obs["b_velocity"] = Array::Float({2}, {10 + offset, 11 + offset});
    obs["a_position"] = Array::Float({2, 2}, {0.1f, 0.2f, 0.3f, 0.4f});
    obs["z_grid"] = Array::Int({3}, {7, 8, 9});
    obs["c_camera"] = Array::Uint8({16, 32, 3}, std::vector<uint8_t>(16 * 32 * 3, 200));
    obs["y_instruction"] = Array::Text("swing up the pole");
    return obs;
  }

  NamedArrays Action(float torque0, float torque1, int button) const {
    NamedArrays action;
    action["torque"] = Array::Float({2}, {torque0, torque1});
    action["button"] = Array::Int({}, {button});
    return action;
  }

  std::unique_ptr<TextTokenizer> text_;
  std::unique_ptr<Vocabulary> vocab_;
};

TEST_F(SequenceBuilderTest, TimestepFollowsModalityThenKeyThenRowMajorOrder) {
  ASSERT_OK_AND_ASSIGN(SequenceBuilder builder, SequenceBuilder::Create(AllModalities(), *vocab_, text_.get()));
  TokenStream stream;
  ASSERT_OK(builder.AppendTimestep({Observation(0), Action(0.5f, -0.25f, 3)}, nullptr, &stream));
  ASSERT_OK_AND_ASSIGN(std::vector<int32_t> text_ids, text_->Encode("swing up the pole"));
  const int64_t num_text = static_cast<int64_t>(text_ids.size());
  // text, 2 patches, 3 discrete, 4 + 2 continuous, '|', 1 + 2 action tokens.
  ASSERT_EQ(stream.num_positions(), num_text + 2 + 3 + 6 + 1 + 3);
  std::vector<std::string> key_order;
  for (const TokenSource& s : stream.sources) {
    const std::string key = s.key < 0 ? "|" : stream.source_keys[s.key];
    if (key_order.empty() || key_order.back() != key) key_order.push_back(key);
  }
  EXPECT_THAT(key_order, ElementsAre("y_instruction", "c_camera", "z_grid", "a_position", "b_velocity", "|",
                                     "button", "torque"));
  int64_t p = 0;
  for (int64_t i = 0; i < num_text; ++i, ++p) {
    EXPECT_EQ(stream.kinds[p], PositionKind::kText);
    EXPECT_EQ(stream.ids[p], text_ids[i]);
  }
  for (int i = 0; i < 2; ++i, ++p) {
    EXPECT_EQ(stream.kinds[p], PositionKind::kImage);
    EXPECT_EQ(stream.ids[p], -1);
    EXPECT_EQ(stream.patch_index[p], i);
  }
  for (int v : {7, 8, 9}) EXPECT_EQ(stream.ids[p++], vocab_->DiscreteId(v));
  for (float v : {0.1f, 0.2f, 0.3f, 0.4f, 10.0f, 11.0f}) {
    EXPECT_EQ(stream.kinds[p], PositionKind::kContinuous);
    EXPECT_EQ(stream.ids[p++], vocab_->ContinuousId(ContinuousBin(v))) << v;
  }
  EXPECT_EQ(stream.ids[p++], vocab_->separator_id());
  EXPECT_EQ(stream.ids[p++], vocab_->DiscreteId(3));  // "button" sorts before "torque"
  EXPECT_EQ(stream.ids[p++], vocab_->ContinuousId(ContinuousBin(0.5)));
  EXPECT_EQ(stream.ids[p++], vocab_->ContinuousId(ContinuousBin(-0.25)));
  EXPECT_EQ(stream.patches.size(), 2u * kPatchValues);
}

TEST_F(SequenceBuilderTest, LocalPositionsCountObservationTokensAndActionsHaveNone) {
  ASSERT_OK_AND_ASSIGN(SequenceBuilder builder, SequenceBuilder::Create(AllModalities(), *vocab_, text_.get()));
  std::vector<Timestep> steps = {{Observation(0), Action(0, 0, 1)}, {Observation(1), Action(0, 0, 2)}};
  ASSERT_OK_AND_ASSIGN(TokenStream stream, builder.TokenizeEpisode(steps, nullptr));
  ASSERT_EQ(stream.num_timesteps(), 2);
  for (int64_t t = 0; t < 2; ++t) {
    int16_t expected_local = 0;
    for (int64_t p = stream.timestep_starts[t]; p < stream.timestep_end(t); ++p) {
      EXPECT_EQ(stream.timestep[p], t);
      const bool observation = stream.kinds[p] != PositionKind::kSeparator && stream.kinds[p] != PositionKind::kAction;
      EXPECT_EQ(stream.local_position[p], observation ? expected_local++ : kNoLocalPosition) << "position " << p;
    }
  }
}

TEST_F(SequenceBuilderTest, LossFallsOnTextAndActionTargetsOnly) {
  ASSERT_OK_AND_ASSIGN(SequenceBuilder builder, SequenceBuilder::Create(AllModalities(), *vocab_, text_.get()));
  std::vector<Timestep> steps = {{Observation(0), Action(0, 0, 1)}, {Observation(1), std::nullopt}};
  ASSERT_OK_AND_ASSIGN(TokenStream stream, builder.TokenizeEpisode(steps, nullptr));
  EXPECT_EQ(stream.loss_mask[0], 0);  // nothing predicts the first token
  int losses = 0;
  for (int64_t p = 1; p < stream.num_positions(); ++p) {
    const bool expected = stream.kinds[p] == PositionKind::kText || stream.kinds[p] == PositionKind::kAction;
    EXPECT_EQ(stream.loss_mask[p], expected ? 1 : 0) << "position " << p << " " << PositionKindName(stream.kinds[p]);
    losses += stream.loss_mask[p];
  }
  ASSERT_OK_AND_ASSIGN(std::vector<int32_t> text_ids, text_->Encode("swing up the pole"));
  EXPECT_EQ(losses, 2 * static_cast<int>(text_ids.size()) - 1 + 3);
  // The observation-only last step has no separator.
  EXPECT_NE(stream.kinds.back(), PositionKind::kSeparator);
}

TEST_F(SequenceBuilderTest, ActionsRoundTripThroughTokensOnEveryBound) {
  ASSERT_OK_AND_ASSIGN(SequenceBuilder builder, SequenceBuilder::Create(AllModalities(), *vocab_, text_.get()));
  ASSERT_EQ(builder.num_action_tokens(), 3);
  for (float t0 : {-1.0f, -0.3f, 0.0f, 0.3f, 1.0f}) {
    for (int button : {0, 2, 5}) {
      ASSERT_OK_AND_ASSIGN(std::vector<int32_t> ids, builder.TokenizeAction(Action(t0, -t0, button)));
      for (int64_t i = 0; i < 3; ++i) {
        ASSERT_OK_AND_ASSIGN(IdRange range, builder.ValidActionIds(i));
        EXPECT_TRUE(range.contains(ids[i])) << "token " << i << " id " << ids[i] << " range " << range;
      }
      ASSERT_OK_AND_ASSIGN(NamedArrays back, builder.DetokenizeAction(ids));
      EXPECT_THAT(back.at("button").ints, ElementsAre(button));
      for (int k = 0; k < 2; ++k) {
        const float original = k == 0 ? t0 : -t0;
        const float decoded = back.at("torque").floats[k];
        EXPECT_GE(decoded, -1.0f);
        EXPECT_LE(decoded, 1.0f);
        EXPECT_LE(std::fabs(MuLawEncode(decoded) - MuLawEncode(original)), 1.0 / kNumContinuousBins + 1e-7);
      }
      EXPECT_EQ(back.at("torque").shape, (std::vector<int64_t>{2}));
    }
  }
}

TEST_F(SequenceBuilderTest, DetokenizedContinuousActionsAreClampedIntoTheirBounds) {
  SequenceBuilderOptions options;
  options.observation_spec["x"] = {"x", {1}, DType::kFloat32, {}, {}};
  // 0.3 has no exact float; the bin that holds [0.3, 0.3001] has its centre outside it.
  options.action_spec["a"] = {"a", {1}, DType::kFloat32, {0.3}, {0.3001}};
  ASSERT_OK_AND_ASSIGN(SequenceBuilder builder, SequenceBuilder::Create(options, *vocab_, nullptr));
  ASSERT_OK_AND_ASSIGN(IdRange range, builder.ValidActionIds(0));
  ASSERT_EQ(range.size(), 1);
  const double centre = ContinuousBinValue(range.begin - vocab_->continuous_range().begin);
  ASSERT_TRUE(centre < 0.3 || centre > 0.3001) << centre;
  ASSERT_OK_AND_ASSIGN(NamedArrays back, builder.DetokenizeAction({range.begin}));
  const double v = back.at("a").floats[0];
  EXPECT_GE(v, 0.3);
  EXPECT_LE(v, 0.3001);
  EXPECT_NEAR(v, centre < 0.3 ? 0.3 : 0.3001, 1e-7);
  EXPECT_OK(options.action_spec["a"].CheckArray(back.at("a"), "action"));
}

TEST_F(SequenceBuilderTest, InvalidActionIdsAreErrorsNamingKeyElementAndRange) {
  ASSERT_OK_AND_ASSIGN(SequenceBuilder builder, SequenceBuilder::Create(AllModalities(), *vocab_, text_.get()));
  ASSERT_OK_AND_ASSIGN(std::vector<int32_t> ids, builder.TokenizeAction(Action(0, 0, 1)));
  std::vector<int32_t> bad = ids;
  bad[0] = vocab_->DiscreteId(6);  // button's bound is 5
  EXPECT_THAT(builder.DetokenizeAction(bad),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("'button'"), HasSubstr("not valid"))));
  bad = ids;
  bad[2] = vocab_->ContinuousId(1023);  // far above torque's bound 1
  EXPECT_THAT(builder.DetokenizeAction(bad),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("'torque' element [1]"))));
  EXPECT_THAT(builder.DetokenizeAction({ids[0]}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("got 1 action tokens; the action spec needs 3")));
  EXPECT_THAT(builder.ValidActionIds(3), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("action token 3")));
}

TEST_F(SequenceBuilderTest, BadObservationsAreErrorsAndLeaveTheStreamUnchanged) {
  ASSERT_OK_AND_ASSIGN(SequenceBuilder builder, SequenceBuilder::Create(AllModalities(), *vocab_, text_.get()));
  TokenStream stream;
  ASSERT_OK(builder.AppendTimestep({Observation(0), Action(0, 0, 1)}, nullptr, &stream));
  const TokenStream before = stream;

  NamedArrays nan_obs = Observation(0);
  nan_obs["b_velocity"].floats[1] = std::nanf("");
  EXPECT_THAT(builder.AppendTimestep({nan_obs, Action(0, 0, 1)}, nullptr, &stream),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("'b_velocity'"), HasSubstr("[1]"))));
  NamedArrays wrong_shape = Observation(0);
  wrong_shape["c_camera"] = Array::Uint8({20, 32, 3}, std::vector<uint8_t>(20 * 32 * 3));
  EXPECT_THAT(builder.AppendObservation(wrong_shape, nullptr, &stream),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'c_camera': shape is [20, 32, 3]")));
  NamedArrays out_of_bounds = Observation(0);
  out_of_bounds["z_grid"].ints[2] = 10;
  EXPECT_THAT(builder.AppendObservation(out_of_bounds, nullptr, &stream),
              StatusIs(absl::StatusCode::kOutOfRange, AllOf(HasSubstr("'z_grid'"), HasSubstr("[2]"))));
  NamedArrays missing = Observation(0);
  missing.erase("a_position");
  EXPECT_THAT(builder.AppendObservation(missing, nullptr, &stream),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'a_position' is missing")));
  // A good observation with a bad action: the observation is rolled back too.
  EXPECT_THAT(builder.AppendTimestep({Observation(0), Action(2.0f, 0, 1)}, nullptr, &stream),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("action 'torque'")));

  EXPECT_EQ(stream.ids, before.ids);
  EXPECT_EQ(stream.kinds, before.kinds);
  EXPECT_EQ(stream.timestep_starts, before.timestep_starts);
  EXPECT_EQ(stream.patches.size(), before.patches.size());
  EXPECT_EQ(stream.sources.size(), before.sources.size());
}

TEST_F(SequenceBuilderTest, EpisodeErrorsNameTheTimestep) {
  ASSERT_OK_AND_ASSIGN(SequenceBuilder builder, SequenceBuilder::Create(AllModalities(), *vocab_, text_.get()));
  NamedArrays bad = Observation(0);
  bad["a_position"].floats[3] = std::numeric_limits<float>::infinity();
  std::vector<Timestep> steps = {{Observation(0), Action(0, 0, 1)}, {bad, Action(0, 0, 1)}};
  EXPECT_THAT(builder.TokenizeEpisode(steps, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("timestep 1"), HasSubstr("'a_position'"), HasSubstr("[1, 1]"))));
}

TEST_F(SequenceBuilderTest, SeparatorAndActionNeedAnObservationFirst) {
  ASSERT_OK_AND_ASSIGN(SequenceBuilder builder, SequenceBuilder::Create(AllModalities(), *vocab_, text_.get()));
  TokenStream stream;
  EXPECT_THAT(builder.AppendSeparator(&stream), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("empty")));
  ASSERT_OK(builder.AppendObservation(Observation(0), nullptr, &stream));
  ASSERT_OK(builder.AppendAction(Action(0, 0, 0), &stream));
  EXPECT_THAT(builder.AppendAction(Action(0, 0, 0), &stream),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already has its '|'")));
}

TEST_F(SequenceBuilderTest, ObservationsLongerThanTheLocalPositionTableAreErrors) {
  SequenceBuilderOptions options;
  options.observation_spec["x"] = {"x", {513}, DType::kFloat32, {}, {}};
  ASSERT_OK_AND_ASSIGN(SequenceBuilder builder, SequenceBuilder::Create(options, *vocab_, nullptr));
  NamedArrays obs;
  obs["x"] = Array::Float({513}, std::vector<float>(513, 0.0f));
  TokenStream stream;
  EXPECT_THAT(builder.AppendObservation(obs, nullptr, &stream),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("513 tokens; at most 512")));
  EXPECT_EQ(stream.num_positions(), 0);
  EXPECT_EQ(stream.num_timesteps(), 0);
}

TEST_F(SequenceBuilderTest, BadOptionsAreRejected) {
  SequenceBuilderOptions options = AllModalities();
  EXPECT_THAT(SequenceBuilder::Create(options, *vocab_, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no text tokenizer")));
  options.action_spec["pixels"] = {"pixels", {16, 16, 3}, DType::kUint8, {}, {}};
  EXPECT_THAT(SequenceBuilder::Create(options, *vocab_, text_.get()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("actions must be float32 or int32")));
  options = AllModalities();
  options.action_spec["button"].maximum = {4000};
  EXPECT_THAT(SequenceBuilder::Create(options, *vocab_, text_.get()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("within [0, 1023]")));
  ASSERT_OK_AND_ASSIGN(Vocabulary other, Vocabulary::Create(text_->vocab_size() + 1));
  EXPECT_THAT(SequenceBuilder::Create(AllModalities(), other, text_.get()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("vocabulary was built for")));
  EXPECT_THAT(SequenceBuilder::Create(SequenceBuilderOptions{}, *vocab_, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("observation spec is empty")));
  // An action of 2^31 - 1 elements is refused before an id range is listed for each.
  options = AllModalities();
  options.action_spec["wide"] = {"wide", {2147483647}, DType::kFloat32, {-1}, {1}};
  EXPECT_THAT(SequenceBuilder::Create(options, *vocab_, text_.get()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("a timestep's action is at most 4096 tokens")));
  // At the limit it builds.
  options = AllModalities();
  int64_t others = 0;
  for (const auto& [key, spec] : options.action_spec) others += spec.num_elements();
  options.action_spec["wide"] = {"wide", {kMaxActionTokens - others}, DType::kFloat32, {-1}, {1}};
  ASSERT_OK_AND_ASSIGN(SequenceBuilder builder, SequenceBuilder::Create(options, *vocab_, text_.get()));
  EXPECT_EQ(builder.num_action_tokens(), kMaxActionTokens);
}

TEST_F(SequenceBuilderTest, TrainingPatchPositionsAreDeterministicFromTheSeed) {
  ASSERT_OK_AND_ASSIGN(SequenceBuilder builder, SequenceBuilder::Create(AllModalities(), *vocab_, text_.get()));
  std::vector<Timestep> steps(20, Timestep{Observation(0), Action(0, 0, 1)});
  Rng a(9), b(9), c(10);
  ASSERT_OK_AND_ASSIGN(TokenStream sa, builder.TokenizeEpisode(steps, &a));
  ASSERT_OK_AND_ASSIGN(TokenStream sb, builder.TokenizeEpisode(steps, &b));
  ASSERT_OK_AND_ASSIGN(TokenStream sc, builder.TokenizeEpisode(steps, &c));
  bool differs = false;
  for (int64_t i = 0; i < sa.num_patches(); ++i) {
    EXPECT_EQ(sa.patch_positions[i].row_index, sb.patch_positions[i].row_index);
    EXPECT_EQ(sa.patch_positions[i].col_index, sb.patch_positions[i].col_index);
    differs |= sa.patch_positions[i].col_index != sc.patch_positions[i].col_index;
  }
  EXPECT_TRUE(differs);
}

TEST_F(SequenceBuilderTest, VisionLanguageStepsHaveNoSeparator) {
  ASSERT_OK_AND_ASSIGN(SequenceBuilder builder, SequenceBuilder::Create(VisionLanguage(), *vocab_, text_.get()));
  NamedArrays obs = VisionLanguageStep("a small red sphere");
  ASSERT_OK_AND_ASSIGN(TokenStream stream, builder.TokenizeEpisode({{obs, std::nullopt}, {obs, std::nullopt}}, nullptr));
  for (PositionKind kind : stream.kinds) EXPECT_NE(kind, PositionKind::kSeparator);
  EXPECT_EQ(stream.num_patches(), 8);
  EXPECT_THAT(builder.TokenizeAction({}), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no action spec")));
}

// Vision-language steps (no action spec): [image patches][discrete][continuous][text EOS],
// EOS carrying loss; control steps with the same observation keep text first.
TEST_F(SequenceBuilderTest, VisionLanguageStepsPutImageFirstAndEndTextWithEos) {
  ASSERT_OK_AND_ASSIGN(SequenceBuilder builder, SequenceBuilder::Create(VisionLanguage(), *vocab_, text_.get()));
  NamedArrays obs = VisionLanguageStep("q: what colour is the box? a: red");
  ASSERT_OK_AND_ASSIGN(std::vector<int32_t> text_ids, text_->Encode(obs["text"].text));
  const size_t n_text = text_ids.size();
  ASSERT_OK_AND_ASSIGN(TokenStream stream, builder.TokenizeEpisode({{obs, std::nullopt}, {obs, std::nullopt}}, nullptr));
  const size_t per_step = 4 + n_text + 1;
  ASSERT_EQ(stream.num_positions(), static_cast<int64_t>(2 * per_step));
  EXPECT_THAT(stream.timestep_starts, ElementsAre(0, static_cast<int32_t>(per_step)));
  for (size_t t = 0; t < 2; ++t) {
    const size_t base = t * per_step;
    for (size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(stream.kinds[base + i], PositionKind::kImage);
      EXPECT_EQ(stream.loss_mask[base + i], 0);
    }
    for (size_t i = 0; i < n_text; ++i) {
      EXPECT_EQ(stream.kinds[base + 4 + i], PositionKind::kText);
      EXPECT_EQ(stream.ids[base + 4 + i], text_ids[i]);
      EXPECT_EQ(stream.loss_mask[base + 4 + i], 1);
    }
    const size_t eos = base + 4 + n_text;
    EXPECT_EQ(stream.ids[eos], vocab_->eos_id());
    EXPECT_EQ(stream.kinds[eos], PositionKind::kText);
    EXPECT_EQ(stream.loss_mask[eos], 1);
    for (size_t i = 0; i < per_step; ++i) EXPECT_EQ(stream.local_position[base + i], static_cast<int16_t>(i));
  }

  // The same observation in a control task: text first, no EOS, then the action.
  SequenceBuilderOptions options = VisionLanguage();
  options.action_spec["force"] = {"force", {1}, DType::kFloat32, {-1}, {1}};
  ASSERT_OK_AND_ASSIGN(SequenceBuilder control, SequenceBuilder::Create(options, *vocab_, text_.get()));
  TokenStream control_stream;
  ASSERT_OK(control.AppendTimestep({obs, NamedArrays{{"force", Array::Float({1}, {0.5f})}}}, nullptr, &control_stream));
  ASSERT_EQ(control_stream.num_positions(), static_cast<int64_t>(n_text + 4 + 2));
  for (size_t i = 0; i < n_text; ++i) EXPECT_EQ(control_stream.ids[i], text_ids[i]);
  EXPECT_EQ(control_stream.kinds[n_text], PositionKind::kImage);
  for (int32_t id : control_stream.ids) EXPECT_NE(id, vocab_->eos_id());
}

TEST_F(SequenceBuilderTest, VisionLanguageEmptyTextIsJustEos) {
  SequenceBuilderOptions options;
  options.observation_spec["image"] = {"image", {16, 16, 3}, DType::kUint8, {}, {}};
  options.observation_spec["text"] = {"text", {}, DType::kString, {}, {}};
  ASSERT_OK_AND_ASSIGN(SequenceBuilder builder, SequenceBuilder::Create(options, *vocab_, text_.get()));
  NamedArrays obs;
  obs["image"] = Array::Uint8({16, 16, 3}, std::vector<uint8_t>(16 * 16 * 3, 0));
  obs["text"] = Array::Text("");
  TokenStream stream;
  ASSERT_OK(builder.AppendObservation(obs, nullptr, &stream));
  ASSERT_EQ(stream.num_positions(), 2);
  EXPECT_EQ(stream.kinds[0], PositionKind::kImage);
  EXPECT_EQ(stream.ids[1], vocab_->eos_id());
  EXPECT_EQ(stream.loss_mask[1], 1);
}

}  // namespace
}  // namespace calico
