#include "base/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace calico {
namespace {

TEST(Utf8Test, ValidTextHasNoInvalidByte) {
  for (const std::string s : {std::string(""), std::string("a red box"), std::string("caf\xC3\xA9"),
                              std::string("\xE2\x82\xAC 5"), std::string("\xF0\x9F\x98\x80")}) {
    EXPECT_EQ(FirstInvalidUtf8(s), s.size()) << s;
  }
}

TEST(Utf8Test, NamesTheFirstInvalidByte) {
  EXPECT_EQ(FirstInvalidUtf8("ab\xFF" "cd"), 2u);             // never valid
  EXPECT_EQ(FirstInvalidUtf8("x\xC3"), 1u);                    // cut short
  EXPECT_EQ(FirstInvalidUtf8("\xC0\xAF"), 0u);                 // overlong '/'
  EXPECT_EQ(FirstInvalidUtf8("ok \xED\xA0\x80"), 3u);          // a surrogate
  EXPECT_EQ(FirstInvalidUtf8("\xF4\x90\x80\x80"), 0u);         // past U+10FFFF
  EXPECT_EQ(FirstInvalidUtf8("\xE2\x82" "A"), 0u);             // a continuation missing
  EXPECT_EQ(Utf8SequenceLength("\xE2\x82\xAC", 0), 3u);
  EXPECT_EQ(Utf8SequenceLength("\x80", 0), 0u);                // a lone continuation byte
}

}  // namespace
}  // namespace calico
