#include "base/json.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";

TEST(JsonTest, QuotesEscapesAndControlCharacters) {
  EXPECT_EQ(JsonQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonQuote(std::string("x\ny\0z", 5)), "\"x\\u000ay\\u0000z\"");
}

TEST(JsonTest, WellFormedUtf8PassesThrough) {
  // One, two, three and four bytes: A, e-acute, the euro sign, U+1F600, and the largest
  // code point U+10FFFF.
  const std::string text = "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF";
  EXPECT_EQ(ValidUtf8(text), text);
  EXPECT_EQ(JsonQuote(text), "\"" + text + "\"");
}

TEST(JsonTest, IllFormedBytesBecomeReplacementCharacters) {
  const std::string r = kReplacement;
  EXPECT_EQ(ValidUtf8("a\xFF" "b"), "a" + r + "b");                   // never valid
  EXPECT_EQ(ValidUtf8("\xC3"), r);                                    // cut short at the end
  EXPECT_EQ(ValidUtf8("\xC3" "A"), r + "A");                          // cut short by ASCII
  EXPECT_EQ(ValidUtf8("\xC0\xAF"), r + r);                            // overlong '/'
  EXPECT_EQ(ValidUtf8("\xE0\x80\xAF"), r + r + r);                    // overlong, three bytes
  EXPECT_EQ(ValidUtf8("\xED\xA0\x80"), r + r + r);                    // a surrogate, U+D800
  EXPECT_EQ(ValidUtf8("\xF4\x90\x80\x80"), r + r + r + r);            // past U+10FFFF
  EXPECT_EQ(ValidUtf8("\x80\xBF"), r + r);                            // lone continuation bytes
  EXPECT_EQ(JsonQuote("task\xFE"), "\"task" + r + "\"");
}

}  // namespace
}  // namespace calico
