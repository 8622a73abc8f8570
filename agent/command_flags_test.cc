#include "agent/command_flags.h"

#include <regex>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/file_io.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

FlagKind Known(const std::string& name) {
  static const std::set<std::string> values = {"seed", "first_seed", "episodes", "task", "out", "question"};
  if (name == "append") return FlagKind::kBool;
  return values.count(name) > 0 ? FlagKind::kValue : FlagKind::kUnknown;
}

TEST(CommandFlagsTest, GivenFlagNamesReadsEveryFormAbslAccepts) {
  EXPECT_EQ(GivenFlagNames({"collect", "--seed=5", "-episodes=3", "--noappend", "--task", "a", "--out="}, Known),
            (std::set<std::string>{"seed", "episodes", "append", "task", "out"}));
  // A value flag without "=" takes the next argument, even one that starts with "-";
  // nothing after "--" is a flag.
  EXPECT_EQ(GivenFlagNames({"--question", "-x", "--task", "-", "--", "--seed=1"}, Known),
            (std::set<std::string>{"question", "task"}));
  EXPECT_EQ(GivenFlagNames({"--append", "--seed", "3"}, Known), (std::set<std::string>{"append", "seed"}));
  // An unknown "--noX" stays as given (absl reports it as unknown itself).
  EXPECT_EQ(GivenFlagNames({"--nothing"}, Known), (std::set<std::string>{"nothing"}));
}

TEST(CommandFlagsTest, EveryFlagOfTheCalicoCommandIsTakenBySomeCommand) {
  // The flags agent/calico_main.cc defines: one missing from the table would be refused
  // by every command.
  ASSERT_OK_AND_ASSIGN(std::string source, ReadFile("agent/calico_main.cc"));
  const std::regex flag_definition(R"(ABSL_FLAG\(\s*[\w:]+\s*,\s*(\w+)\s*,)");
  std::set<std::string> defined, taken;
  for (auto it = std::sregex_iterator(source.begin(), source.end(), flag_definition); it != std::sregex_iterator();
       ++it) {
    defined.insert((*it)[1].str());
  }
  ASSERT_GT(defined.size(), 30u);
  for (const char* command :
       {"train", "tokens", "text-model", "envs", "rollout", "collect", "scenes", "eval", "caption", "ask", "inspect"}) {
    for (const std::string& flag : CommandFlags(command)) {
      taken.insert(flag);
      EXPECT_TRUE(defined.count(flag) > 0) << command << " takes --" << flag << ", which calico does not define";
    }
  }
  for (const std::string& flag : defined) EXPECT_TRUE(taken.count(flag) > 0) << "--" << flag << " is in no command";
}

TEST(CommandFlagsTest, AFlagTheCommandIgnoresIsAnErrorNamingWhoTakesIt) {
  EXPECT_OK(CheckCommandFlags("collect", {"seed", "episodes", "task", "out", "noise"}));
  EXPECT_THAT(CheckCommandFlags("collect", {"first_seed", "task"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--first_seed is not used by collect (scenes takes it); collect takes --append")));
  EXPECT_THAT(CheckCommandFlags("rollout", {"noise"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--noise is not used by rollout (collect takes it)")));
  EXPECT_THAT(CheckCommandFlags("inspect", {"task"}), StatusIs(absl::StatusCode::kInvalidArgument,
                                                               HasSubstr("inspect takes --text_model")));
  // absl's own flags work everywhere; an unknown command is the caller's to report.
  EXPECT_OK(CheckCommandFlags("train", {"help", "flagfile", "config"}));
  EXPECT_OK(CheckCommandFlags("no-such-command", {"anything"}));
}

TEST(CommandFlagsTest, FlagsFromFilesOrTheEnvironmentAreRefused) {
  for (const char* name : {"flagfile", "fromenv", "tryfromenv"}) {
    EXPECT_THAT(CheckNoIndirectFlags({"episodes", name}),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr(absl::StrCat("--", name, " is not supported")), HasSubstr("skip those checks"))));
  }
  EXPECT_OK(CheckNoIndirectFlags({"episodes", "help", "checkpoint"}));
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
