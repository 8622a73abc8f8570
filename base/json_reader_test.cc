#include "base/json_reader.h"

#include <string>

#include "base/json.h"
#include "base/random.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

TEST(JsonReaderTest, ParsesAMetricsLine) {
  ASSERT_OK_AND_ASSIGN(
      JsonValue v, ParseJson(R"({"step": 19, "loss": 5.49893469, "text_loss": null, "ok": true, "no": false,)"
                             R"( "task_loss": {"arcade/breakout": 7.17, "x": -1.5e-3}, "list": [1, [2], {}], "e": []})"));
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.Find("step")->number, 19);
  EXPECT_DOUBLE_EQ(v.Find("loss")->number, 5.49893469);
  EXPECT_EQ(v.Find("text_loss")->kind, JsonValue::Kind::kNull);
  EXPECT_TRUE(v.Find("ok")->boolean);
  EXPECT_FALSE(v.Find("no")->boolean);
  EXPECT_EQ(v.Find("no")->kind, JsonValue::Kind::kBool);
  EXPECT_DOUBLE_EQ(v.Find("task_loss")->Find("arcade/breakout")->number, 7.17);
  EXPECT_DOUBLE_EQ(v.Find("task_loss")->Find("x")->number, -1.5e-3);
  ASSERT_EQ(v.Find("list")->array.size(), 3u);
  EXPECT_EQ(v.Find("list")->array[1].array[0].number, 2);
  EXPECT_TRUE(v.Find("list")->array[2].is_object());
  EXPECT_TRUE(v.Find("e")->array.empty());
  EXPECT_EQ(v.Find("missing"), nullptr);
  EXPECT_EQ(v.Find("step")->Find("x"), nullptr);
}

TEST(JsonReaderTest, StringsRoundTripThroughJsonQuote) {
  Rng rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    std::string s;
    const int n = static_cast<int>(rng.UniformInt(0, 20));
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(rng.UniformInt(1, 128)));  // ASCII incl. controls
    ASSERT_OK_AND_ASSIGN(JsonValue v, ParseJson(JsonQuote(s)));
    EXPECT_EQ(v.string, s);
  }
  ASSERT_OK_AND_ASSIGN(JsonValue v, ParseJson(R"("a\u00e9\u20ac\ud83d\ude00\n\/")"));
  EXPECT_EQ(v.string, "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\n/");
}

TEST(JsonReaderTest, BadInputIsAnErrorWithTheOffset) {
  const char* bad[] = {"",          "{",         "{\"a\" 1}",   "[1,]",       "01",       "1.",
                       "-",         "\"abc",     "\"\\x\"",     "\"\\ud800\"", "\"\\udc00\"", "{} {}",
                       "nul",       "[1 2]",     "{1: 2}",      "\"a\nb\"",   "1e",       "\"\\u12\""};
  for (const char* text : bad) {
    EXPECT_THAT(ParseJson(text), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at byte"))) << text;
  }
  std::string deep(100, '[');
  EXPECT_THAT(ParseJson(deep), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("deeper than 64")));
  // Random bytes never crash the parser.
  Rng rng(9);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string s;
    const int n = static_cast<int>(rng.UniformInt(0, 30));
    for (int i = 0; i < n; ++i) s.push_back("{}[]\",:0123456789.eE+-tfnul\\ a"[rng.UniformInt(0, 30)]);
    (void)ParseJson(s);
  }
}

}  // namespace
}  // namespace calico
