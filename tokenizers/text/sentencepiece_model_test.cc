// Tests of the std-typed SentencePiece wrapper. Like sentencepiece_model.cc this file
// includes no Abseil header.
#include "tokenizers/text/sentencepiece_model.h"

#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// A small deterministic corpus: 6 * 5 * 4 = 120 sentences.
std::vector<std::string> SmallCorpus() {
  std::vector<std::string> sentences;
  for (const char* verb : {"push", "pull", "lift", "drop", "spin", "move"}) {
    for (const char* colour : {"red", "green", "blue", "black", "white"}) {
      for (const char* shape : {"box", "ball", "cone", "ring"}) {
        sentences.push_back(std::string(verb) + " the " + colour + " " + shape);
      }
    }
  }
  return sentences;
}

std::string Train(const std::vector<std::string>& sentences, const std::string& model_type,
                  int vocab_size) {
  SentencePieceTrainOptions options;
  options.model_type = model_type;
  options.vocab_size = vocab_size;
  std::string bytes, error;
  EXPECT_TRUE(TrainSentencePieceModel(sentences, options, &bytes, &error)) << error;
  return bytes;
}

std::string TrainError(const std::vector<std::string>& sentences,
                       const SentencePieceTrainOptions& options) {
  std::string bytes, error;
  EXPECT_FALSE(TrainSentencePieceModel(sentences, options, &bytes, &error));
  return error;
}

TEST(SentencePieceModelTest, TrainedModelHasTheVocabSizeAndRoundTripsItsSentences) {
  for (const std::string model_type : {"bpe", "unigram"}) {
    SCOPED_TRACE(model_type);
    const std::string bytes = Train(SmallCorpus(), model_type, 32);
    SentencePieceModel model;
    std::string error;
    ASSERT_TRUE(model.LoadFromSerialized(bytes, &error)) << error;
    EXPECT_TRUE(model.loaded());
    EXPECT_EQ(model.vocab_size(), 32);
    for (const std::string& sentence : SmallCorpus()) {
      std::vector<int> ids;
      ASSERT_TRUE(model.Encode(sentence, &ids, &error)) << error;
      ASSERT_THAT(ids, Not(IsEmpty()));
      for (int id : ids) {
        EXPECT_GT(id, 0) << "unk in '" << sentence << "'";
        EXPECT_LT(id, 32);
      }
      std::string text;
      ASSERT_TRUE(model.Decode(ids, &text, &error)) << error;
      EXPECT_EQ(text, sentence);
    }
  }
}

TEST(SentencePieceModelTest, UnkIsIdZeroAndThereAreNoBosEosOrPadPieces) {
  SentencePieceModel model;
  std::string error;
  ASSERT_TRUE(model.LoadFromSerialized(Train(SmallCorpus(), "bpe", 32), &error)) << error;
  EXPECT_EQ(model.IdToPiece(0), "<unk>");
  std::set<std::string> pieces;
  for (int id = 0; id < model.vocab_size(); ++id) pieces.insert(model.IdToPiece(id));
  EXPECT_EQ(pieces.size(), 32u);
  EXPECT_EQ(pieces.count("<s>"), 0u);
  EXPECT_EQ(pieces.count("</s>"), 0u);
  EXPECT_EQ(pieces.count("<pad>"), 0u);
  EXPECT_EQ(pieces.count("▁the"), 1u);
  // A character the corpus lacks is unknown.
  std::vector<int> ids;
  ASSERT_TRUE(model.Encode("zzz", &ids, &error)) << error;
  EXPECT_THAT(ids, ::testing::Contains(0));
}

TEST(SentencePieceModelTest, TrainingIsDeterministic) {
  for (const std::string model_type : {"bpe", "unigram"}) {
    SCOPED_TRACE(model_type);
    const std::string first = Train(SmallCorpus(), model_type, 32);
    ASSERT_THAT(first, Not(IsEmpty()));
    EXPECT_EQ(Train(SmallCorpus(), model_type, 32), first);
  }
}

TEST(SentencePieceModelTest, RequiredCharsGetPieces) {
  SentencePieceTrainOptions options;
  options.vocab_size = 32;
  options.model_type = "unigram";
  options.required_chars = "XYZ";
  std::string bytes, error;
  ASSERT_TRUE(TrainSentencePieceModel(SmallCorpus(), options, &bytes, &error)) << error;
  SentencePieceModel model;
  ASSERT_TRUE(model.LoadFromSerialized(bytes, &error)) << error;
  std::vector<int> ids;
  ASSERT_TRUE(model.Encode("XYZ", &ids, &error)) << error;
  EXPECT_THAT(ids, Not(::testing::Contains(0)));
  std::string text;
  ASSERT_TRUE(model.Decode(ids, &text, &error)) << error;
  EXPECT_EQ(text, "XYZ");
}

TEST(SentencePieceModelTest, BpeWithARequiredCharMissingFromTheCorpusIsAnErrorNotAnAbort) {
  SentencePieceTrainOptions options;
  options.vocab_size = 32;
  options.model_type = "bpe";
  options.required_chars = "abQ";
  EXPECT_THAT(TrainError(SmallCorpus(), options), HasSubstr("required character 'Q'"));
}

TEST(SentencePieceModelTest, TrainingRejectsBadInputsWithAMessage) {
  SentencePieceTrainOptions options;
  options.vocab_size = 32;
  EXPECT_THAT(TrainError({}, options), HasSubstr("no training sentences"));
  EXPECT_THAT(TrainError({"a b", "", "c"}, options), HasSubstr("training sentence 1 is empty"));
  EXPECT_THAT(TrainError({std::string(5000, 'a')}, options),
              HasSubstr("training sentence 0 is 5000 bytes"));
  options.vocab_size = 0;
  EXPECT_THAT(TrainError(SmallCorpus(), options), HasSubstr("vocab_size must be positive, got 0"));
  options.vocab_size = 32;
  options.model_type = "word";
  EXPECT_THAT(TrainError(SmallCorpus(), options), HasSubstr("model_type must be"));
  // The small corpus supports far fewer than 5000 pieces.
  options.model_type = "unigram";
  options.vocab_size = 5000;
  EXPECT_THAT(TrainError(SmallCorpus(), options), HasSubstr("Vocabulary size too high"));
}

TEST(SentencePieceModelTest, DecodeRejectsOutOfRangeIds) {
  SentencePieceModel model;
  std::string error;
  ASSERT_TRUE(model.LoadFromSerialized(Train(SmallCorpus(), "bpe", 32), &error)) << error;
  std::string text;
  EXPECT_FALSE(model.Decode({3, 32}, &text, &error));
  EXPECT_EQ(error, "id 32 at index 1 is outside [0, 32)");
  EXPECT_FALSE(model.Decode({-1}, &text, &error));
  EXPECT_EQ(error, "id -1 at index 0 is outside [0, 32)");
  EXPECT_EQ(model.IdToPiece(32), "");
  EXPECT_EQ(model.IdToPiece(-1), "");
}

TEST(SentencePieceModelTest, UnloadedModelIsEmptyAndRefusesToEncode) {
  SentencePieceModel model;
  EXPECT_FALSE(model.loaded());
  EXPECT_EQ(model.vocab_size(), 0);
  EXPECT_EQ(model.IdToPiece(0), "");
  std::vector<int> ids;
  std::string error;
  EXPECT_FALSE(model.Encode("push", &ids, &error));
  EXPECT_THAT(error, HasSubstr("no SentencePiece model is loaded"));
}

TEST(SentencePieceModelTest, RejectsEmptyAndRandomBytes) {
  std::string error;
  SentencePieceModel empty;
  EXPECT_FALSE(empty.LoadFromSerialized("", &error));
  EXPECT_THAT(error, HasSubstr("empty"));
  EXPECT_FALSE(empty.loaded());

  // Deterministic pseudo-random buffers of several sizes (xorshift).
  uint32_t state = 12345;
  for (size_t size : {1, 2, 7, 64, 1000, 100000}) {
    std::string bytes(size, '\0');
    for (char& c : bytes) {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      c = static_cast<char>(state);
    }
    SentencePieceModel model;
    EXPECT_FALSE(model.LoadFromSerialized(bytes, &error)) << size << " random bytes loaded";
    EXPECT_THAT(error, HasSubstr("not a valid SentencePiece model")) << size;
  }
}

TEST(SentencePieceModelTest, NoProperPrefixOfAModelLoads) {
  const std::string bytes = Train(SmallCorpus(), "bpe", 32);
  // Every length over the pieces (where a cut can fall on a field boundary), then a
  // stride through the specs, then the last bytes.
  std::vector<size_t> lengths;
  for (size_t n = 0; n < 4096 && n < bytes.size(); ++n) lengths.push_back(n);
  for (size_t n = 4096; n < bytes.size(); n += 997) lengths.push_back(n);
  for (size_t n = bytes.size() - 16; n < bytes.size(); ++n) lengths.push_back(n);
  for (size_t n : lengths) {
    SentencePieceModel model;
    std::string error;
    ASSERT_FALSE(model.LoadFromSerialized(bytes.substr(0, n), &error))
        << "a " << n << "-byte prefix of a " << bytes.size() << "-byte model loaded";
    EXPECT_FALSE(model.loaded());
  }
}

// Offset of the normalization trie (after its 4-byte size) inside a serialized model:
// the normalizer spec holds name "nmt_nfkc" (field 1) then precompiled_charsmap (field 2).
size_t TrieOffset(const std::string& model) {
  const size_t name = model.find("nmt_nfkc");
  if (name == std::string::npos || model[name + 8] != '\x12') return std::string::npos;
  size_t pos = name + 9;
  while (static_cast<uint8_t>(model[pos]) & 0x80) ++pos;  // the blob's length varint
  return pos + 1 + 4;
}

TEST(SentencePieceModelTest, CorruptNormalizationTrieIsRejected) {
  std::string bytes = Train(SmallCorpus(), "bpe", 32);
  const size_t trie = TrieOffset(bytes);
  ASSERT_NE(trie, std::string::npos);
  ASSERT_LT(trie + 4, bytes.size());
  // A root unit whose offset sends every lookup far outside the array.
  bytes.replace(trie, 4, "\x00\xfc\xff\xff", 4);
  SentencePieceModel model;
  std::string error;
  EXPECT_FALSE(model.LoadFromSerialized(bytes, &error));
  EXPECT_THAT(error, HasSubstr("normalization trie points outside itself"));
}

uint32_t UnitAt(const std::string& bytes, size_t offset) {
  uint32_t unit;
  std::memcpy(&unit, bytes.data() + offset, sizeof(unit));
  return unit;
}

// SentencePiece trusts the normalization trie. These corruptions keep each unit's label
// but scramble where it points, on exactly the units Encode reads for the first byte of
// its input; before calico checked the trie they loaded and then crashed Encode.
TEST(SentencePieceModelTest, CorruptedTrieNeverCrashesLoadEncodeOrDecode) {
  const std::string good = Train(SmallCorpus(), "bpe", 32);
  const size_t trie = TrieOffset(good);
  ASSERT_NE(trie, std::string::npos);
  // Darts-clone: a unit's offset is (unit >> 10) << ((unit & 512) >> 6); its label is
  // unit & 0x800000ff. The root's children for byte c sit at (root offset) ^ c.
  const uint32_t root = UnitAt(good, trie);
  const size_t base = (root >> 10) << ((root & 512) >> 6);
  std::vector<size_t> children;  // byte offsets of the root's real children
  for (size_t c = 0; c < 256; ++c) {
    const size_t at = trie + 4 * (base ^ c);
    ASSERT_LT(at + 4, good.size());
    if ((UnitAt(good, at) & 0x800000ffu) == c) children.push_back(at);
  }
  ASSERT_GT(children.size(), 50u);  // every printable ASCII character has a rule or a path

  std::string all_ascii;
  for (char c = ' '; c <= '~'; ++c) all_ascii.push_back(c);
  uint64_t state = 7;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  int loaded = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::string bytes = good;
    for (int n = 1 + next() % 3; n > 0; --n) {
      const size_t at = children[next() % children.size()];
      const uint32_t unit = (UnitAt(bytes, at) & 0x800001ffu) | (next() & 0x7ffffe00u);
      std::memcpy(&bytes[at], &unit, sizeof(unit));
    }
    SentencePieceModel model;
    std::string error;
    if (!model.LoadFromSerialized(bytes, &error)) {
      EXPECT_THAT(error, HasSubstr("normalization trie"));
      continue;
    }
    ++loaded;
    std::vector<int> ids;
    std::string decoded;
    if (model.Encode(all_ascii, &ids, &error)) model.Decode(ids, &decoded, &error);
  }
  EXPECT_LT(loaded, 300);
}

TEST(SentencePieceModelTest, LoadsOnlyOnce) {
  const std::string bytes = Train(SmallCorpus(), "bpe", 32);
  SentencePieceModel model;
  std::string error;
  ASSERT_TRUE(model.LoadFromSerialized(bytes, &error)) << error;
  EXPECT_FALSE(model.LoadFromSerialized(bytes, &error));
  EXPECT_THAT(error, HasSubstr("already loaded"));
  EXPECT_EQ(model.vocab_size(), 32);
}

}  // namespace
}  // namespace calico
