#include "replay/dataset.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cmath>
#include <cstdlib>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/file_io.h"
#include "base/file_size_limit.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

std::string TempDir(const std::string& name) { return absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name); }

// An episode of `task` with `steps` actions; rewards make the return equal `ret`.
Episode MakeEpisode(const std::string& task, uint64_t seed, double ret, int steps = 4, int obs_size = 3) {
  SpecMap obs{{"state", {"state", {obs_size}, DType::kFloat32, {}, {}}}};
  SpecMap act{{"action", {"action", {}, DType::kInt32, {0}, {5}}}};
  EpisodeRecorder recorder(task, obs, act, "expert", seed);
  for (int t = 0; t <= steps; ++t) {
    TimeStep step;
    step.step_type = t == 0 ? StepType::kFirst : (t == steps ? StepType::kLast : StepType::kMid);
    step.reward = t == 0 ? 0.0 : ret / steps;
    step.observation["state"] = Array::Float({obs_size}, std::vector<float>(obs_size, static_cast<float>(seed + t)));
    NamedArrays action{{"action", Array::Int({}, {static_cast<int32_t>(t % 6)})}};
    EXPECT_OK(recorder.Add(step, t == steps ? nullptr : &action));
  }
  return *recorder.Finish();
}

DatasetWriterOptions Options(const std::string& dir) {
  DatasetWriterOptions options;
  options.directory = dir;
  options.max_shard_bytes = 600;  // a few episodes per shard
  options.count_tokens = [](const Episode& e) -> absl::StatusOr<int64_t> { return 7 * e.length(); };
  return options;
}

std::string WriteDataset(const std::string& name, int episodes_per_task) {
  const std::string dir = TempDir(name);
  auto writer = DatasetWriter::Open(Options(dir));
  EXPECT_OK(writer);
  for (int i = 0; i < episodes_per_task; ++i) {
    EXPECT_OK((*writer)->Add(MakeEpisode("arcade/a", 100 - i, i)).status());
    EXPECT_OK((*writer)->Add(MakeEpisode("mujoco/b", i, 10.0 * i)).status());
  }
  EXPECT_OK((*writer)->Close());
  return dir;
}

TEST(DatasetTest, WritesShardsAndAManifestThenLoadsEveryEpisodeSorted) {
  const std::string dir = WriteDataset("basic", 10);
  ASSERT_OK_AND_ASSIGN(Dataset dataset, LoadDataset(dir));
  EXPECT_TRUE(dataset.report.warnings.empty());
  ASSERT_EQ(dataset.episodes.size(), 2u);
  const std::vector<Episode>& a = dataset.episodes.at("arcade/a");
  ASSERT_EQ(a.size(), 10u);
  for (size_t i = 0; i + 1 < a.size(); ++i) EXPECT_LT(a[i].seed, a[i + 1].seed);
  EXPECT_GT(dataset.manifest.shards_size(), 2);  // 600-byte shards force several
  const TaskSummary& b = dataset.manifest.tasks(1);
  EXPECT_EQ(b.task(), "mujoco/b");
  EXPECT_EQ(b.episodes(), 10);
  EXPECT_EQ(b.steps(), 40);
  EXPECT_EQ(b.tokens(), 280);
  EXPECT_EQ(b.observation_spec(0).name(), "state");
  // Returns 0, 10, ..., 90: mean 45, sample stddev sqrt(sum (10i - 45)^2 / 9).
  double ss = 0;
  for (int i = 0; i < 10; ++i) ss += (10.0 * i - 45) * (10.0 * i - 45);
  EXPECT_NEAR(b.returns().mean(), 45.0, 1e-9);
  EXPECT_NEAR(b.returns().stddev(), std::sqrt(ss / 9), 1e-9);
  EXPECT_EQ(b.returns().min(), 0.0);
  EXPECT_EQ(b.returns().max(), 90.0);
  EXPECT_FALSE(b.has_reference());
}

TEST(DatasetTest, AppendingAddsShardsAndMergesStatistics) {
  const std::string dir = WriteDataset("append", 4);
  DatasetWriterOptions options = Options(dir);
  EXPECT_THAT(DatasetWriter::Open(options), StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("already holds a dataset")));
  options.append = true;
  options.references["mujoco/b"] = {0.0, 100.0, 50};
  ASSERT_OK_AND_ASSIGN(auto writer, DatasetWriter::Open(options));
  for (int i = 4; i < 10; ++i) ASSERT_OK(writer->Add(MakeEpisode("mujoco/b", i, 10.0 * i)).status());
  ASSERT_OK(writer->Add(MakeEpisode("mujoco/c", 1, 1)).status());
  EXPECT_THAT(writer->Add(MakeEpisode("mujoco/b", 99, 1, 4, /*obs_size=*/5)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("does not fit the dataset's specs")));
  ASSERT_OK(writer->Close());
  ASSERT_OK_AND_ASSIGN(Dataset dataset, LoadDataset(dir));
  EXPECT_EQ(dataset.episodes.at("mujoco/b").size(), 10u);
  EXPECT_EQ(dataset.episodes.at("arcade/a").size(), 4u);
  EXPECT_EQ(dataset.episodes.at("mujoco/c").size(), 1u);
  const TaskSummary* b = nullptr;
  for (const TaskSummary& s : dataset.manifest.tasks()) {
    if (s.task() == "mujoco/b") b = &s;
  }
  ASSERT_NE(b, nullptr);
  double ss = 0;
  for (int i = 0; i < 10; ++i) ss += (10.0 * i - 45) * (10.0 * i - 45);
  EXPECT_NEAR(b->returns().mean(), 45.0, 1e-9);
  EXPECT_NEAR(b->returns().stddev(), std::sqrt(ss / 9), 1e-9);
  EXPECT_EQ(b->returns().max(), 90.0);
  EXPECT_TRUE(b->has_reference());
  EXPECT_EQ(b->expert_reference(), 100.0);
}

TEST(DatasetTest, GatoFilterKeepsEpisodesNearTheExpertReturn) {
  DatasetWriterOptions options = Options(TempDir("filter"));
  options.min_return_fraction = 0.8;
  options.references["mujoco/b"] = {0.0, 50.0, 50};
  ASSERT_OK_AND_ASSIGN(auto writer, DatasetWriter::Open(options));
  int kept = 0;
  for (int i = 0; i < 10; ++i) {
    ASSERT_OK_AND_ASSIGN(bool added, writer->Add(MakeEpisode("mujoco/b", i, 10.0 * i)));
    kept += added;
  }
  EXPECT_EQ(kept, 6);  // returns 40..90 reach 0.8 * 50
  EXPECT_EQ(writer->filtered_out(), 4);
  EXPECT_THAT(writer->Add(MakeEpisode("mujoco/unknown", 1, 1)),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no expert reference")));
  ASSERT_OK(writer->Close());
  ASSERT_OK_AND_ASSIGN(Dataset dataset, LoadDataset(options.directory));
  EXPECT_EQ(dataset.episodes.at("mujoco/b").size(), 6u);
  options.min_return_fraction = 1.5;
  EXPECT_THAT(DatasetWriter::Open(options), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("(0, 1]")));
}

TEST(DatasetTest, ConcurrentWritersLoseNothing) {
  ASSERT_OK_AND_ASSIGN(auto writer, DatasetWriter::Open(Options(TempDir("threads"))));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&writer, t]() {
      for (int i = 0; i < 25; ++i) EXPECT_OK(writer->Add(MakeEpisode("mujoco/b", 100 * t + i, i)).status());
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_OK(writer->Close());
  ASSERT_OK_AND_ASSIGN(Dataset dataset, LoadDataset(TempDir("threads")));
  EXPECT_EQ(dataset.episodes.at("mujoco/b").size(), 100u);
}

TEST(DatasetTest, DamagedShardsAreErrorsOrSkippedOnRequest) {
  const std::string dir = WriteDataset("damaged", 6);
  ASSERT_OK_AND_ASSIGN(DatasetManifest manifest, ReadManifest(dir));
  const std::string shard = absl::StrCat(dir, "/", manifest.shards(0).file());
  ASSERT_OK_AND_ASSIGN(std::string bytes, ReadFile(shard));
  std::string flipped = bytes;
  flipped[30] ^= 0x10;  // inside the first record's data
  ASSERT_OK(WriteFileAtomically(shard, flipped));
  EXPECT_THAT(LoadDataset(dir), StatusIs(absl::StatusCode::kDataLoss, AllOf(HasSubstr(manifest.shards(0).file()),
                                                                           HasSubstr("offset 0"))));
  LoadOptions skip;
  skip.records.skip_corrupt = true;
  ASSERT_OK_AND_ASSIGN(Dataset partial, LoadDataset(dir, skip));
  EXPECT_EQ(partial.report.corrupt_records, 1);
  EXPECT_THAT(partial.report.warnings[0], HasSubstr("skipped 1 corrupt records"));

  ASSERT_OK(WriteFileAtomically(shard, bytes.substr(0, bytes.size() - 10)));
  EXPECT_THAT(LoadDataset(dir), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("(the file is truncated)")));
  ASSERT_EQ(std::remove(shard.c_str()), 0);
  EXPECT_THAT(LoadDataset(dir), StatusIs(absl::StatusCode::kNotFound, HasSubstr(manifest.shards(0).file())));
}

// Appending to a dataset whose shards are cut short or missing is refused before any
// episode is collected, and the dataset is left as it was.
TEST(DatasetTest, AppendingToADamagedDatasetIsRefusedBeforeCollecting) {
  const std::string dir = WriteDataset("append-damaged", 6);
  ASSERT_OK_AND_ASSIGN(DatasetManifest manifest, ReadManifest(dir));
  const std::string shard = absl::StrCat(dir, "/", manifest.shards(1).file());
  ASSERT_OK_AND_ASSIGN(std::string bytes, ReadFile(shard));
  DatasetWriterOptions options = Options(dir);
  options.append = true;
  ASSERT_OK(WriteFileAtomically(shard, bytes.substr(0, bytes.size() - 10)));
  EXPECT_THAT(DatasetWriter::Open(options),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("is damaged: its shard " + manifest.shards(1).file()),
                             HasSubstr(absl::StrCat("is ", bytes.size() - 10, " bytes, the manifest says ", bytes.size())),
                             HasSubstr("calico inspect"))));
  ASSERT_EQ(std::remove(shard.c_str()), 0);
  EXPECT_THAT(DatasetWriter::Open(options), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("is missing")));
  ASSERT_OK_AND_ASSIGN(DatasetManifest after, ReadManifest(dir));
  EXPECT_EQ(after.DebugString(), manifest.DebugString());
  // Restored, the dataset takes appends again.
  ASSERT_OK(WriteFileAtomically(shard, bytes));
  ASSERT_OK_AND_ASSIGN(auto writer, DatasetWriter::Open(options));
  ASSERT_OK(writer->Add(MakeEpisode("mujoco/b", 50, 1)).status());
  ASSERT_OK(writer->Close());
  ASSERT_OK_AND_ASSIGN(Dataset dataset, LoadDataset(dir));
  EXPECT_EQ(dataset.episodes.at("mujoco/b").size(), 7u);
}

TEST(DatasetTest, TheManifestRecordsEachTasksSeedRange) {
  const std::string dir = TempDir("seeds");
  {
    ASSERT_OK_AND_ASSIGN(auto writer, DatasetWriter::Open(Options(dir)));
    for (uint64_t seed : {7, 3, 12}) ASSERT_OK(writer->Add(MakeEpisode("mujoco/b", seed, 1.0)).status());
    ASSERT_OK(writer->Close());
  }
  ASSERT_OK_AND_ASSIGN(DatasetManifest manifest, ReadManifest(dir));
  EXPECT_EQ(RecordedSeedRange(manifest, "mujoco/b"), std::make_pair(uint64_t{3}, uint64_t{12}));
  EXPECT_EQ(RecordedSeedRange(manifest, "mujoco/none"), std::nullopt);
  // An append widens it.
  DatasetWriterOptions options = Options(dir);
  options.append = true;
  {
    ASSERT_OK_AND_ASSIGN(auto writer, DatasetWriter::Open(options));
    ASSERT_OK(writer->Add(MakeEpisode("mujoco/b", 40, 1.0)).status());
    ASSERT_OK(writer->Close());
  }
  ASSERT_OK_AND_ASSIGN(manifest, ReadManifest(dir));
  EXPECT_EQ(RecordedSeedRange(manifest, "mujoco/b"), std::make_pair(uint64_t{3}, uint64_t{40}));
  // A manifest written before seeds were recorded: appending keeps the task's range unknown.
  const std::string path = dir + "/" + kManifestFile;
  ASSERT_OK_AND_ASSIGN(std::string text, ReadFile(path));
  ASSERT_OK(WriteFileAtomically(path, absl::StrReplaceAll(text, {{"has_seed_range: true\n", ""}})));
  {
    ASSERT_OK_AND_ASSIGN(auto writer, DatasetWriter::Open(options));
    ASSERT_OK(writer->Add(MakeEpisode("mujoco/b", 41, 1.0)).status());
    ASSERT_OK(writer->Close());
  }
  ASSERT_OK_AND_ASSIGN(manifest, ReadManifest(dir));
  EXPECT_EQ(RecordedSeedRange(manifest, "mujoco/b"), std::nullopt);
  ASSERT_OK_AND_ASSIGN(Dataset dataset, LoadDataset(dir));
  EXPECT_EQ(dataset.episodes.at("mujoco/b").size(), 5u);
}

TEST(DatasetTest, BadManifestsAreErrors) {
  const std::string dir = WriteDataset("manifest", 2);
  const std::string path = dir + "/" + kManifestFile;
  ASSERT_OK_AND_ASSIGN(std::string text, ReadFile(path));
  ASSERT_OK(WriteFileAtomically(path, absl::StrReplaceAll(text, {{"calico-dataset", "other"}})));
  EXPECT_THAT(LoadDataset(dir), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("magic is 'other'")));
  ASSERT_OK(WriteFileAtomically(path, absl::StrReplaceAll(text, {{"episodes: 2\n  steps", "episodes: 3\n  steps"}})));
  EXPECT_THAT(LoadDataset(dir), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("lists 3 episodes but its shards hold 2")));
  // (proto3's text format leaves out zero values, so arcade/a's seeds 99..100 are edited.)
  ASSERT_OK(WriteFileAtomically(path, absl::StrReplaceAll(text, {{"min_seed: 99\n", "min_seed: 101\n"}})));
  EXPECT_THAT(LoadDataset(dir), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("min_seed 101 above max_seed 100")));
  ASSERT_OK(WriteFileAtomically(path, absl::StrReplaceAll(text, {{"bytes: ", "bytes: -"}})));
  EXPECT_THAT(LoadDataset(dir), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("counts cannot be negative")));
  ASSERT_OK(WriteFileAtomically(path, text + "tasks { bogus: 1 }\n"));
  EXPECT_THAT(LoadDataset(dir), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("not a valid manifest")));
  EXPECT_THAT(LoadDataset(TempDir("nowhere")), StatusIs(absl::StatusCode::kNotFound, HasSubstr("not a calico dataset")));
  // The manifest itself named where the directory belongs.
  EXPECT_THAT(LoadDataset(path), StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr("'" + path + "' is a file, not a dataset directory")));
}

TEST(DatasetTest, EmptyAndUnfinishedDatasets) {
  // A new dataset that got no episode gets no manifest: a plain rerun may use the directory.
  ASSERT_OK_AND_ASSIGN(auto empty, DatasetWriter::Open(Options(TempDir("empty"))));
  ASSERT_OK(empty->Close());
  EXPECT_THAT(LoadDataset(TempDir("empty")), StatusIs(absl::StatusCode::kNotFound, HasSubstr("no MANIFEST")));
  empty.reset();
  ASSERT_OK_AND_ASSIGN(auto rerun, DatasetWriter::Open(Options(TempDir("empty"))));
  ASSERT_OK(rerun->Add(MakeEpisode("mujoco/b", 0, 1)).status());
  ASSERT_OK(rerun->Close());
  ASSERT_OK_AND_ASSIGN(Dataset one, LoadDataset(TempDir("empty")));
  EXPECT_EQ(one.episodes.at("mujoco/b").size(), 1u);
  // An append that got none leaves the manifest as it was (an empty dataset stays one).
  DatasetWriterOptions append = Options(TempDir("empty"));
  append.append = true;
  rerun.reset();
  ASSERT_OK_AND_ASSIGN(auto nothing, DatasetWriter::Open(append));
  ASSERT_OK(nothing->Close());
  ASSERT_OK_AND_ASSIGN(one, LoadDataset(TempDir("empty")));
  EXPECT_EQ(one.episodes.at("mujoco/b").size(), 1u);

  const std::string dir = WriteDataset("unfinished", 2);
  DatasetWriterOptions options = Options(dir);
  options.append = true;
  {
    ASSERT_OK_AND_ASSIGN(auto writer, DatasetWriter::Open(options));
    ASSERT_OK(writer->Add(MakeEpisode("mujoco/b", 50, 1)).status());
    // Destroyed without Close: a crash. The manifest still describes the old data.
  }
  ASSERT_OK_AND_ASSIGN(Dataset dataset, LoadDataset(dir));
  EXPECT_EQ(dataset.episodes.at("mujoco/b").size(), 2u);
  ASSERT_EQ(dataset.report.warnings.size(), 1u);
  EXPECT_THAT(dataset.report.warnings[0], HasSubstr("unfinished shard"));
}

TEST(DatasetTest, ASecondWriterIsRefusedWhileTheFirstWrites) {
  // Two writers would each write a manifest of their own shards; the last would win.
  const std::string dir = TempDir("two_writers");
  DatasetWriterOptions options = Options(dir);
  options.append = true;
  ASSERT_OK_AND_ASSIGN(auto first, DatasetWriter::Open(options));
  EXPECT_THAT(DatasetWriter::Open(options),
              StatusIs(absl::StatusCode::kUnavailable,
                       AllOf(HasSubstr("dataset '" + dir + "' is being written by another calico"),
                             HasSubstr("pid"))));
  ASSERT_OK(first->Add(MakeEpisode("mujoco/b", 0, 1)).status());
  ASSERT_OK(first->Close());
  first.reset();  // the lock goes with the writer
  ASSERT_OK_AND_ASSIGN(auto second, DatasetWriter::Open(options));
  ASSERT_OK(second->Add(MakeEpisode("mujoco/b", 1, 1)).status());
  ASSERT_OK(second->Close());
  ASSERT_OK_AND_ASSIGN(Dataset dataset, LoadDataset(dir));
  EXPECT_EQ(dataset.episodes.at("mujoco/b").size(), 2u);
}

// The size of the one unfinished shard in `dir` (-1 if there is none or several).
int64_t PartialShardSize(const std::string& dir) {
  int64_t size = -1;
  int found = 0;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return -1;
  while (struct dirent* entry = ::readdir(d)) {
    const std::string name = entry->d_name;
    if (name.size() > 8 && name.compare(name.size() - 8, 8, ".partial") == 0) {
      struct stat info;
      if (::stat((dir + "/" + name).c_str(), &info) == 0) size = info.st_size;
      ++found;
    }
  }
  ::closedir(d);
  return found == 1 ? size : -1;
}

TEST(DatasetTest, AFailedWriteKeepsTheEpisodesBeforeIt) {
  // As a full disk would: the third episode's record is torn part-way.
  const std::string dir = TempDir("failed_write");
  DatasetWriterOptions options = Options(dir);
  options.max_shard_bytes = int64_t{1} << 20;
  ASSERT_OK_AND_ASSIGN(auto writer, DatasetWriter::Open(options));
  ASSERT_OK(writer->Add(MakeEpisode("mujoco/b", 0, 1.0)).status());
  ASSERT_OK(writer->Add(MakeEpisode("mujoco/b", 1, 3.0)).status());
  const int64_t two = PartialShardSize(dir);
  ASSERT_GT(two, 0);
  {
    ScopedFileSizeLimit limit(two + 20);  // less than one more record
    ASSERT_TRUE(limit.ok());
    EXPECT_THAT(writer->Add(MakeEpisode("mujoco/b", 2, 100.0)).status(), StatusIs(absl::StatusCode::kInternal));
  }
  EXPECT_EQ(PartialShardSize(dir), two);
  EXPECT_EQ(writer->added(), 2);
  ASSERT_OK(writer->Close());
  ASSERT_OK_AND_ASSIGN(Dataset dataset, LoadDataset(dir));
  EXPECT_TRUE(dataset.report.warnings.empty()) << dataset.report.warnings[0];
  ASSERT_EQ(dataset.episodes.at("mujoco/b").size(), 2u);
  const TaskSummary& b = dataset.manifest.tasks(0);
  EXPECT_EQ(b.episodes(), 2);
  EXPECT_EQ(b.max_seed(), 1u);
  EXPECT_NEAR(b.returns().mean(), 2.0, 1e-12) << "the failed episode's return is not counted";
  EXPECT_EQ(b.returns().max(), 3.0);
}

TEST(DatasetTest, ATaskWhoseFirstWriteFailsIsNotListed) {
  const std::string dir = WriteDataset("failed_first_write", 2);
  DatasetWriterOptions options = Options(dir);
  options.append = true;
  ASSERT_OK_AND_ASSIGN(auto writer, DatasetWriter::Open(options));
  {
    ScopedFileSizeLimit limit(10);  // not even one record
    ASSERT_TRUE(limit.ok());
    EXPECT_THAT(writer->Add(MakeEpisode("new/task", 7, 1.0)).status(), StatusIs(absl::StatusCode::kInternal));
  }
  ASSERT_OK(writer->Close());
  EXPECT_EQ(PartialShardSize(dir), -1) << "the empty shard is deleted";
  ASSERT_OK_AND_ASSIGN(Dataset dataset, LoadDataset(dir));
  EXPECT_TRUE(dataset.report.warnings.empty());
  EXPECT_EQ(dataset.episodes.count("new/task"), 0u);
  for (const TaskSummary& t : dataset.manifest.tasks()) EXPECT_NE(t.task(), "new/task");
}

TEST(DatasetTest, AnEpisodeThatDoesNotFitTheTasksSpecsNamesTheDifference) {
  const std::string dir = TempDir("spec_mismatch");
  ASSERT_OK_AND_ASSIGN(auto writer, DatasetWriter::Open(Options(dir)));
  ASSERT_OK(writer->Add(MakeEpisode("mujoco/b", 0, 1, 4, /*obs_size=*/3)).status());
  EXPECT_THAT(writer->Add(MakeEpisode("mujoco/b", 1, 1, 4, /*obs_size=*/4)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("episode of 'mujoco/b' does not fit the dataset's specs for that task: observation "
                                 "'state' is float32[4]; the dataset's is float32[3]")));
  ASSERT_OK(writer->Close());
}

}  // namespace
}  // namespace calico
