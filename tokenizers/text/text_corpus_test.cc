#include "tokenizers/text/text_corpus.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::Contains;
using ::testing::Gt;

const std::vector<std::string>& Corpus() {
  static const auto* corpus = new std::vector<std::string>(CalicoTextCorpus());
  return *corpus;
}

// Every word of the corpus with trailing punctuation (":", "?", ",") removed.
std::set<std::string> Words() {
  std::set<std::string> words;
  for (const std::string& line : Corpus()) {
    for (absl::string_view word : absl::StrSplit(line, ' ')) {
      while (!word.empty() && (word.back() == '?' || word.back() == ':' || word.back() == ',')) {
        word.remove_suffix(1);
      }
      words.insert(std::string(word));
    }
  }
  return words;
}

TEST(TextCorpusTest, IsDeterministic) { EXPECT_EQ(CalicoTextCorpus(), CalicoTextCorpus()); }

TEST(TextCorpusTest, HasAFewThousandLines) {
  EXPECT_GE(Corpus().size(), 2000u);
  EXPECT_LE(Corpus().size(), 5000u);
}

TEST(TextCorpusTest, LinesAreNonEmptyPrintableAsciiWithSingleSpaces) {
  for (size_t i = 0; i < Corpus().size(); ++i) {
    const std::string& line = Corpus()[i];
    ASSERT_FALSE(line.empty()) << "line " << i;
    EXPECT_NE(line.front(), ' ') << "line " << i << ": '" << line << "'";
    EXPECT_NE(line.back(), ' ') << "line " << i << ": '" << line << "'";
    EXPECT_FALSE(absl::StrContains(line, "  ")) << "line " << i << ": '" << line << "'";
    for (char c : line) {
      ASSERT_TRUE(c >= ' ' && c <= '~') << "line " << i << " has byte " << static_cast<int>(c);
    }
  }
}

TEST(TextCorpusTest, ContainsEveryTaskNameAndItsTaskLine) {
  const std::vector<std::string> tasks = {
      "mujoco/cartpole_balance",        "mujoco/cartpole_swingup",
      "mujoco/pendulum_swingup",        "mujoco/reacher_easy",
      "mujoco/reacher_hard",            "mujoco/point_mass_easy",
      "mujoco/acrobot_swingup",         "mujoco/cheetah_run",
      "mujoco/cartpole_balance_pixels", "mujoco/cartpole_swingup_pixels",
      "mujoco/pendulum_swingup_pixels", "mujoco/reacher_easy_pixels",
      "mujoco/reacher_hard_pixels",     "mujoco/point_mass_easy_pixels",
      "mujoco/acrobot_swingup_pixels",  "mujoco/cheetah_run_pixels",
      "arcade/breakout",                "arcade/space_invaders",
      "arcade/freeway",                 "arcade/asterix",
      "arcade/seaquest",
  };
  for (const std::string& task : tasks) {
    EXPECT_THAT(Corpus(), Contains(task));
    EXPECT_THAT(Corpus(), Contains("task: " + task));
  }
}

TEST(TextCorpusTest, PairsTasksWithTheirInstructions) {
  EXPECT_THAT(Corpus(), Contains("mujoco/cartpole_balance: balance the pole"));
  EXPECT_THAT(Corpus(), Contains("mujoco/cartpole_balance_pixels: balance the pole"));
  EXPECT_THAT(Corpus(), Contains("mujoco/pendulum_swingup: swing up the pendulum"));
  EXPECT_THAT(Corpus(), Contains("mujoco/reacher_easy: move the fingertip to the target"));
  EXPECT_THAT(Corpus(), Contains("arcade/freeway: cross the road"));
}

TEST(TextCorpusTest, ContainsEveryColourShapeSizeRelationAndNumber) {
  const std::set<std::string> words = Words();
  for (const char* word :
       {"red", "green", "blue", "yellow", "cyan", "magenta", "white", "black", "orange",
        "purple", "gray", "box", "sphere", "cylinder", "capsule", "ellipsoid", "small", "large",
        "left", "right", "front", "behind", "zero", "one", "two", "three", "four", "yes", "no"}) {
    EXPECT_THAT(words, Contains(word));
  }
}

TEST(TextCorpusTest, ContainsEveryPrintableAsciiCharacter) {
  std::set<char> seen;
  for (const std::string& line : Corpus()) seen.insert(line.begin(), line.end());
  for (char c = '!'; c <= '~'; ++c) EXPECT_THAT(seen, Contains(c)) << "character " << c;
}

TEST(TextCorpusTest, CaptionsCountTheObjectsTheyList) {
  const std::vector<std::string> numbers = {"zero", "one", "two", "three", "four"};
  int captions = 0;
  for (const std::string& line : Corpus()) {
    for (int n = 2; n <= 4; ++n) {
      for (const std::string& prefix :
           {numbers[n] + " objects: ", "there are " + numbers[n] + " objects: "}) {
        if (!absl::StartsWith(line, prefix)) continue;
        // "a, b and c": n objects are separated by n-2 commas and one "and".
        const std::string listing = line.substr(prefix.size());
        EXPECT_EQ(std::count(listing.begin(), listing.end(), ','), n - 2) << line;
        EXPECT_TRUE(absl::StrContains(listing, " and ")) << line;
        ++captions;
      }
    }
  }
  EXPECT_THAT(captions, Gt(100));
}

TEST(TextCorpusTest, QuestionsAreFollowedByFittingAnswers) {
  const std::set<std::string> colours = {"red",   "green", "blue",   "yellow", "cyan", "magenta",
                                         "white", "black", "orange", "purple", "gray"};
  const std::set<std::string> shapes = {"box", "sphere", "cylinder", "capsule", "ellipsoid"};
  const std::set<std::string> counts = {"zero", "one", "two", "three", "four"};
  std::set<std::string> yes_no_answers;
  int questions = 0;
  for (size_t i = 0; i + 1 < Corpus().size(); ++i) {
    const std::string& q = Corpus()[i];
    const std::string& a = Corpus()[i + 1];
    if (absl::StartsWith(q, "what colour is the ")) {
      EXPECT_THAT(colours, Contains(a)) << q;
      ++questions;
    } else if (absl::StartsWith(q, "what shape is the ")) {
      EXPECT_THAT(shapes, Contains(a)) << q;
      ++questions;
    } else if (absl::StartsWith(q, "how many ")) {
      EXPECT_THAT(counts, Contains(a)) << q;
      ++questions;
    } else if (absl::StartsWith(q, "is ") && absl::EndsWith(q, "?")) {
      EXPECT_TRUE(a == "yes" || a == "no") << q << " -> " << a;
      yes_no_answers.insert(a);
      ++questions;
    }
  }
  EXPECT_THAT(questions, Gt(1000));
  EXPECT_EQ(yes_no_answers, (std::set<std::string>{"no", "yes"}));
}

TEST(TextCorpusTest, SingleObjectScenesAnswerTheirOwnQuestions) {
  // Scenes with one object: "a small green ellipsoid", then the questions about it.
  const auto& corpus = Corpus();
  int checked = 0;
  for (size_t i = 0; i + 6 < corpus.size(); ++i) {
    if (corpus[i + 1] != "what colour is the " + corpus[i].substr(corpus[i].rfind(' ') + 1) + "?")
      continue;
    const std::vector<std::string> words = absl::StrSplit(corpus[i], ' ');
    if (words.size() != 4 || words[0] != "a") continue;  // "a <size> <colour> <shape>"
    EXPECT_EQ(corpus[i + 2], words[2]);
    EXPECT_EQ(corpus[i + 3], "what shape is the " + words[2] + " object?");
    EXPECT_EQ(corpus[i + 4], words[3]);
    EXPECT_EQ(corpus[i + 5], "what size is the " + words[2] + " " + words[3] + "?");
    EXPECT_EQ(corpus[i + 6], words[1]);
    ++checked;
  }
  EXPECT_THAT(checked, Gt(10));
}

}  // namespace
}  // namespace calico
