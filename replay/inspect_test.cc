#include "replay/inspect.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "base/file_io.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "replay/dataset.h"

namespace calico {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

// A stand-in for the tokenizer's count: 10 positions per timestep.
absl::StatusOr<int64_t> TenPerStep(const Episode& episode) { return 10 * static_cast<int64_t>(episode.steps.size()); }

std::string MakeDataset(const std::string& name) {
  const std::string dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
  DatasetWriterOptions options;
  options.directory = dir;
  options.references["t/x"] = {1.0, 9.0, 50};
  options.count_tokens = TenPerStep;
  auto writer = DatasetWriter::Open(options);
  EXPECT_OK(writer);
  for (int e = 0; e < 3; ++e) {
    EpisodeRecorder recorder("t/x", {{"o", {"o", {1}, DType::kFloat32, {}, {}}}},
                             {{"a", {"a", {1}, DType::kFloat32, {-1}, {1}}}}, "expert", e);
    TimeStep first, last;
    first.observation["o"] = Array::Float({1}, {0});
    last = first;
    last.step_type = StepType::kLast;
    last.reward = 2.0 * e;
    NamedArrays action{{"a", Array::Float({1}, {0.5f})}};
    EXPECT_OK(recorder.Add(first, &action));
    EXPECT_OK(recorder.Add(last, nullptr));
    EXPECT_OK((*writer)->Add(*recorder.Finish()).status());
  }
  EXPECT_OK((*writer)->Close());
  return dir;
}

// Replaces the first `from` in `dir`'s manifest with `to`, as a hand edit would.
void EditManifest(const std::string& dir, const std::string& from, const std::string& to) {
  ASSERT_OK_AND_ASSIGN(std::string text, ReadFile(dir + "/MANIFEST.textproto"));
  const size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << text;
  text.replace(at, from.size(), to);
  ASSERT_OK(WriteFileAtomically(dir + "/MANIFEST.textproto", text));
}

TEST(InspectTest, CleanDatasetReportsFiguresAndOk) {
  const std::string dir = MakeDataset("clean");
  ASSERT_OK_AND_ASSIGN(InspectResult result, InspectDataset(dir));
  EXPECT_TRUE(result.clean) << result.report;
  // Three episodes of one action each: the column counts actions, not timesteps
  // (vision-language episodes have steps but no actions).
  EXPECT_THAT(result.report, ContainsRegex("task +episodes +actions +tokens"));
  EXPECT_THAT(result.report, ContainsRegex("t/x +3 +3 "));
  EXPECT_THAT(result.report, HasSubstr("1.0 / 9.0"));
  EXPECT_THAT(result.report, HasSubstr("OK: 3 records"));
}

TEST(InspectTest, EveryProblemIsListed) {
  const std::string dir = MakeDataset("damaged");
  ASSERT_OK_AND_ASSIGN(DatasetManifest manifest, ReadManifest(dir));
  const std::string shard = dir + "/" + manifest.shards(0).file();
  ASSERT_OK_AND_ASSIGN(std::string bytes, ReadFile(shard));
  bytes[20] ^= 1;                              // damage record 0
  bytes.resize(bytes.size() - 3);              // and tear the tail
  ASSERT_OK(WriteFileAtomically(shard, bytes));
  ASSERT_OK(WriteFileAtomically(dir + "/shard-00009-t_x.tfrecord.partial", "x"));
  ASSERT_OK_AND_ASSIGN(InspectResult result, InspectDataset(dir));
  EXPECT_FALSE(result.clean);
  EXPECT_THAT(result.report, HasSubstr("1 records fail their CRC"));
  EXPECT_THAT(result.report, HasSubstr("torn tail"));
  EXPECT_THAT(result.report, HasSubstr("1 valid episodes; the manifest says 3"));
  EXPECT_THAT(result.report, HasSubstr("note: " + dir + "/shard-00009-t_x.tfrecord.partial: unfinished shard"));
  EXPECT_THAT(result.report, HasSubstr("DAMAGED"));
  ASSERT_OK(WriteFileAtomically(dir + "/shard-00007-t_x.tfrecord", "left by a killed append"));
  ASSERT_OK_AND_ASSIGN(result, InspectDataset(dir));
  EXPECT_THAT(result.report, HasSubstr("shard-00007-t_x.tfrecord: a shard the manifest does not list"));
  EXPECT_THAT(InspectDataset(dir + "/nope"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope' does not exist")));
  EXPECT_THAT(InspectDataset(std::getenv("TEST_TMPDIR")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("not a calico dataset")));
}

TEST(InspectTest, AShardAKilledWriterLeftIsANoteNotDamage) {
  // Loading never reads an unlisted .partial file, so the dataset is as its manifest says.
  const std::string dir = MakeDataset("killed_writer");
  ASSERT_OK(WriteFileAtomically(dir + "/shard-00001-t_x.tfrecord.partial", "half a record"));
  ASSERT_OK_AND_ASSIGN(InspectResult result, InspectDataset(dir));
  EXPECT_TRUE(result.clean) << result.report;
  EXPECT_THAT(result.report, HasSubstr("note: " + dir + "/shard-00001-t_x.tfrecord.partial: unfinished shard of a "
                                       "writer that is still running or did not finish"));
  EXPECT_THAT(result.report, HasSubstr("OK: 3 records"));
}

TEST(InspectTest, ReturnFiguresThatDisagreeWithTheEpisodesAreAProblem) {
  const std::string dir = MakeDataset("bad_returns");  // returns 0, 2 and 4
  ASSERT_OK_AND_ASSIGN(InspectResult clean, InspectDataset(dir));
  EXPECT_TRUE(clean.clean) << clean.report;
  EditManifest(dir, "mean: 2\n", "mean: -5\n");
  ASSERT_OK_AND_ASSIGN(InspectResult result, InspectDataset(dir));
  EXPECT_FALSE(result.clean) << result.report;
  EXPECT_THAT(result.report, HasSubstr("manifest, task 't/x': returns mean -5, min 0, max 4 listed; its episodes' "
                                       "are 2, 0, 4"));
}

TEST(InspectTest, ASeedRangeThatDisagreesWithTheShardsIsAProblem) {
  const std::string dir = MakeDataset("bad_seeds");
  ASSERT_OK_AND_ASSIGN(InspectResult clean, InspectDataset(dir));
  EXPECT_TRUE(clean.clean) << clean.report;
  EXPECT_THAT(clean.report, HasSubstr("  0..2\n"));  // the seeds column
  EditManifest(dir, "max_seed: 2\n", "max_seed: 7\n");
  ASSERT_OK_AND_ASSIGN(InspectResult result, InspectDataset(dir));
  EXPECT_FALSE(result.clean) << result.report;
  EXPECT_THAT(result.report,
              HasSubstr("manifest, task 't/x': episode seeds 0..7 listed; the shards hold seeds 0..2"));
}

TEST(InspectTest, ManifestTotalsThatDisagreeWithTheShardsAreProblems) {
  const std::string dir = MakeDataset("bad_totals");
  EditManifest(dir, "steps: 3\n", "steps: 9223372036854775807\n");
  EditManifest(dir, "bytes: ", "bytes: 1");  // prepends a digit: another size
  ASSERT_OK_AND_ASSIGN(InspectResult result, InspectDataset(dir));
  EXPECT_FALSE(result.clean) << result.report;
  EXPECT_THAT(result.report, HasSubstr("manifest, task 't/x': 3 episodes and 9223372036854775807 actions listed; the "
                                       "shards hold 3 and 3 valid ones"));
  EXPECT_THAT(result.report, ContainsRegex("bytes; the manifest says 1[0-9]+"));
}

// Figures only displayed (loading does not refuse them) are still problems to inspect.
TEST(InspectTest, NonFiniteReferencesAndNegativeTokenTotalsAreProblems) {
  const std::string dir = MakeDataset("bad_figures");
  EditManifest(dir, "expert_reference: 9\n", "expert_reference: nan\n");
  ASSERT_OK_AND_ASSIGN(InspectResult result, InspectDataset(dir));
  EXPECT_FALSE(result.clean) << result.report;
  EXPECT_THAT(result.report, HasSubstr("manifest, task 't/x': reference returns 1 / nan listed; expected finite"));
  EXPECT_OK(LoadDataset(dir).status());
  EditManifest(dir, "tokens: ", "tokens: -");
  ASSERT_OK_AND_ASSIGN(result, InspectDataset(dir));
  EXPECT_THAT(result.report, ContainsRegex("manifest, task 't/x': -[0-9]+ tokens listed"));
}

TEST(InspectTest, TokenTotalsAreRecountedWithTheCounter) {
  const std::string dir = MakeDataset("tokens");
  ASSERT_OK_AND_ASSIGN(InspectResult result, InspectDataset(dir, TenPerStep));
  EXPECT_TRUE(result.clean) << result.report;
  EditManifest(dir, "tokens: 60\n", "tokens: 61\n");  // 3 episodes of 2 timesteps
  ASSERT_OK_AND_ASSIGN(result, InspectDataset(dir));
  EXPECT_TRUE(result.clean) << "without a counter, tokens are not compared\n" << result.report;
  EXPECT_THAT(result.report, Not(HasSubstr("tokenize to")));
  ASSERT_OK_AND_ASSIGN(result, InspectDataset(dir, TenPerStep));
  EXPECT_TRUE(result.clean) << "another text model's count is not damage\n" << result.report;
  EXPECT_THAT(result.report, HasSubstr("note: task 't/x': the manifest lists 61 tokens; with this text model its "
                                       "episodes tokenize to 60"));
  ASSERT_OK_AND_ASSIGN(result, InspectDataset(dir, [](const Episode&) -> absl::StatusOr<int64_t> {
                         return absl::InvalidArgumentError("no tokenizer for this");
                       }));
  EXPECT_FALSE(result.clean) << "episodes training could not tokenize";
  EXPECT_THAT(result.report, HasSubstr("record 0: cannot count its tokens: no tokenizer for this"));
  EXPECT_THAT(result.report, Not(HasSubstr("tokenize to"))) << "one problem, no totals compared";

  // A manifest written without a counter lists 0 tokens: nothing to compare.
  EditManifest(dir, "tokens: 61\n", "tokens: 0\n");
  ASSERT_OK_AND_ASSIGN(result, InspectDataset(dir, TenPerStep));
  EXPECT_TRUE(result.clean) << result.report;
  EXPECT_THAT(result.report, Not(HasSubstr("tokenize to")));
}

TEST(InspectTest, SpecsTrainingWouldRefuseAreProblems) {
  const std::string dir = MakeDataset("bad_specs");
  EditManifest(dir, "shape: 1\n", "shape: -3\n");  // the observation's shape [1] becomes [-3]
  ASSERT_OK_AND_ASSIGN(InspectResult result, InspectDataset(dir));
  EXPECT_FALSE(result.clean) << result.report;
  EXPECT_THAT(result.report, HasSubstr("manifest, task 't/x': observation spec 'o'"));
  EXPECT_THAT(result.report, HasSubstr("DAMAGED"));
}

}  // namespace
}  // namespace calico
