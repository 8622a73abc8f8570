#include "agent/training_curves.h"

#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "base/file_io.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

std::string Write(const std::string& name, const std::string& text) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  EXPECT_OK(WriteFileAtomically(path, text));
  return path;
}

TEST(TrainingCurvesTest, ReadsEverySeries) {
  const std::string path = Write("metrics.jsonl",
                                 "{\"step\": 9, \"loss\": 5.5, \"text_loss\": null, \"action_loss\": 5.5, "
                                 "\"task_loss\": {\"arcade/breakout\": 7.0, \"mujoco/cartpole_balance\": 4.0}}\n"
                                 "\n"
                                 "{\"step\": 19, \"loss\": 2.5, \"text_loss\": 1.0, \"action_loss\": 3.0, "
                                 "\"task_loss\": {\"arcade/breakout\": 2.0}}\n");
  ASSERT_OK_AND_ASSIGN(TrainingCurves curves, ReadTrainingCurves(path));
  EXPECT_THAT(curves.at("loss"), ElementsAre(Pair(9, 5.5), Pair(19, 2.5)));
  EXPECT_THAT(curves.at("loss/action"), ElementsAre(Pair(9, 5.5), Pair(19, 3.0)));
  EXPECT_THAT(curves.at("loss/text"), ElementsAre(Pair(19, 1.0)));
  EXPECT_THAT(curves.at("loss/arcade/breakout"), ElementsAre(Pair(9, 7.0), Pair(19, 2.0)));
  EXPECT_THAT(curves.at("loss/mujoco/cartpole_balance"), ElementsAre(Pair(9, 4.0)));
  EXPECT_EQ(curves.size(), 5u);
}

TEST(TrainingCurvesTest, LongSeriesAreThinnedEvenlyKeepingBothEnds) {
  std::string text;
  for (int step = 1; step <= 3001; ++step) text += "{\"step\": " + std::to_string(step) + ", \"loss\": 1}\n";
  ASSERT_OK_AND_ASSIGN(TrainingCurves curves, ReadTrainingCurves(Write("long.jsonl", text)));
  const auto& loss = curves.at("loss");
  ASSERT_EQ(loss.size(), kMaxCurvePoints);
  EXPECT_EQ(loss.front().first, 1);
  EXPECT_EQ(loss.back().first, 3001);
  EXPECT_EQ(loss[1].first, 4);  // every third of 3001 steps (3000 / 999 rounds down)
  for (size_t k = 1; k < loss.size(); ++k) ASSERT_LT(loss[k - 1].first, loss[k].first);
}

TEST(TrainingCurvesTest, OnlyRegularFilesAreRead) {
  const std::string fifo = std::string(std::getenv("TEST_TMPDIR")) + "/fifo.jsonl";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_THAT(ReadTrainingCurves(fifo), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a regular file")));
  EXPECT_THAT(ReadTrainingCurves("/dev/zero"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TrainingCurvesTest, ARecordTornByAKillEndsTheCurves) {
  // The trainer was killed while writing its last record: no newline, not JSON.
  ASSERT_OK_AND_ASSIGN(TrainingCurves curves,
                       ReadTrainingCurves(Write("torn.jsonl", "{\"step\": 1, \"loss\": 2}\n{\"step\": 2, \"lo")));
  EXPECT_THAT(curves.at("loss"), ElementsAre(Pair(1, 2.0)));
}

TEST(TrainingCurvesTest, BadFilesNameTheLine) {
  EXPECT_FALSE(ReadTrainingCurves(std::string(std::getenv("TEST_TMPDIR")) + "/none.jsonl").ok());
  EXPECT_THAT(ReadTrainingCurves(Write("a.jsonl", "{\"step\": 1, \"loss\": 2}\n{\"step\": 2, \"loss\"\n")),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("a.jsonl line 2: JSON:")));
  EXPECT_THAT(ReadTrainingCurves(Write("b.jsonl", "[1, 2]\n")),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("line 1: not a JSON object")));
  EXPECT_THAT(ReadTrainingCurves(Write("c.jsonl", "{\"step\": 1, \"loss\": null}\n")),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("numeric \"step\" and \"loss\"")));
  EXPECT_THAT(ReadTrainingCurves(Write("d.jsonl", "\n\n")),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("holds no metrics")));
}

}  // namespace
}  // namespace calico
