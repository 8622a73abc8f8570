#include "tokenizers/text/text_tokenizer.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "base/file_io.h"
#include "base/fnv1a.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "envs/scenes/scene_language.h"
#include "tokenizers/text/text_corpus.h"
#include "tokenizers/text/train_text_model.h"

namespace calico {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::MatchesRegex;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

// The committed model, loaded once; nullptr (after reporting why) if it does not load.
const TextTokenizer* Committed() {
  static const TextTokenizer* tokenizer = [] {
    absl::StatusOr<std::unique_ptr<TextTokenizer>> loaded =
        TextTokenizer::Load(kCalicoTextModelPath);
    EXPECT_OK(loaded);
    return loaded.ok() ? loaded->release() : nullptr;
  }();
  return tokenizer;
}

TEST(TextTokenizerTest, CommittedModelHasTheExportedVocabSize) {
  EXPECT_EQ(kCalicoTextVocabSize, 512);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TextTokenizer> tokenizer,
                       TextTokenizer::Load(kCalicoTextModelPath));
  EXPECT_EQ(tokenizer->vocab_size(), kCalicoTextVocabSize);
}

TEST(TextTokenizerTest, FingerprintIsTheFnv1aOfTheModelFile) {
  ASSERT_OK_AND_ASSIGN(std::string bytes, ReadFile(kCalicoTextModelPath));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TextTokenizer> loaded, TextTokenizer::Load(kCalicoTextModelPath));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TextTokenizer> from_bytes, TextTokenizer::FromSerialized(bytes));
  EXPECT_EQ(loaded->fingerprint(), absl::StrFormat("%016x", Fnv1a64(bytes)));
  EXPECT_EQ(from_bytes->fingerprint(), loaded->fingerprint());
  EXPECT_THAT(loaded->fingerprint(), MatchesRegex("[0-9a-f]{16}"));
  // Another model of the same size has another fingerprint.
  ASSERT_OK_AND_ASSIGN(std::string other, TrainCalicoTextModelBytes(511));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TextTokenizer> other_model, TextTokenizer::FromSerialized(other));
  EXPECT_NE(other_model->fingerprint(), loaded->fingerprint());
}

TEST(TextTokenizerTest, EveryCorpusSentenceRoundTripsWithInRangeKnownIds) {
  ASSERT_NE(Committed(), nullptr);
  const TextTokenizer& tokenizer = *Committed();
  size_t total_ids = 0, total_words = 0;
  for (const std::string& sentence : CalicoTextCorpus()) {
    total_words += std::count(sentence.begin(), sentence.end(), ' ') + 1;
    ASSERT_OK_AND_ASSIGN(std::vector<int32_t> ids, tokenizer.Encode(sentence));
    ASSERT_THAT(ids, Not(IsEmpty())) << sentence;
    for (int32_t id : ids) {
      ASSERT_GT(id, 0) << "<unk> in '" << sentence << "'";  // 0 is <unk>
      ASSERT_LT(id, tokenizer.vocab_size()) << sentence;
    }
    ASSERT_OK_AND_ASSIGN(std::string text, tokenizer.Decode(ids));
    EXPECT_EQ(text, sentence);
    total_ids += ids.size();
  }
  // Corpus words are whole pieces: about one id per word, plus punctuation ("?", ":")
  // and the characters of task names (30056 ids for 23314 words).
  EXPECT_LT(total_ids, 1.35 * total_words) << total_ids << " ids for " << total_words << " words";
}

TEST(TextTokenizerTest, CalicoWordsAreSinglePieces) {
  ASSERT_NE(Committed(), nullptr);
  const TextTokenizer& tokenizer = *Committed();
  ASSERT_OK_AND_ASSIGN(std::vector<int32_t> ids,
                       tokenizer.Encode("what colour is the capsule?"));
  std::vector<std::string> pieces;
  for (int32_t id : ids) pieces.push_back(tokenizer.Piece(id));
  EXPECT_THAT(pieces, ElementsAre("▁what", "▁colour", "▁is", "▁the", "▁capsule", "?"));

  ASSERT_OK_AND_ASSIGN(ids, tokenizer.Encode("caption: a small red box left of a large cyan sphere"));
  pieces.clear();
  for (int32_t id : ids) pieces.push_back(tokenizer.Piece(id));
  EXPECT_THAT(pieces, ElementsAre("▁caption", ":", "▁a", "▁small", "▁red", "▁box", "▁left", "▁of", "▁a", "▁large",
                                  "▁cyan", "▁sphere"));

  ASSERT_OK_AND_ASSIGN(ids, tokenizer.Encode("mujoco/cartpole_balance"));
  pieces.clear();
  for (int32_t id : ids) pieces.push_back(tokenizer.Piece(id));
  EXPECT_THAT(pieces, ElementsAre("▁mujoco", "/", "cartpole", "_", "balance"));
}

// Every caption, question and answer of the scene language (training and held-out
// seeds) encodes without <unk>, decodes back, and a step's prompt encodes to a prefix of
// the whole step text (so inference can feed the prompt and decode the answer).
TEST(TextTokenizerTest, SceneLanguageEncodesWithoutUnkAndPromptsArePrefixes) {
  ASSERT_NE(Committed(), nullptr);
  const TextTokenizer& tokenizer = *Committed();
  int64_t texts = 0;
  auto check = [&](const std::string& text) {
    ASSERT_OK_AND_ASSIGN(std::vector<int32_t> ids, tokenizer.Encode(text));
    ASSERT_THAT(ids, Not(Contains(0))) << text;
    ASSERT_OK_AND_ASSIGN(std::string back, tokenizer.Decode(ids));
    ASSERT_EQ(back, text);
    ASSERT_OK_AND_ASSIGN(std::vector<PromptAndAnswer> parts, StepTextPrompts(text));
    for (const PromptAndAnswer& part : parts) {
      ASSERT_OK_AND_ASSIGN(std::vector<int32_t> prompt, tokenizer.Encode(part.prompt));
      ASSERT_LT(prompt.size(), ids.size()) << text;
      ASSERT_TRUE(std::equal(prompt.begin(), prompt.end(), ids.begin())) << part.prompt << " in " << text;
    }
    ++texts;
  };
  for (uint64_t seed : {uint64_t{0}, uint64_t{1000000}}) {
    for (uint64_t s = seed; s < seed + 400; ++s) {
      const Scene scene = SampleScene(s);
      check(CaptionStepText(scene));
      check(VqaStepText(scene));
      // Every question the rules allow, after the caption (as a VQA step asks it) and direct.
      for (const QuestionAnswer& qa : AllQuestions(scene)) {
        check(VqaStepText(Caption(scene), {qa}));
        check(DirectVqaStepText(qa));
      }
      // Colour answers after their working, in every form (WorkingOptions::colour).
      for (WorkingOptions::Colour form :
           {WorkingOptions::Colour::kCaptionPrefix, WorkingOptions::Colour::kShapeColourPairs,
            WorkingOptions::Colour::kShapeColourLookup}) {
        WorkingOptions colour;
        colour.colour = form;
        check(VqaStepText(scene, colour));
        for (const QuestionAnswer& qa : AllQuestions(scene, colour)) {
          if (qa.type == QuestionType::kColour) check(VqaStepText(Caption(scene), {qa}));
        }
      }
      // Count and existence answers after their working (WorkingOptions::count_existence).
      WorkingOptions lookup;
      lookup.count_existence = WorkingOptions::CountExistence::kShapeLookup;
      check(VqaStepText(scene, lookup));
      for (const QuestionAnswer& qa : AllQuestions(scene, lookup)) {
        if (qa.type == QuestionType::kCount || qa.type == QuestionType::kExistence) {
          check(VqaStepText(Caption(scene), {qa}));
        }
      }
    }
  }
  EXPECT_GT(texts, 40000);
}

TEST(TextTokenizerTest, EmptyTextIsNoIdsAndNoIdsIsEmptyText) {
  ASSERT_NE(Committed(), nullptr);
  const TextTokenizer& tokenizer = *Committed();
  EXPECT_THAT(tokenizer.Encode(""), ::calico::IsOk());
  ASSERT_OK_AND_ASSIGN(std::vector<int32_t> ids, tokenizer.Encode(""));
  EXPECT_THAT(ids, IsEmpty());
  ASSERT_OK_AND_ASSIGN(std::string text, tokenizer.Decode({}));
  EXPECT_EQ(text, "");
}

TEST(TextTokenizerTest, AnyPrintableAsciiRoundTripsWithoutUnk) {
  ASSERT_NE(Committed(), nullptr);
  const TextTokenizer& tokenizer = *Committed();
  std::string all;
  for (char c = '!'; c <= '~'; ++c) all.push_back(c);
  for (const std::string& text :
       {all, std::string("Balance the Pole, please! 42 spheres ~{x}"),
        std::string("Q: How many CUBES? A: 7 (seven).")}) {
    ASSERT_OK_AND_ASSIGN(std::vector<int32_t> ids, tokenizer.Encode(text));
    EXPECT_THAT(ids, Not(Contains(0))) << text;
    ASSERT_OK_AND_ASSIGN(std::string decoded, tokenizer.Decode(ids));
    EXPECT_EQ(decoded, text);
  }
}

TEST(TextTokenizerTest, NormalisesWhitespaceAndMapsUnknownCharactersToUnk) {
  ASSERT_NE(Committed(), nullptr);
  const TextTokenizer& tokenizer = *Committed();
  ASSERT_OK_AND_ASSIGN(std::vector<int32_t> ids, tokenizer.Encode("  balance   the pole "));
  ASSERT_OK_AND_ASSIGN(std::string text, tokenizer.Decode(ids));
  EXPECT_EQ(text, "balance the pole");

  ASSERT_OK_AND_ASSIGN(ids, tokenizer.Encode("caf\xc3\xa9"));  // "café": no piece for é
  EXPECT_THAT(ids, Contains(0));
  EXPECT_EQ(tokenizer.Piece(0), "<unk>");
}

TEST(TextTokenizerTest, DecodeNamesTheIndexIdAndRangeOfAnOutOfRangeId) {
  ASSERT_NE(Committed(), nullptr);
  const TextTokenizer& tokenizer = *Committed();
  const std::vector<int32_t> too_big = {5, 7, 512};
  EXPECT_THAT(tokenizer.Decode(too_big),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("id 512 at index 2"), HasSubstr("[0, 512)"))));
  const std::vector<int32_t> negative = {-3};
  EXPECT_THAT(tokenizer.Decode(negative),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("id -3 at index 0"), HasSubstr("[0, 512)"))));
}

TEST(TextTokenizerTest, PieceOutsideTheRangeIsEmpty) {
  ASSERT_NE(Committed(), nullptr);
  const TextTokenizer& tokenizer = *Committed();
  EXPECT_EQ(tokenizer.Piece(-1), "");
  EXPECT_EQ(tokenizer.Piece(512), "");
  EXPECT_NE(tokenizer.Piece(511), "");
}

TEST(TextTokenizerTest, OnlyTheUnknownPieceIsSpecialInCalicosModel) {
  ASSERT_NE(Committed(), nullptr);
  const TextTokenizer& tokenizer = *Committed();
  std::vector<int32_t> special;
  for (int32_t id = 0; id < tokenizer.vocab_size(); ++id) {
    if (tokenizer.IsSpecial(id)) special.push_back(id);
  }
  EXPECT_THAT(special, ElementsAre(0));
  EXPECT_EQ(tokenizer.Piece(0), "<unk>");
  EXPECT_TRUE(tokenizer.IsSpecial(-1));
  EXPECT_TRUE(tokenizer.IsSpecial(tokenizer.vocab_size()));
}

TEST(TextTokenizerTest, MissingFileIsNotFoundNamingThePath) {
  EXPECT_THAT(TextTokenizer::Load(TempPath("no_such.model")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no_such.model")));
}

// Writes `bytes` to a temporary file and loads it; the error must name the file.
void ExpectLoadFails(const std::string& name, const std::string& bytes,
                     const std::string& message) {
  const std::string path = TempPath(name);
  ASSERT_OK(WriteFileAtomically(path, bytes));
  EXPECT_THAT(TextTokenizer::Load(path),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(path), HasSubstr(message))));
  EXPECT_THAT(TextTokenizer::FromSerialized(bytes),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(message)));
}

TEST(TextTokenizerTest, EmptyFileIsRejected) {
  ExpectLoadFails("empty.model", "", "it is empty (0 bytes)");
}

TEST(TextTokenizerTest, TextAndRandomFilesAreRejected) {
  ExpectLoadFails("text.model", "hello world\n", "not a valid SentencePiece model");
  std::string random(4096, '\0');
  uint64_t state = 88172645463325252ULL;
  for (char& c : random) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    c = static_cast<char>(state >> 24);
  }
  ExpectLoadFails("random.model", random, "not a valid SentencePiece model");
}

TEST(TextTokenizerTest, TruncatedCopiesOfTheCommittedModelAreRejected) {
  ASSERT_OK_AND_ASSIGN(std::string bytes, ReadFile(kCalicoTextModelPath));
  ASSERT_GT(bytes.size(), 1000u);
  // Half way, just short of the end, and a cut on a piece boundary that raw SentencePiece
  // would load as a 2-piece model.
  ExpectLoadFails("half.model", bytes.substr(0, bytes.size() / 2), "truncated");
  ExpectLoadFails("minus_one.model", bytes.substr(0, bytes.size() - 1), "truncated");
  ExpectLoadFails("two_pieces.model", bytes.substr(0, 27), "truncated");
}

TEST(TextTokenizerTest, CorruptedModelIsRejectedBySentencePiece) {
  ASSERT_OK_AND_ASSIGN(std::string bytes, ReadFile(kCalicoTextModelPath));
  // The first piece is <unk>: 0a 0e | 0a 05 "<unk>" | 15 <float score> | 18 02 (type
  // UNKNOWN). Making its type NORMAL (1) leaves a well-formed proto without an unknown
  // piece, which SentencePiece refuses.
  ASSERT_EQ(bytes.substr(0, 16), std::string("\x0a\x0e\x0a\x05<unk>\x15\0\0\0\0\x18\x02", 16));
  bytes[15] = '\x01';
  ExpectLoadFails("corrupt.model", bytes, "SentencePiece rejected the model");
}

TEST(TextTokenizerTest, ConcurrentEncodingMatchesSerialEncoding) {
  ASSERT_NE(Committed(), nullptr);
  const TextTokenizer& tokenizer = *Committed();
  const std::vector<std::string> corpus = CalicoTextCorpus();
  std::vector<std::vector<int32_t>> expected;
  for (const std::string& sentence : corpus) {
    ASSERT_OK_AND_ASSIGN(std::vector<int32_t> ids, tokenizer.Encode(sentence));
    expected.push_back(ids);
  }
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t; i < corpus.size(); i += 2) {
        absl::StatusOr<std::vector<int32_t>> ids = tokenizer.Encode(corpus[i]);
        if (!ids.ok() || *ids != expected[i]) ++mismatches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(mismatches, ElementsAre(0, 0, 0, 0));
}

}  // namespace
}  // namespace calico
