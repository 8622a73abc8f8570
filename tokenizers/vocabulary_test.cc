#include "tokenizers/vocabulary.h"

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tokenizers/mu_law.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

TEST(VocabularyTest, LayoutFollowsTheDesignTable) {
  ASSERT_OK_AND_ASSIGN(Vocabulary vocab, Vocabulary::Create(512));
  EXPECT_EQ(vocab.text_range(), (IdRange{0, 512}));
  EXPECT_EQ(vocab.continuous_range(), (IdRange{512, 1536}));
  EXPECT_EQ(vocab.discrete_range(), (IdRange{1536, 2560}));
  EXPECT_EQ(vocab.separator_id(), 2560);
  EXPECT_EQ(vocab.bos_id(), 2561);
  EXPECT_EQ(vocab.eos_id(), 2562);
  EXPECT_EQ(vocab.pad_id(), 2563);
  EXPECT_EQ(vocab.size(), 2624);  // 2564 rounded up to a multiple of 64
  EXPECT_EQ(vocab.ContinuousId(3), 515);
  EXPECT_EQ(vocab.DiscreteId(3), 1539);
}

TEST(VocabularyTest, SizeIsAlwaysAMultipleOf64CoveringEveryId) {
  for (int v : {1, 2, 60, 61, 64, 1000, 32000}) {
    ASSERT_OK_AND_ASSIGN(Vocabulary vocab, Vocabulary::Create(v));
    EXPECT_EQ(vocab.size() % 64, 0);
    EXPECT_GT(vocab.size(), vocab.pad_id());
    EXPECT_LE(vocab.size(), vocab.pad_id() + 64);
  }
}

TEST(VocabularyTest, KindOfEveryRange) {
  ASSERT_OK_AND_ASSIGN(Vocabulary vocab, Vocabulary::Create(100));
  const struct {
    int32_t id;
    TokenKind kind;
  } cases[] = {{0, TokenKind::kText},         {99, TokenKind::kText},        {100, TokenKind::kContinuous},
               {1123, TokenKind::kContinuous}, {1124, TokenKind::kDiscrete},  {2147, TokenKind::kDiscrete},
               {2148, TokenKind::kSeparator},  {2149, TokenKind::kBos},       {2150, TokenKind::kEos},
               {2151, TokenKind::kPad},        {2152, TokenKind::kUnused},    {vocab.size() - 1, TokenKind::kUnused}};
  for (const auto& c : cases) {
    ASSERT_OK_AND_ASSIGN(TokenKind kind, vocab.KindOf(c.id));
    EXPECT_EQ(kind, c.kind) << "id " << c.id << " is " << TokenKindName(kind);
  }
  EXPECT_THAT(vocab.KindOf(-1), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("token id -1")));
  EXPECT_THAT(vocab.KindOf(vocab.size()),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("outside the vocabulary [0, 2176)")));
}

TEST(VocabularyTest, NonPositiveTextSizeIsAnError) {
  EXPECT_THAT(Vocabulary::Create(0), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("positive")));
  EXPECT_THAT(Vocabulary::Create(2147483000), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("overflow")));
}

TEST(ValidActionIdsTest, ContinuousBoundsSelectTheBinsThatHoldReachableValues) {
  ASSERT_OK_AND_ASSIGN(Vocabulary vocab, Vocabulary::Create(100));
  ArraySpec spec{"torque", {2}, DType::kFloat32, {-1, 0}, {1, 0.5}};
  ASSERT_OK_AND_ASSIGN(IdRange first, vocab.ValidActionIds(spec, 0));
  EXPECT_EQ(first.begin, 100 + ContinuousBin(-1.0));
  EXPECT_EQ(first.end, 100 + ContinuousBin(1.0) + 1);
  // mu-law(1) = log(101) / log(25601) = 0.454676..., so bins 279..744 hold [-1, 1].
  EXPECT_EQ(first, (IdRange{100 + 279, 100 + 745}));
  ASSERT_OK_AND_ASSIGN(IdRange second, vocab.ValidActionIds(spec, 1));
  EXPECT_EQ(second.begin, 100 + 512);
  ArraySpec unbounded{"force", {1}, DType::kFloat32, {}, {}};
  EXPECT_EQ(*vocab.ValidActionIds(unbounded, 0), vocab.continuous_range());
}

TEST(ValidActionIdsTest, DiscreteBoundsSelectTheirValues) {
  ASSERT_OK_AND_ASSIGN(Vocabulary vocab, Vocabulary::Create(100));
  ArraySpec spec{"button", {}, DType::kInt32, {0}, {5}};
  EXPECT_EQ(*vocab.ValidActionIds(spec, 0), (IdRange{1124, 1130}));
  ArraySpec unbounded{"button", {}, DType::kInt32, {}, {}};
  EXPECT_EQ(*vocab.ValidActionIds(unbounded, 0), vocab.discrete_range());
  ArraySpec too_large{"button", {}, DType::kInt32, {0}, {2000}};
  EXPECT_THAT(vocab.ValidActionIds(too_large, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("within [0, 1023]")));
  EXPECT_THAT(vocab.ValidActionIds(spec, 1), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("element 1")));
  ArraySpec image{"pixels", {16, 16, 3}, DType::kUint8, {}, {}};
  EXPECT_THAT(vocab.ValidActionIds(image, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("float32 (continuous) or int32")));
}

}  // namespace
}  // namespace calico
