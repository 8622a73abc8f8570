#include "tokenizers/text/train_text_model.h"

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "base/file_io.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tokenizers/text/text_tokenizer.h"

namespace calico {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

TEST(TrainTextModelTest, RetrainingReproducesTheCommittedModelByteForByte) {
  ASSERT_OK_AND_ASSIGN(std::string committed, ReadFile(kCalicoTextModelPath));
  ASSERT_OK_AND_ASSIGN(std::string trained, TrainCalicoTextModelBytes(kCalicoTextVocabSize));
  EXPECT_EQ(trained.size(), committed.size());
  // Not EXPECT_EQ: a 240 KB diff is unreadable. Regenerate with
  // bazel run //tokenizers/text:train_text_model -- --out=$PWD/tokenizers/text/calico_text.model
  EXPECT_TRUE(trained == committed)
      << kCalicoTextModelPath << " is not what TrainCalicoTextModel makes; regenerate it";
}

TEST(TrainTextModelTest, WritesALoadableModelOfTheAskedSize) {
  const std::string path = TempPath("vocab300.model");
  ASSERT_OK(TrainCalicoTextModel(300, path));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TextTokenizer> tokenizer, TextTokenizer::Load(path));
  EXPECT_EQ(tokenizer->vocab_size(), 300);
  ASSERT_OK_AND_ASSIGN(std::vector<int32_t> ids, tokenizer->Encode("swing up the pendulum"));
  ASSERT_OK_AND_ASSIGN(std::string text, tokenizer->Decode(ids));
  EXPECT_EQ(text, "swing up the pendulum");
}

TEST(TrainTextModelTest, SameVocabSizeGivesTheSameFile) {
  ASSERT_OK(TrainCalicoTextModel(200, TempPath("a.model")));
  ASSERT_OK(TrainCalicoTextModel(200, TempPath("b.model")));
  ASSERT_OK_AND_ASSIGN(std::string a, ReadFile(TempPath("a.model")));
  ASSERT_OK_AND_ASSIGN(std::string b, ReadFile(TempPath("b.model")));
  EXPECT_TRUE(a == b);
  ASSERT_OK_AND_ASSIGN(std::string c, TrainCalicoTextModelBytes(201));
  EXPECT_FALSE(a == c);
}

TEST(TrainTextModelTest, RejectsANonPositiveVocabSize) {
  EXPECT_THAT(TrainCalicoTextModel(0, TempPath("zero.model")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("text vocab_size must be positive, got 0")));
  EXPECT_THAT(TrainCalicoTextModelBytes(-5),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("got -5")));
}

TEST(TrainTextModelTest, VocabSizeOutsideWhatTheCorpusSupportsIsAnError) {
  // 94 printable characters, "▁" and <unk> need at least 96 pieces.
  EXPECT_THAT(TrainCalicoTextModelBytes(50),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("vocab_size 50"), HasSubstr("smaller than required"))));
  // BPE runs out of merges a little above 1000 pieces.
  EXPECT_THAT(TrainCalicoTextModelBytes(5000),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("vocab_size 5000"), HasSubstr("too high"))));
}

TEST(TrainTextModelTest, UnwritableOutputPathIsNamed) {
  const std::string path = TempPath("no/such/dir/calico_text.model");
  EXPECT_THAT(TrainCalicoTextModel(kCalicoTextVocabSize, path),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no/such/dir/calico_text.model")));
  EXPECT_THAT(TrainCalicoTextModel(kCalicoTextVocabSize, ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("output path is empty")));
}

TEST(TrainTextModelTest, PrintableAsciiCharsAreTheNinetyFourVisibleCharacters) {
  const std::string chars = PrintableAsciiChars();
  ASSERT_EQ(chars.size(), 94u);
  EXPECT_EQ(chars.front(), '!');
  EXPECT_EQ(chars.back(), '~');
  EXPECT_EQ(chars.find(' '), std::string::npos);
}

}  // namespace
}  // namespace calico
