#include "policies/text_model_match.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tokenizers/text/train_text_model.h"

namespace calico {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(TextModelMatchTest, AcceptsTheSameModelOrNoneRecorded) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TextTokenizer> text, TextTokenizer::Load(kCalicoTextModelPath));
  ModelConfig config;
  EXPECT_OK(CheckTextModelMatches(config, *text));  // recorded none
  config.set_text_model_fingerprint(text->fingerprint());
  EXPECT_OK(CheckTextModelMatches(config, *text));
}

TEST(TextModelMatchTest, RejectsAnotherModelNamingBothFingerprints) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TextTokenizer> committed, TextTokenizer::Load(kCalicoTextModelPath));
  ASSERT_OK_AND_ASSIGN(std::string other_bytes, TrainCalicoTextModelBytes(300));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TextTokenizer> other, TextTokenizer::FromSerialized(other_bytes));
  ASSERT_NE(committed->fingerprint(), other->fingerprint());
  ModelConfig config;
  config.set_text_model_fingerprint(other->fingerprint());
  EXPECT_THAT(CheckTextModelMatches(config, *committed),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr(other->fingerprint()), HasSubstr(committed->fingerprint()),
                             HasSubstr("CALICO_TEXT_MODEL"))));
}

TEST(TextModelMatchTest, AModelTrainedOnNoVisionLanguageTaskIsNamed) {
  ModelConfig config;
  EXPECT_OK(CheckTrainedOnVisionLanguage(config)) << "no record: accepted";
  config.add_trained_tasks("arcade/freeway_pixels");
  config.add_trained_tasks("mujoco/cartpole_balance");
  EXPECT_THAT(CheckTrainedOnVisionLanguage(config),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("trained on arcade/freeway_pixels, mujoco/cartpole_balance and on no "
                                       "vision-language task"),
                             HasSubstr("never learned to describe images"))));
  // The text-only questions teach no image either.
  config.add_trained_tasks("scenes/vqa_text");
  EXPECT_THAT(CheckTrainedOnVisionLanguage(config),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("scenes/vqa_text and on no vision-language "
                                                                        "task with images")));
  config.add_trained_tasks("scenes/vqa");
  EXPECT_OK(CheckTrainedOnVisionLanguage(config));
}

TEST(TextModelMatchTest, UntrainedTasksAreThoseTheCheckpointDoesNotRecord) {
  ModelConfig config;
  // No record (older checkpoints): nothing is called untrained.
  EXPECT_TRUE(UntrainedTasks(config, {"mujoco/a", "arcade/b"}).empty());
  config.add_trained_tasks("mujoco/a");
  config.add_trained_tasks("scenes/vqa");
  EXPECT_EQ(UntrainedTasks(config, {"mujoco/a", "arcade/b", "mujoco/c"}),
            (std::vector<std::string>{"arcade/b", "mujoco/c"}));
  EXPECT_TRUE(UntrainedTasks(config, {"mujoco/a"}).empty());
  EXPECT_EQ(ShortTaskList({"a", "b"}), "a, b");
  EXPECT_EQ(ShortTaskList({"a", "b", "c", "d"}, 2), "a, b and 2 more");
}

}  // namespace
}  // namespace calico
