#include "base/text_proto.h"

#include "base/json.h"
#include "base/status_matchers.h"
#include "envs/array.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(TextProtoTest, ParsesAndLocatesTheFirstError) {
  ArraySpecProto spec;
  ASSERT_OK(ParseTextProto("name: 'x' shape: [2, 3] dtype: FLOAT32", &spec));
  EXPECT_EQ(spec.shape(1), 3);
  EXPECT_THAT(ParseTextProto("name: 'x'\n  shap: 2\n", &spec),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("line 2, column 7"), HasSubstr("\"shap\""))));
  EXPECT_THAT(ParseTextProto("dtype: NOT_A_TYPE", &spec), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 1")));
}

TEST(JsonTest, QuotesAndEscapes) {
  EXPECT_EQ(JsonQuote("plain"), "\"plain\"");
  EXPECT_EQ(JsonQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonQuote(std::string("x\n\x01", 3)), "\"x\\u000a\\u0001\"");
  EXPECT_EQ(JsonQuote("\xE2\x96\x81up"), "\"\xE2\x96\x81up\"");  // UTF-8 passes through
}

}  // namespace
}  // namespace calico
