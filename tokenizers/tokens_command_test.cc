#include "tokenizers/tokens_command.h"

#include <memory>
#include <string>

#include "base/file_io.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

class TokensCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto text = TextTokenizer::Load("tokenizers/text/calico_text.model");
    ASSERT_OK(text);
    text_ = std::move(*text);
  }

  TokensRequest Example(const std::string& name) {
    absl::StatusOr<std::string> contents = ReadFile("tests/data/" + name);
    EXPECT_OK(contents);
    absl::StatusOr<TokensRequest> request = ParseTokensRequest(contents.value_or(""), name);
    EXPECT_OK(request);
    return request.value_or(TokensRequest());
  }

  std::unique_ptr<TextTokenizer> text_;
};

TEST_F(TokensCommandTest, TableShowsEveryPositionAndTheDecodedActions) {
  ASSERT_OK_AND_ASSIGN(std::string table,
                       RunTokensCommand(Example("cartpole_pixels_episode.textproto"), *text_, {}));
  EXPECT_THAT(table, HasSubstr("3 timesteps, 46 positions, 12 image patches"));
  EXPECT_THAT(table, HasSubstr("separator    2560"));
  EXPECT_THAT(table, HasSubstr("instruction[0] '\xE2\x96\x81swing'"));
  EXPECT_THAT(table, HasSubstr("rows [0, 64) -> 32, cols [64, 128) -> 96"));
  // 0.8 and -0.1 come back within half a bin.
  EXPECT_THAT(table, HasSubstr("force=[0.797398]"));
  EXPECT_THAT(table, HasSubstr("force=[-0.099016]"));
}

TEST_F(TokensCommandTest, JsonListsPositionsPatchesAndActions) {
  TokensCommandOptions options;
  options.format = TokensFormat::kJson;
  ASSERT_OK_AND_ASSIGN(std::string json, RunTokensCommand(Example("arcade_episode.textproto"), *text_, options));
  EXPECT_THAT(json, HasSubstr("\"separator\": 2560"));
  EXPECT_THAT(json, HasSubstr("\"timestep_starts\": [0, 102, 204, 306]"));
  EXPECT_THAT(json, HasSubstr("{\"step\": 3, \"kind\": \"action\", \"id\": 1537, \"patch\": -1, \"local\": -1, "
                              "\"loss\": 1, \"key\": \"action\", \"element\": 0}"));
  EXPECT_THAT(json, HasSubstr("\"decoded_actions\": [\n  {\"action\": [3]},\n  {\"action\": [3]},\n  "
                              "{\"action\": [0]},\n  {\"action\": [1]}\n]"));
}

TEST_F(TokensCommandTest, WindowCutsWholeTimesteps) {
  TokensCommandOptions options;
  options.window = 250;
  options.window_start = 1;
  ASSERT_OK_AND_ASSIGN(std::string table, RunTokensCommand(Example("arcade_episode.textproto"), *text_, options));
  EXPECT_THAT(table, HasSubstr("2 timesteps, 204 positions"));
  options.window = 50;
  EXPECT_THAT(RunTokensCommand(Example("arcade_episode.textproto"), *text_, options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("does not fit a window of 50")));
}

TEST_F(TokensCommandTest, BadRequestsNameStepKeyAndProblem) {
  TokensRequest request = Example("cartpole_pixels_episode.textproto");
  request.mutable_steps(1)->mutable_observation(3)->set_float_values(1, std::numeric_limits<float>::quiet_NaN());
  EXPECT_THAT(RunTokensCommand(request, *text_, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("step 1"), HasSubstr("'position'"), HasSubstr("[1]"), HasSubstr("finite"))));
  request = Example("arcade_episode.textproto");
  request.mutable_steps(2)->mutable_action(0)->set_int_values(0, 6);
  EXPECT_THAT(RunTokensCommand(request, *text_, {}),
              StatusIs(absl::StatusCode::kOutOfRange, AllOf(HasSubstr("step 2"), HasSubstr("action 'action'"))));
  request = Example("arcade_episode.textproto");
  request.clear_steps();
  EXPECT_THAT(RunTokensCommand(request, *text_, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no steps")));
}

TEST_F(TokensCommandTest, SyntaxErrorsNameTheSourceAndPlace) {
  EXPECT_THAT(ParseTokensRequest("steps {\n  observation { nam: 'x' }\n}\n", "bad.textproto"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("bad.textproto"), HasSubstr("line 2"), HasSubstr("nam"))));
}

}  // namespace
}  // namespace calico
