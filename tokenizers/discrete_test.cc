#include "tokenizers/discrete.h"

#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(DiscreteTest, ShiftsIntoTheDiscreteRangeAndRoundTrips) {
  const Vocabulary vocab = *Vocabulary::Create(32);
  const std::vector<int32_t> values = {0, 1, 5, 1023, 512};
  std::vector<int32_t> ids;
  ASSERT_OK(TokenizeDiscrete(vocab, values, "buttons", &ids));
  // Discrete ids start at V + 1024 = 1056.
  EXPECT_EQ(ids, (std::vector<int32_t>{1056, 1057, 1061, 2079, 1568}));
  std::vector<int32_t> back(values.size());
  ASSERT_OK(DetokenizeDiscrete(vocab, ids, "buttons", absl::MakeSpan(back)));
  EXPECT_EQ(back, values);
}

TEST(DiscreteTest, ValuesOutsideZeroTo1023AreErrors) {
  const Vocabulary vocab = *Vocabulary::Create(32);
  std::vector<int32_t> ids = {3};
  EXPECT_THAT(TokenizeDiscrete(vocab, {4, 1024}, "grid", &ids),
              StatusIs(absl::StatusCode::kOutOfRange,
                       AllOf(HasSubstr("'grid'"), HasSubstr("element 1 is 1024"), HasSubstr("[0, 1024)"))));
  EXPECT_THAT(TokenizeDiscrete(vocab, {-1}, "grid", &ids),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("element 0 is -1")));
  EXPECT_EQ(ids, (std::vector<int32_t>{3}));
}

TEST(DiscreteTest, DetokenizeRejectsNonDiscreteIds) {
  const Vocabulary vocab = *Vocabulary::Create(32);
  std::vector<int32_t> out(1);
  EXPECT_THAT(DetokenizeDiscrete(vocab, {vocab.separator_id()}, "a", absl::MakeSpan(out)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("[1056, 2080)")));
}

}  // namespace
}  // namespace calico
