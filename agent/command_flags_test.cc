#include "agent/command_flags.h"

#include <set>
#include <string>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

bool Known(const std::string& name) {
  static const std::set<std::string> flags = {"seed", "first_seed", "append", "episodes", "task", "out"};
  return flags.count(name) > 0;
}

TEST(CommandFlagsTest, GivenFlagNamesReadsEveryFormAbslAccepts) {
  EXPECT_EQ(GivenFlagNames({"collect", "--seed=5", "-episodes=3", "--noappend", "--task", "a", "--out="}, Known),
            (std::set<std::string>{"seed", "episodes", "append", "task", "out"}));
  // Values and everything after "--" are not flags; "-" alone is not one either.
  EXPECT_EQ(GivenFlagNames({"--task", "-", "--", "--seed=1"}, Known), (std::set<std::string>{"task"}));
  // An unknown "--noX" stays as given (absl reports it as unknown itself).
  EXPECT_EQ(GivenFlagNames({"--nothing"}, Known), (std::set<std::string>{"nothing"}));
}

TEST(CommandFlagsTest, AFlagTheCommandIgnoresIsAnErrorNamingWhoTakesIt) {
  EXPECT_OK(CheckCommandFlags("collect", {"seed", "episodes", "task", "out", "noise"}));
  EXPECT_THAT(CheckCommandFlags("collect", {"first_seed", "task"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--first_seed is not used by collect (scenes takes it); collect takes --append")));
  EXPECT_THAT(CheckCommandFlags("rollout", {"noise"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--noise is not used by rollout (collect takes it)")));
  EXPECT_THAT(CheckCommandFlags("inspect", {"task"}), StatusIs(absl::StatusCode::kInvalidArgument,
                                                               HasSubstr("inspect takes no flags")));
  // absl's own flags work everywhere; an unknown command is the caller's to report.
  EXPECT_OK(CheckCommandFlags("train", {"help", "flagfile", "config"}));
  EXPECT_OK(CheckCommandFlags("no-such-command", {"anything"}));
}

TEST(CommandFlagsTest, CaptionTakesNoQuestionAndAskDoes) {
  EXPECT_THAT(CheckCommandFlags("caption", {"question"}), StatusIs(absl::StatusCode::kInvalidArgument,
                                                                   HasSubstr("(ask takes it)")));
  EXPECT_OK(CheckCommandFlags("ask", {"question", "image", "checkpoint"}));
  EXPECT_THAT(CommandFlags("ask"), ::testing::Contains("question"));
  EXPECT_TRUE(CommandFlags("no-such-command").empty());
}

}  // namespace
}  // namespace calico
