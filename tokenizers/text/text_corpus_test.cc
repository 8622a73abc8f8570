#include "tokenizers/text/text_corpus.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "envs/scenes/scene.h"
#include "envs/scenes/scene_language.h"
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

// Within one process (no unordered iteration or unseeded randomness in the generator);
// across builds, train_text_model_test's byte-for-byte retraining of the committed model
// catches any drift of the corpus.
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

TEST(TextCorpusTest, ContainsEveryWordOfTheSceneLanguage) {
  const std::set<std::string> words = Words();
  // The vocabulary as the scene code spells it, so a colour, shape or size added there is
  // checked here too.
  for (int colour = 0; colour < kNumColours; ++colour) EXPECT_THAT(words, Contains(std::string(ColourName(colour))));
  for (int shape = 0; shape < kNumShapes; ++shape) {
    EXPECT_THAT(words, Contains(std::string(ShapeName(static_cast<Shape>(shape)))));
    EXPECT_THAT(words, Contains(std::string(ShapePluralName(static_cast<Shape>(shape)))));
  }
  for (int size = 0; size < kNumSizes; ++size) {
    EXPECT_THAT(words, Contains(std::string(SizeName(static_cast<ObjectSize>(size)))));
  }
  for (int n = 0; n <= kMaxObjects; ++n) EXPECT_THAT(words, Contains(std::string(NumberWord(n))));
  for (const char* word : {"left", "right", "of", "yes", "no", "caption", "q", "a", "what", "colour", "shape", "how",
                           "many", "there", "is", "are", "object", "objects"}) {
    EXPECT_THAT(words, Contains(word));
  }
}

TEST(TextCorpusTest, ContainsEveryPrintableAsciiCharacter) {
  std::set<char> seen;
  for (const std::string& line : Corpus()) seen.insert(line.begin(), line.end());
  for (char c = '!'; c <= '~'; ++c) EXPECT_THAT(seen, Contains(c)) << "character " << c;
}

TEST(TextCorpusTest, HoldsTheCaptionsOfTheFirstScenes) {
  for (uint64_t seed : {0, 1, 2, 199, 399}) {
    EXPECT_THAT(Corpus(), Contains(CaptionStepText(SampleScene(seed)))) << seed;
  }
}

TEST(TextCorpusTest, SceneStepTextsSplitAndAnswersFitTheirQuestions) {
  const std::set<std::string> colours = {"red", "green", "blue", "yellow", "cyan", "magenta", "orange", "white"};
  const std::set<std::string> shapes = {"box", "sphere", "cylinder", "capsule"};
  const std::set<std::string> counts = {"zero", "one", "two", "three", "four"};
  std::map<std::string, int> yes_no;
  int captions = 0, questions = 0;
  for (const std::string& line : Corpus()) {
    if (!absl::StartsWith(line, "caption: ") && !absl::StartsWith(line, "q: ")) continue;
    if (absl::EndsWith(line, " a:")) continue;  // a question template without its answer
    absl::StatusOr<std::vector<PromptAndAnswer>> parts = StepTextPrompts(line);
    ASSERT_TRUE(parts.ok()) << line;
    ASSERT_EQ(parts->size(), 1u) << line;
    if (absl::StartsWith(line, "caption: ")) {
      ++captions;
      continue;
    }
    ++questions;
    const std::string& q = (*parts)[0].prompt;
    const std::string& a = (*parts)[0].answer;
    if (absl::StartsWith(q, "q: what colour is the ")) {
      EXPECT_THAT(colours, Contains(a)) << line;
    } else if (absl::StartsWith(q, "q: what shape is the ")) {
      EXPECT_THAT(shapes, Contains(a)) << line;
    } else if (absl::StartsWith(q, "q: how many ")) {
      EXPECT_THAT(counts, Contains(a)) << line;
    } else {
      EXPECT_TRUE(a == "yes" || a == "no") << line;
      ++yes_no[a];
    }
  }
  EXPECT_EQ(captions, 400);
  EXPECT_GT(questions, 1200);
  EXPECT_GT(yes_no["yes"], 100);
  EXPECT_GT(yes_no["no"], 100);
}

}  // namespace
}  // namespace calico
