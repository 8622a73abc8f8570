#include "model/config.h"

#include "absl/strings/str_cat.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ModelPresetTest, EveryPresetIsValidAndMatchesTheDesign) {
  for (const std::string& name : ModelPresetNames()) {
    ASSERT_OK_AND_ASSIGN(ModelConfig config, ModelPreset(name));
    EXPECT_OK(ValidateModelConfig(config)) << name;
    EXPECT_EQ(config.name(), name);
    EXPECT_EQ(config.context_length(), 1024);
  }
  ASSERT_OK_AND_ASSIGN(ModelConfig small, ModelPreset("small"));
  EXPECT_EQ(small.num_layers(), 6);
  EXPECT_EQ(small.num_heads(), 8);
  EXPECT_EQ(small.width(), 256);
  EXPECT_EQ(small.ff_width(), 1024);
  ASSERT_OK_AND_ASSIGN(ModelConfig gato, ModelPreset("gato-79m"));
  EXPECT_EQ(gato.num_heads(), 24);
  EXPECT_EQ(gato.head_dim(), 32);
  ASSERT_OK_AND_ASSIGN(ModelConfig big, ModelPreset("gato-1.18b"));
  EXPECT_EQ(big.num_layers(), 24);
  EXPECT_EQ(big.width(), 2048);
  EXPECT_EQ(big.head_dim(), 128);
}

TEST(ModelPresetTest, UnknownPresetNamesTheKnownOnes) {
  EXPECT_THAT(ModelPreset("huge"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nano, small, base")));
}

TEST(ValidateModelConfigTest, HeadsNotDividingWidthIsAnError) {
  ASSERT_OK_AND_ASSIGN(ModelConfig config, ModelPreset("nano"));
  config.set_num_heads(3);
  EXPECT_THAT(ValidateModelConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("num_heads * head_dim = 3 * 32 = 96, expected it to equal width 64")));
}

TEST(ValidateModelConfigTest, NonPositiveAndOddFieldsAreErrors) {
  ASSERT_OK_AND_ASSIGN(ModelConfig base, ModelPreset("nano"));
  ModelConfig config = base;
  config.set_num_layers(0);
  EXPECT_THAT(ValidateModelConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("num_layers is 0")));
  config = base;
  config.set_vocab_size(-5);
  EXPECT_THAT(ValidateModelConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("vocab_size is -5")));
  config = base;
  config.set_num_heads(1);
  config.set_head_dim(64);
  EXPECT_OK(ValidateModelConfig(config));
  config.set_num_heads(64);
  config.set_head_dim(1);
  EXPECT_THAT(ValidateModelConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("even")));
  config = base;
  config.set_rope_base(0.5f);
  EXPECT_THAT(ValidateModelConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rope_base")));
  config = base;
  config.set_norm_epsilon(0.0f);
  EXPECT_THAT(ValidateModelConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("norm_epsilon")));
  EXPECT_THAT(ValidateModelConfig(ModelConfig()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is 0")));
  // Sizes no machine holds are refused before anything is allocated.
  config = base;
  config.set_num_layers(2000000);
  EXPECT_THAT(ValidateModelConfig(config), StatusIs(absl::StatusCode::kInvalidArgument,
                                                    HasSubstr("num_layers is 2000000, expected at most 1024")));
  config = base;
  config.set_max_local_positions(2000000000);
  EXPECT_THAT(ValidateModelConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_local_positions is 2000000000")));
  config = base;
  config.set_patch_position_buckets(1 << 20);
  EXPECT_THAT(ValidateModelConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("patch_position_buckets")));
}

TEST(ValidateModelConfigTest, TextModelFingerprintIsSixteenHexDigitsOrNothing) {
  ASSERT_OK_AND_ASSIGN(ModelConfig config, ModelPreset("nano"));
  EXPECT_OK(ValidateModelConfig(config));  // none recorded
  config.set_text_model_fingerprint("0123456789abcdef");
  EXPECT_OK(ValidateModelConfig(config));
  for (const char* bad : {"0123456789abcde", "0123456789abcdef0", "0123456789ABCDEF", "0123456789abcdeg"}) {
    config.set_text_model_fingerprint(bad);
    EXPECT_THAT(ValidateModelConfig(config),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr(absl::StrCat("text_model_fingerprint is '", bad, "'"))));
  }
}

TEST(ParseModelConfigTextTest, ParsesValidatesAndNamesSyntaxErrors) {
  ASSERT_OK_AND_ASSIGN(ModelConfig nano, ModelPreset("nano"));
  ASSERT_OK_AND_ASSIGN(ModelConfig parsed, ParseModelConfigText(nano.DebugString()));
  EXPECT_TRUE(ModelConfigDifferences(parsed, nano).empty());
  EXPECT_THAT(ParseModelConfigText("num_layers: 2\nwidth: oops\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 2, column 8")));
  EXPECT_THAT(ParseModelConfigText("num_layers: 2\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("num_heads is 0")));
}

TEST(ModelConfigDifferencesTest, ListsEachDifferingField) {
  ASSERT_OK_AND_ASSIGN(ModelConfig nano, ModelPreset("nano"));
  EXPECT_TRUE(ModelConfigDifferences(nano, nano).empty());
  ModelConfig other = nano;
  other.set_width(128);
  other.set_num_layers(3);
  EXPECT_THAT(ModelConfigDifferences(nano, other),
              ElementsAre("num_layers: 2 vs 3", "width: 64 vs 128"));
  other = nano;
  other.set_text_model_fingerprint("0123456789abcdef");
  EXPECT_THAT(ModelConfigDifferences(nano, other),
              ElementsAre("text_model_fingerprint: '' vs '0123456789abcdef'"));
  other = nano;
  other.add_trained_tasks("scenes/vqa");  // history, not shape
  EXPECT_TRUE(ModelConfigDifferences(nano, other).empty());
}

}  // namespace
}  // namespace calico
