#include "agent/train.h"

#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/collect.h"
#include "agent/scenes_data.h"
#include "base/file_io.h"
#include "base/file_lock.h"
#include "base/status_matchers.h"
#include "envs/all_tasks.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/adamw.h"
#include "model/checkpoint.h"
#include "model/config.h"
#include "model/trainer.h"
#include "policies/experts.h"
#include "tokenizers/text/text_tokenizer.h"
#include "tokenizers/text/train_text_model.h"

namespace calico {
namespace {

using ::testing::Contains;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kTextModel[] = "tokenizers/text/calico_text.model";

std::string TempDir(const std::string& name) { return absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name); }

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// One metrics.jsonl record, the deterministic fields only.
struct Metric {
  int64_t step;
  std::string loss, grad_norm, learning_rate;  // as written: compared exactly
  bool operator==(const Metric& o) const {
    return step == o.step && loss == o.loss && grad_norm == o.grad_norm && learning_rate == o.learning_rate;
  }
};

// The value of `key` in a metrics line, as written; a missing key fails the test (so two
// runs' metrics never compare equal for want of a field).
std::string Field(const std::string& line, const std::string& key) {
  const size_t at = line.find(absl::StrCat("\"", key, "\": "));
  if (at == std::string::npos) {
    ADD_FAILURE() << "no \"" << key << "\" in the metrics line " << line;
    return "";
  }
  const size_t begin = at + key.size() + 4;
  return line.substr(begin, line.find_first_of(",}", begin) - begin);
}

std::vector<Metric> ReadMetrics(const std::string& dir) {
  std::vector<Metric> metrics;
  absl::StatusOr<std::string> text = ReadFile(absl::StrCat(dir, "/", kMetricsFile));
  if (!text.ok()) {
    ADD_FAILURE() << text.status();
    return metrics;
  }
  for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
    const std::string s(line);
    metrics.push_back({std::stoll(Field(s, "step")), Field(s, "loss"), Field(s, "grad_norm"), Field(s, "learning_rate")});
  }
  return metrics;
}

// Two runs' metrics, update by update: both logged something and every logged loss,
// gradient norm and learning rate is the same text.
void ExpectSameMetrics(const std::string& dir_a, const std::string& dir_b) {
  const std::vector<Metric> a = ReadMetrics(dir_a), b = ReadMetrics(dir_b);
  EXPECT_FALSE(a.empty()) << dir_a;
  EXPECT_TRUE(a == b) << dir_a << " (" << a.size() << " lines) and " << dir_b << " (" << b.size() << " lines)";
}

class TrainTest : public ::testing::Test {
 protected:
  // Two real tasks' expert episodes, collected once: a MuJoCo task (continuous tokens)
  // and an arcade game (a 100-token discrete board per timestep).
  static void SetUpTestSuite() {
    CollectOptions options;
    options.tasks = {"mujoco/cartpole_balance", "arcade/breakout"};
    options.episodes = 2;
    options.threads = 2;
    options.directory = TempDir("data");
    PolicyFactory experts = [](const std::string& task, const Environment& env) {
      return MakeNamedPolicy("expert", task, env.action_spec());
    };
    absl::StatusOr<CollectReport> report = Collect(AllTasks(), experts, options, nullptr);
    ASSERT_OK(report.status());
  }

  // A nano run on the collected data, 4 x 256 positions (a breakout timestep is 102).
  static TrainConfig Config(const std::string& output_dir, int64_t max_steps, const std::string& extra = "",
                            int64_t decay_steps = 40) {
    const std::string text = absl::StrCat(
        "datasets: \"", TempDir("data"), "\"\n preset: \"nano\"\n batch_size: 4 sequence_length: 256\n",
        "max_steps: ", max_steps, "\n decay_steps: ", decay_steps, " warmup_steps: 4 learning_rate: 0.005\n",
        "log_every_steps: 1 threads: 1 seed: 7\n output_dir: \"", output_dir, "\"\n", extra);
    absl::StatusOr<TrainConfig> config = ParseTrainConfig(text, "test");
    EXPECT_OK(config.status());
    return config.ok() ? *config : TrainConfig();
  }

  static TrainOptions Options() {
    TrainOptions options;
    options.text_model_path = kTextModel;
    return options;
  }

  // The fitted run twice: uninterrupted in `straight`, and stopped after update 12 (past
  // the fit) in `split`, to be resumed. Defined below, beside the test clock.
  static void RunStraightAndStoppedFittedRuns(const std::string& straight, const std::string& split);
};

TEST_F(TrainTest, LossFallsOnCollectedEpisodesAndEveryStepIsRecorded) {
  const std::string dir = TempDir("falls");
  std::ostringstream progress;
  TrainOptions options = Options();
  options.progress = &progress;
  ASSERT_OK_AND_ASSIGN(TrainReport report, RunTraining(Config(dir, 30), options));
  EXPECT_EQ(report.first_step, 0);
  EXPECT_EQ(report.steps, 30);
  EXPECT_FALSE(report.stopped);
  EXPECT_EQ(report.episodes_per_task.at("arcade/breakout"), 2);
  EXPECT_EQ(report.episodes_per_task.at("mujoco/cartpole_balance"), 2);
  EXPECT_GT(report.tokens_per_second, 0);

  const std::vector<Metric> metrics = ReadMetrics(dir);
  ASSERT_EQ(metrics.size(), 30u);
  double first = 0, last = 0;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(metrics[i].step, i);
    first += std::stod(metrics[i].loss) / 5;
    last += std::stod(metrics[25 + i].loss) / 5;
  }
  // From about ln(2624) = 7.9 (uniform) it must fall well below: tokens are predictable.
  EXPECT_GT(first, 5.0);
  std::cerr << "mean loss of the first 5 steps " << first << ", of the last 5 " << last << "\n";
  EXPECT_LT(last, first - 2.0) << "first 5 steps' mean loss " << first << ", last 5 steps' " << last;
  // Per-task losses are recorded for both tasks.
  ASSERT_OK_AND_ASSIGN(std::string text, ReadFile(absl::StrCat(dir, "/", kMetricsFile)));
  EXPECT_THAT(text, HasSubstr("\"task_loss\": {\"arcade/breakout\": "));
  EXPECT_THAT(text, HasSubstr("\"mujoco/cartpole_balance\": "));

  ASSERT_OK_AND_ASSIGN(std::string saved, ReadFile(absl::StrCat(dir, "/", kRunConfigFile)));
  ASSERT_OK_AND_ASSIGN(TrainConfig reread, ParseTrainConfig(saved, kRunConfigFile));
  EXPECT_EQ(reread.max_steps(), 30);
  EXPECT_EQ(reread.keep_checkpoints(), 3) << "defaults are written out";

  // The end writes a checkpoint and LATEST names it; the progress shows the figures.
  ASSERT_OK_AND_ASSIGN(std::string latest, LatestCheckpoint(dir));
  EXPECT_EQ(latest, absl::StrCat(dir, "/ckpt-000030"));
  EXPECT_EQ(report.last_checkpoint, latest);
  // Trained on 256-position sequences, so the checkpoint's context is 256 (nano's is 1024).
  ASSERT_OK_AND_ASSIGN(ModelConfig stored, ReadCheckpointConfig(latest));
  EXPECT_EQ(stored.context_length(), 256);
  EXPECT_THAT(progress.str(), HasSubstr("step 30/30"));
  EXPECT_THAT(progress.str(), HasSubstr("tokens/s"));
  EXPECT_THAT(progress.str(), HasSubstr("ETA"));
  EXPECT_THAT(progress.str(), HasSubstr("done after 30 updates"));
}

TEST_F(TrainTest, ResumedRunEqualsAnUninterruptedOneBitForBit) {
  const std::string straight = TempDir("straight"), split = TempDir("split");
  ASSERT_OK(RunTraining(Config(straight, 10, "checkpoint_every_steps: 3"), Options()).status());
  ASSERT_OK(RunTraining(Config(split, 5, "checkpoint_every_steps: 3"), Options()).status());
  // A step past the checkpoint whose record the resumed run must replace: simulate a
  // run killed after step 5 by appending a stale record.
  {
    std::ofstream stale(absl::StrCat(split, "/", kMetricsFile), std::ios::app);
    stale << "{\"step\": 5, \"loss\": 99}\n";
  }
  TrainOptions resume = Options();
  resume.resume = true;
  ASSERT_OK_AND_ASSIGN(TrainReport report, RunTraining(Config(split, 10, "checkpoint_every_steps: 3"), resume));
  EXPECT_EQ(report.first_step, 5);
  EXPECT_EQ(report.steps, 10);

  ASSERT_OK_AND_ASSIGN(std::string a, ReadFile(absl::StrCat(straight, "/ckpt-000010")));
  ASSERT_OK_AND_ASSIGN(std::string b, ReadFile(absl::StrCat(split, "/ckpt-000010")));
  EXPECT_TRUE(a == b) << "parameters, moments, step and RNG are bit-identical";
  const std::vector<Metric> ma = ReadMetrics(straight), mb = ReadMetrics(split);
  ASSERT_EQ(ma.size(), 10u);
  EXPECT_TRUE(ma == mb) << "loss, grad_norm and learning rate of every step are identical";
  // Checkpoints every 3 updates and at the end; the default keeps the newest 3.
  EXPECT_FALSE(Exists(absl::StrCat(straight, "/ckpt-000003")));
  EXPECT_TRUE(Exists(absl::StrCat(straight, "/ckpt-000006")));
  EXPECT_TRUE(Exists(absl::StrCat(straight, "/ckpt-000009")));
}

// A clock for TrainOptions::clock whose every reading is one second after the last
// (RunTraining reads it once at the start and once after each update, so update n ends
// at second n); when `stop` is given it is set at the reading that ends update
// `stop_after`.
std::function<double()> SecondPerReading(std::atomic<bool>* stop = nullptr, int64_t stop_after = 0) {
  auto readings = std::make_shared<int64_t>(0);
  return [readings, stop, stop_after] {
    const int64_t n = (*readings)++;
    if (stop != nullptr && n == stop_after) stop->store(true);
    return static_cast<double>(n);
  };
}

// A run fitted to `max_seconds` on the clock above, its progress in `progress`.
absl::StatusOr<TrainReport> RunFitted(const TrainConfig& config, std::ostringstream* progress) {
  TrainOptions options;
  options.text_model_path = kTextModel;
  options.clock = SecondPerReading();
  options.progress = progress;
  return RunTraining(config, options);
}

TEST_F(TrainTest, AFittedScheduleEndsInsideTheTimeBudgetAndEqualsARunConfiguredSo) {
  // 40 updates at a second each do not fit 20 seconds. The pace is measured over updates
  // 2-4 (the warm-up is 4): 1 s, with 16 s left after update 4, so 20 updates in all,
  // and the cosine (decay_steps 40 for max_steps 40) ends at update 20 too.
  const std::string fitted_dir = TempDir("fitted"), plain_dir = TempDir("fitted_plain");
  std::ostringstream progress;
  ASSERT_OK_AND_ASSIGN(TrainReport report,
                       RunFitted(Config(fitted_dir, 40, "max_seconds: 20 fit_steps_to_seconds: true"), &progress));
  EXPECT_EQ(report.steps, 20);
  EXPECT_FALSE(report.stopped);
  EXPECT_THAT(progress.str(), HasSubstr("1 s per update, so the run ends after 20 of max_steps 40 updates; the "
                                        "cosine ends at update 20"));
  EXPECT_THAT(progress.str(), HasSubstr("step 20/20"));
  EXPECT_THAT(progress.str(), HasSubstr("done after 20 updates")) << "ended by its steps, not by the clock";
  ASSERT_OK_AND_ASSIGN(std::string saved, ReadFile(absl::StrCat(fitted_dir, "/", kRunConfigFile)));
  ASSERT_OK_AND_ASSIGN(TrainConfig reread, ParseTrainConfig(saved, kRunConfigFile));
  EXPECT_EQ(reread.fitted_max_steps(), 20);
  EXPECT_EQ(reread.max_steps(), 40) << "the configured budget stays on record";

  // The same run configured with 20 updates and decay_steps 20 from the start: the fit
  // happened inside the warm-up, so nothing before it depended on decay_steps.
  ASSERT_OK(RunTraining(Config(plain_dir, 20, "", 20), Options()).status());
  ASSERT_OK_AND_ASSIGN(std::string a, ReadFile(absl::StrCat(fitted_dir, "/ckpt-000020")));
  ASSERT_OK_AND_ASSIGN(std::string b, ReadFile(absl::StrCat(plain_dir, "/ckpt-000020")));
  EXPECT_TRUE(a == b) << "parameters, moments, step and RNG are bit-identical";
  const std::vector<Metric> fitted = ReadMetrics(fitted_dir), plain = ReadMetrics(plain_dir);
  ASSERT_EQ(fitted.size(), 20u);
  EXPECT_TRUE(fitted == plain) << "every update's loss, gradient norm and learning rate";
  // The cosine finished: the last update ran near the floor (lr 0.005 -> 0.0005).
  EXPECT_LT(std::stod(fitted.back().learning_rate), 0.0006);
}

// Config extras of a run fitted to 20 updates (of 40) on the clock above.
constexpr char kFittedExtra[] = "max_seconds: 20 fit_steps_to_seconds: true checkpoint_every_steps: 5";

void TrainTest::RunStraightAndStoppedFittedRuns(const std::string& straight, const std::string& split) {
  TrainOptions options = Options();
  options.clock = SecondPerReading();
  ASSERT_OK(RunTraining(Config(straight, 40, kFittedExtra), options).status());
  std::atomic<bool> stop{false};
  options.clock = SecondPerReading(&stop, 12);
  options.stop = &stop;
  ASSERT_OK_AND_ASSIGN(TrainReport report, RunTraining(Config(split, 40, kFittedExtra), options));
  EXPECT_TRUE(report.stopped);
  EXPECT_EQ(report.steps, 12);
}

TEST_F(TrainTest, AResumedFittedRunKeepsItsFitAndEqualsAnUninterruptedOne) {
  const std::string straight = TempDir("fit_straight"), split = TempDir("fit_split");
  const std::string extra = kFittedExtra;
  ASSERT_NO_FATAL_FAILURE(RunStraightAndStoppedFittedRuns(straight, split));

  // Resumed with a clock that starts over (another 20 seconds, which would hold updates
  // to 32): it keeps the recorded 20.
  TrainReport report;
  TrainOptions resume = Options();
  resume.resume = true;
  resume.clock = SecondPerReading();
  std::ostringstream progress;
  resume.progress = &progress;
  ASSERT_OK_AND_ASSIGN(report, RunTraining(Config(split, 40, extra), resume));
  EXPECT_EQ(report.first_step, 12);
  EXPECT_EQ(report.steps, 20);
  EXPECT_THAT(progress.str(), Not(HasSubstr("changed config fields")));
  EXPECT_THAT(progress.str(), Not(HasSubstr("fit to max_seconds")));
  ASSERT_OK_AND_ASSIGN(std::string a, ReadFile(absl::StrCat(straight, "/ckpt-000020")));
  ASSERT_OK_AND_ASSIGN(std::string b, ReadFile(absl::StrCat(split, "/ckpt-000020")));
  EXPECT_TRUE(a == b);
  ExpectSameMetrics(straight, split);

  // A resume that asks for another number of updates is not fitted again (the pace was
  // measured in the warm-up, long past) and says so.
  std::ostringstream more;
  resume.progress = &more;
  ASSERT_OK_AND_ASSIGN(report, RunTraining(Config(split, 24, extra), resume));
  EXPECT_EQ(report.steps, 24);
  EXPECT_THAT(more.str(), HasSubstr("max_steps: 40 -> 24"));
  EXPECT_THAT(more.str(), HasSubstr("not fitting the schedule to max_seconds: the run resumes after update 20"));
  EXPECT_THAT(more.str(), HasSubstr("the fit it recorded (20 updates) was for max_steps 40; the schedule follows "
                                    "max_steps 24"));
}

// A curriculum keeps its shares on a slower machine: fitted from 40 updates to 20, a
// phase configured at update 20 starts at update 10, and the run equals one configured
// with 20 updates and the phase at 10; stopped before the phase and resumed, it still does.
TEST_F(TrainTest, AFittedScheduleMovesItsPhasesAndEqualsARunConfiguredSo) {
  auto phases = [](int64_t from) {
    return absl::StrCat("task_weights { task: \"mujoco/cartpole_balance\" weight: 1 }\n",
                        "task_weight_phases { from_step: ", from, " task_weights { task: \"arcade/breakout\" weight: 1 } }\n");
  };
  const std::string fitted_extra = absl::StrCat("max_seconds: 20 fit_steps_to_seconds: true\n", phases(20));
  const std::string fitted_dir = TempDir("fitted_phases"), plain_dir = TempDir("fitted_phases_plain");
  std::ostringstream progress;
  ASSERT_OK_AND_ASSIGN(TrainReport report, RunFitted(Config(fitted_dir, 40, fitted_extra), &progress));
  EXPECT_EQ(report.steps, 20);
  EXPECT_THAT(progress.str(), HasSubstr("task weights change at update 20 (task_weight_phases)\n"));
  EXPECT_THAT(progress.str(), HasSubstr("the task weight phases move with the fitted schedule: they start at update 10 "
                                        "(configured: 20)\n"));
  EXPECT_THAT(progress.str(), HasSubstr("update 10: the task weights of task_weight_phases[0] from here on\n"));
  const std::vector<Metric> fitted = ReadMetrics(fitted_dir);
  ASSERT_OK_AND_ASSIGN(std::string text, ReadFile(absl::StrCat(fitted_dir, "/", kMetricsFile)));
  const std::vector<std::string> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 20u);
  for (int step = 0; step < 20; ++step) {
    EXPECT_EQ(lines[step].find("\"arcade/breakout\": ") != std::string::npos, step >= 10) << lines[step];
  }

  ASSERT_OK(RunTraining(Config(plain_dir, 20, phases(10), 20), Options()).status());
  ASSERT_OK_AND_ASSIGN(std::string a, ReadFile(absl::StrCat(fitted_dir, "/ckpt-000020")));
  ASSERT_OK_AND_ASSIGN(std::string b, ReadFile(absl::StrCat(plain_dir, "/ckpt-000020")));
  EXPECT_TRUE(a == b) << "parameters, moments, step and RNG are bit-identical";
  EXPECT_TRUE(fitted == ReadMetrics(plain_dir)) << "every update's loss, gradient norm and learning rate";

  // Stopped after update 7 (fitted, the phase not yet come), then resumed on a clock
  // that starts over: the recorded fit moves the phase again.
  auto stopped_after = [&](const std::string& dir, int64_t updates) {
    std::atomic<bool> stop{false};
    TrainOptions options = Options();
    options.clock = SecondPerReading(&stop, updates);
    options.stop = &stop;
    absl::StatusOr<TrainReport> stopped = RunTraining(Config(dir, 40, fitted_extra), options);
    ASSERT_OK(stopped.status());
    ASSERT_TRUE(stopped->stopped);
    ASSERT_EQ(stopped->steps, updates);
  };
  const std::string split = TempDir("fitted_phases_split");
  ASSERT_NO_FATAL_FAILURE(stopped_after(split, 7));
  TrainOptions resume = Options();
  resume.resume = true;
  resume.clock = SecondPerReading();
  std::ostringstream resumed;
  resume.progress = &resumed;
  ASSERT_OK_AND_ASSIGN(report, RunTraining(Config(split, 40, fitted_extra), resume));
  EXPECT_EQ(report.steps, 20);
  EXPECT_THAT(resumed.str(), HasSubstr("task weights change at update 10 (task_weight_phases, moved with the fitted "
                                       "schedule from 20)\n"));
  EXPECT_THAT(resumed.str(), HasSubstr("update 10: the task weights of task_weight_phases[0] from here on\n"));
  ASSERT_OK_AND_ASSIGN(std::string c, ReadFile(absl::StrCat(split, "/ckpt-000020")));
  EXPECT_TRUE(a == c) << "the resumed run is bit-identical too";
  EXPECT_TRUE(fitted == ReadMetrics(split));

  // Stopped after update 12, past the moved phase: a resume with other max_steps keeps
  // no fit, so the phase goes back to update 20, and the log says the run steps back.
  const std::string past = TempDir("fitted_phases_past");
  ASSERT_NO_FATAL_FAILURE(stopped_after(past, 12));
  std::ostringstream back;
  resume.progress = &back;
  ASSERT_OK_AND_ASSIGN(report, RunTraining(Config(past, 24, fitted_extra), resume));
  EXPECT_EQ(report.steps, 24);
  EXPECT_THAT(back.str(), HasSubstr("task weights change at update 20 (task_weight_phases)\n"));
  EXPECT_THAT(back.str(), HasSubstr("note: the task weight phases go back to their configured starts (the fitted run "
                                    "had them at update 10); from update 12 the run draws with task_weights again, "
                                    "after drawing with task_weight_phases[0]\n"));
}

// The phase moved next to the fit itself: fitted after update 4 (the warm-up), a phase
// configured at 8 would move to 4, where the batch in flight was drawn before the fit;
// it starts at 5, and the run equals the one configured with the phase at 5.
TEST_F(TrainTest, APhaseMovedNextToTheFitEqualsARunConfiguredSo) {
  auto phases = [](int64_t from) {
    return absl::StrCat("task_weights { task: \"mujoco/cartpole_balance\" weight: 1 }\n",
                        "task_weight_phases { from_step: ", from, " task_weights { task: \"arcade/breakout\" weight: 1 } }\n");
  };
  const std::string fitted_dir = TempDir("fit_edge"), plain_dir = TempDir("fit_edge_plain");
  std::ostringstream progress;
  ASSERT_OK(RunFitted(Config(fitted_dir, 40, absl::StrCat("max_seconds: 20 fit_steps_to_seconds: true\n", phases(8))),
                      &progress)
                .status());
  EXPECT_THAT(progress.str(), HasSubstr("they start at update 5 (configured: 8)\n"));
  ASSERT_OK(RunTraining(Config(plain_dir, 20, phases(5), 20), Options()).status());
  ASSERT_OK_AND_ASSIGN(std::string a, ReadFile(absl::StrCat(fitted_dir, "/ckpt-000020")));
  ASSERT_OK_AND_ASSIGN(std::string b, ReadFile(absl::StrCat(plain_dir, "/ckpt-000020")));
  EXPECT_TRUE(a == b) << "parameters, moments, step and RNG are bit-identical";
  ExpectSameMetrics(fitted_dir, plain_dir);
}

TEST_F(TrainTest, ADatasetIsNotAnOutputDirectory) {
  // The fixture's dataset is this run's own input: checkpoints must not go into it.
  EXPECT_THAT(RunTraining(Config(TempDir("data"), 2), Options()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("holds a dataset (MANIFEST.textproto); write the run to a directory of its own")));
  EXPECT_FALSE(Exists(absl::StrCat(TempDir("data"), "/", kLatestCheckpointFile)));
}

TEST_F(TrainTest, AMissingConfigRecordIsReportedOnResume) {
  const std::string dir = TempDir("record_missing");
  ASSERT_OK(RunTraining(Config(dir, 2), Options()).status());
  const std::string record = absl::StrCat(dir, "/", kRunConfigFile);
  ASSERT_EQ(std::remove(record.c_str()), 0);
  TrainOptions resume = Options();
  resume.resume = true;
  std::ostringstream progress;
  resume.progress = &progress;
  ASSERT_OK_AND_ASSIGN(TrainReport report, RunTraining(Config(dir, 3), resume));
  EXPECT_EQ(report.steps, 3);
  EXPECT_THAT(progress.str(), HasSubstr("warning: the run's config record cannot be read"));
  EXPECT_THAT(progress.str(), HasSubstr(absl::StrCat(record, " is missing")));
  EXPECT_TRUE(Exists(record));  // this invocation's config is the record now
}

TEST_F(TrainTest, AnUnreadableConfigRecordIsReportedAndAFitCanBeGivenBack) {
  const std::string straight = TempDir("record_straight"), split = TempDir("record_split");
  const std::string copy = TempDir("record_split_copy");
  const std::string extra = kFittedExtra;
  ASSERT_NO_FATAL_FAILURE(RunStraightAndStoppedFittedRuns(straight, split));
  std::filesystem::copy(split, copy, std::filesystem::copy_options::recursive);
  for (const std::string& dir : {split, copy}) {
    ASSERT_OK(WriteFileAtomically(absl::StrCat(dir, "/", kRunConfigFile), "max_steps: {{{ garbage"));
  }
  TrainOptions resume = Options();
  resume.resume = true;
  resume.clock = SecondPerReading();

  // The resume cannot know the fit (20 updates) and says how to give it back (the copy
  // is stopped after one update: its schedule is no longer the fitted one).
  std::atomic<bool> stop{false};
  TrainOptions stopped = resume;
  stopped.stop = &stop;
  stopped.clock = SecondPerReading(&stop, 1);  // set at the reading after the first update
  std::ostringstream warned;
  stopped.progress = &warned;
  ASSERT_OK(RunTraining(Config(copy, 40, extra), stopped).status());
  EXPECT_THAT(warned.str(), HasSubstr("warning: the run's config record cannot be read"));
  EXPECT_THAT(warned.str(), HasSubstr("set fitted_max_steps in the config to keep it"));

  // Given back in the config, there is nothing to advise, and the run ends as the
  // uninterrupted one did.
  std::ostringstream progress;
  resume.progress = &progress;
  ASSERT_OK_AND_ASSIGN(TrainReport report, RunTraining(Config(split, 40, extra + " fitted_max_steps: 20"), resume));
  EXPECT_THAT(progress.str(), HasSubstr("warning: the run's config record cannot be read"));
  EXPECT_THAT(progress.str(), Not(HasSubstr("set fitted_max_steps")));
  EXPECT_EQ(report.steps, 20);
  ASSERT_OK_AND_ASSIGN(std::string a, ReadFile(absl::StrCat(straight, "/ckpt-000020")));
  ASSERT_OK_AND_ASSIGN(std::string b, ReadFile(absl::StrCat(split, "/ckpt-000020")));
  EXPECT_TRUE(a == b);
  ASSERT_OK_AND_ASSIGN(std::string rewritten, ReadFile(absl::StrCat(split, "/", kRunConfigFile)));
  ASSERT_OK_AND_ASSIGN(TrainConfig reread, ParseTrainConfig(rewritten, kRunConfigFile));
  EXPECT_EQ(reread.fitted_max_steps(), 20);
}

TEST_F(TrainTest, AFitWhereEverythingFitsChangesNothing) {
  const std::string dir = TempDir("fits"), plain_dir = TempDir("fits_plain");
  std::ostringstream progress;
  ASSERT_OK_AND_ASSIGN(TrainReport report,
                       RunFitted(Config(dir, 12, "max_seconds: 100 fit_steps_to_seconds: true", 12), &progress));
  EXPECT_EQ(report.steps, 12);
  EXPECT_THAT(progress.str(), HasSubstr("all 12 updates fit; the cosine ends at update 12"));
  ASSERT_OK(RunTraining(Config(plain_dir, 12, "", 12), Options()).status());
  const std::vector<Metric> fitted = ReadMetrics(dir);
  ASSERT_EQ(fitted.size(), 12u);
  EXPECT_TRUE(fitted == ReadMetrics(plain_dir));
}

TEST_F(TrainTest, ABudgetSpentBeforeTheFitSaysNothingWasFitted) {
  // Warm-up 4, so the pace is measured at update 4; the clock's 2.5 seconds end the run
  // after update 3, still warming up.
  const std::string dir = TempDir("unfitted");
  std::ostringstream progress;
  ASSERT_OK_AND_ASSIGN(TrainReport report,
                       RunFitted(Config(dir, 40, "max_seconds: 2.5 fit_steps_to_seconds: true"), &progress));
  EXPECT_LT(report.steps, 4);
  EXPECT_THAT(progress.str(), HasSubstr("time budget reached"));
  EXPECT_THAT(progress.str(), HasSubstr("note: max_seconds (2.5) ran out before update 4, where "
                                        "fit_steps_to_seconds measures the pace, so nothing was fitted"));
  // A budget that outlasts the fit says nothing of the kind.
  std::ostringstream fitted;
  ASSERT_OK(RunFitted(Config(TempDir("fitted_after"), 40, "max_seconds: 8 fit_steps_to_seconds: true"), &fitted)
                .status());
  EXPECT_THAT(fitted.str(), Not(HasSubstr("nothing was fitted")));
}

TEST(TrainScheduleFitTest, StepsThatFitAndTheScaledDecayMatchHandComputedValues) {
  EXPECT_EQ(StepsThatFit(10, 100.0, 1.0, 450), 110);
  EXPECT_EQ(StepsThatFit(10, 99.99, 1.0, 450), 109);
  EXPECT_EQ(StepsThatFit(10, 470.0, 4.0, 450), 127);  // 117.5 more, whole updates only
  EXPECT_EQ(StepsThatFit(10, 1000.0, 1.0, 450), 450);
  EXPECT_EQ(StepsThatFit(10, -5.0, 1.0, 450), 10) << "over budget already: stop where it is";
  EXPECT_EQ(StepsThatFit(10, 100.0, 0.0, 450), 450) << "no measured pace: keep the budget";
  EXPECT_EQ(StepsThatFit(10, 100.0, std::nan(""), 450), 450);
  EXPECT_EQ(StepsThatFit(10, 1e300, 1e-300, 450), 450);

  TrainConfig config;
  config.set_max_steps(450);
  config.set_decay_steps(450);
  config.set_warmup_steps(30);
  EXPECT_EQ(EffectiveMaxSteps(config), 450);
  EXPECT_EQ(EffectiveDecaySteps(config), 450);
  config.set_fit_steps_to_seconds(true);
  config.set_fitted_max_steps(118);
  EXPECT_EQ(EffectiveMaxSteps(config), 118);
  EXPECT_EQ(EffectiveDecaySteps(config), 118);
  config.set_decay_steps(900);
  EXPECT_EQ(EffectiveDecaySteps(config), 236);
  config.set_decay_steps(451);
  EXPECT_EQ(EffectiveDecaySteps(config), 118);  // 118.26 rounds down
  config.set_fitted_max_steps(20);
  EXPECT_EQ(EffectiveDecaySteps(config), 30) << "never before the warm-up ends";
}

// Phases move with a fit as decay_steps does (hand-computed: fitted 50 of 100, the fit
// made after update min(10, warmup 4) = 4).
TEST(TrainScheduleFitTest, PhaseStartsMoveWithTheFitButNotIntoItsWindow) {
  TrainConfig config;
  config.set_max_steps(100);
  config.set_warmup_steps(4);
  for (int64_t from : {3, 5, 6, 31, 90}) config.add_task_weight_phases()->set_from_step(from);
  EXPECT_EQ(EffectivePhaseStarts(config), (std::vector<int64_t>{3, 5, 6, 31, 90})) << "not fitted: as configured";
  config.set_fit_steps_to_seconds(true);
  config.set_fitted_max_steps(100);
  EXPECT_EQ(EffectivePhaseStarts(config), (std::vector<int64_t>{3, 5, 6, 31, 90})) << "everything fit";
  config.set_fitted_max_steps(50);
  // 3: inside the fit's window, stays. 5 and 6 (2.5 and 3): not before update 5, and one
  // apart. 31: 15.5 rounds to 16. 90: 45.
  EXPECT_EQ(EffectivePhaseStarts(config), (std::vector<int64_t>{3, 5, 6, 16, 45}));
  config.set_warmup_steps(30);  // the window is 10 updates: 12 (6) moves no earlier than 11
  config.clear_task_weight_phases();
  for (int64_t from : {12, 40}) config.add_task_weight_phases()->set_from_step(from);
  EXPECT_EQ(EffectivePhaseStarts(config), (std::vector<int64_t>{11, 20}));
  config.set_max_steps(40);
  config.set_fitted_max_steps(20);
  config.set_warmup_steps(4);
  config.clear_task_weight_phases();
  config.add_task_weight_phases()->set_from_step(39);
  EXPECT_EQ(EffectivePhaseStarts(config), (std::vector<int64_t>{19})) << "19.5 would round onto the end";
}

TEST_F(TrainTest, WhatLoadingSkippedIsPrintedAsAWarning) {
  // A copy of the data with an unfinished shard beside the finished ones.
  const std::string data = TempDir("data_with_partial");
  std::filesystem::copy(TempDir("data"), data, std::filesystem::copy_options::recursive);
  ASSERT_OK(WriteFileAtomically(data + "/shard-00099-x.tfrecord.partial", "half a shard"));
  TrainConfig config = Config(TempDir("warned"), 1);
  config.set_datasets(0, data);
  std::ostringstream progress;
  TrainOptions options = Options();
  options.progress = &progress;
  ASSERT_OK(RunTraining(config, options).status());
  EXPECT_THAT(progress.str(), HasSubstr(absl::StrCat("warning: dataset ", data, ": ", data,
                                                     "/shard-00099-x.tfrecord.partial: unfinished shard")));
}

TEST_F(TrainTest, ADamagedLatestCheckpointNamesTheOlderOnes) {
  const std::string dir = TempDir("damaged_latest");
  ASSERT_OK(RunTraining(Config(dir, 3, "checkpoint_every_steps: 1"), Options()).status());
  ASSERT_OK_AND_ASSIGN(std::string latest, LatestCheckpoint(dir));
  ASSERT_OK_AND_ASSIGN(std::string bytes, ReadFile(latest));
  bytes[bytes.size() / 2] ^= 0x40;
  ASSERT_OK(WriteFileAtomically(latest, bytes));
  TrainOptions resume = Options();
  resume.resume = true;
  EXPECT_THAT(RunTraining(Config(dir, 4, "checkpoint_every_steps: 1"), resume),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("checksum mismatch"), HasSubstr("the run also holds ckpt-000001, ckpt-000002"),
                             HasSubstr("write its name into " + dir + "/LATEST"))));
}

TEST_F(TrainTest, ABatchNoMachineHoldsIsRefusedBeforeAnyWork) {
  const std::string dir = TempDir("huge_batch");
  TrainConfig config = Config(dir, 4);
  config.set_batch_size(100000000);
  EXPECT_THAT(RunTraining(config, Options()),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       AllOf(HasSubstr("batch_size x sequence_length = 100000000 x 256 with model nano needs up to"),
                             HasSubstr("GiB of "), HasSubstr("; lower batch_size or sequence_length"))));
  EXPECT_FALSE(Exists(absl::StrCat(dir, "/", kRunConfigFile))) << "nothing written";
}

TEST_F(TrainTest, LossBreakdownAddsUpToTheStepLoss) {
  // One task: its loss and the action loss are the whole batch's loss (every target is
  // an action token; the data holds no text, so text_loss is null).
  const std::string one = TempDir("one_task");
  ASSERT_OK(RunTraining(Config(one, 3, "task_weights { task: \"mujoco/cartpole_balance\" weight: 1 }"), Options())
                .status());
  ASSERT_OK_AND_ASSIGN(std::string text, ReadFile(absl::StrCat(one, "/", kMetricsFile)));
  int lines = 0;
  for (absl::string_view view : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    const std::string line(view);
    ++lines;
    const double loss = std::stod(Field(line, "loss"));
    EXPECT_NEAR(std::stod(Field(line, "action_loss")), loss, 1e-4 * loss) << line;
    EXPECT_NEAR(std::stod(Field(line, "mujoco/cartpole_balance")), loss, 1e-4 * loss) << line;
    EXPECT_EQ(Field(line, "text_loss"), "null");
    EXPECT_EQ(line.find("arcade/breakout"), std::string::npos) << "a task with weight 0 is never sampled";
  }
  EXPECT_EQ(lines, 3);

  // Two tasks: the batch loss is a target-weighted mean of the tasks' losses, so it lies
  // between them (and the two differ: one task's targets are far easier).
  const std::string two = TempDir("two_tasks");
  ASSERT_OK(RunTraining(Config(two, 3), Options()).status());
  ASSERT_OK_AND_ASSIGN(text, ReadFile(absl::StrCat(two, "/", kMetricsFile)));
  int two_task_lines = 0;
  for (absl::string_view view : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    ++two_task_lines;
    const std::string line(view);
    const double loss = std::stod(Field(line, "loss"));
    const double a = std::stod(Field(line, "arcade/breakout"));
    const double b = std::stod(Field(line, "mujoco/cartpole_balance"));
    EXPECT_NE(a, b);
    EXPECT_GE(loss, std::min(a, b) - 1e-4) << line;
    EXPECT_LE(loss, std::max(a, b) + 1e-4) << line;
  }
  EXPECT_EQ(two_task_lines, 3);
}

TEST_F(TrainTest, KeepCheckpointsZeroKeepsEveryOne) {
  const std::string dir = TempDir("keep_all");
  ASSERT_OK(RunTraining(Config(dir, 4, "checkpoint_every_steps: 1 keep_checkpoints: 0"), Options()).status());
  for (int step = 1; step <= 4; ++step) EXPECT_TRUE(Exists(absl::StrCat(dir, "/", CheckpointName(step)))) << step;
  const std::string two = TempDir("keep_two");
  ASSERT_OK(RunTraining(Config(two, 4, "checkpoint_every_steps: 1 keep_checkpoints: 2"), Options()).status());
  EXPECT_FALSE(Exists(absl::StrCat(two, "/ckpt-000002")));
  EXPECT_TRUE(Exists(absl::StrCat(two, "/ckpt-000003")));
  EXPECT_TRUE(Exists(absl::StrCat(two, "/ckpt-000004")));
}

TEST_F(TrainTest, PruningNeverTouchesLatestOrAnotherRunsCheckpoints) {
  // Checkpoints without LATEST belong to some other run: a fresh run refuses the directory.
  const std::string stray = TempDir("stray");
  ASSERT_OK(MakeDirectories(stray));
  ASSERT_OK(WriteFileAtomically(absl::StrCat(stray, "/ckpt-000100"), "not ours"));
  EXPECT_THAT(RunTraining(Config(stray, 2), Options()).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("holds checkpoints (ckpt-000100) but no LATEST")));

  // A later-step file beside a run (say a save whose LATEST write failed) is not pruned,
  // and does not push the run's own newest checkpoints out.
  const std::string dir = TempDir("prune");
  ASSERT_OK(RunTraining(Config(dir, 3, "checkpoint_every_steps: 1 keep_checkpoints: 2"), Options()).status());
  ASSERT_OK(WriteFileAtomically(absl::StrCat(dir, "/ckpt-000100"), "not ours"));
  ASSERT_OK(WriteFileAtomically(absl::StrCat(dir, "/ckpt-1000000"), "seven digits"));
  TrainOptions resume = Options();
  resume.resume = true;
  ASSERT_OK(RunTraining(Config(dir, 5, "checkpoint_every_steps: 1 keep_checkpoints: 2"), resume).status());
  ASSERT_OK_AND_ASSIGN(std::string latest, LatestCheckpoint(dir));
  EXPECT_EQ(latest, absl::StrCat(dir, "/ckpt-000005"));
  EXPECT_TRUE(Exists(absl::StrCat(dir, "/ckpt-000004")));
  EXPECT_FALSE(Exists(absl::StrCat(dir, "/ckpt-000003")));
  EXPECT_TRUE(Exists(absl::StrCat(dir, "/ckpt-000100")));
  EXPECT_TRUE(Exists(absl::StrCat(dir, "/ckpt-1000000")));

  // keep_checkpoints 1 keeps exactly the one LATEST names.
  const std::string one = TempDir("keep_one");
  ASSERT_OK(RunTraining(Config(one, 3, "checkpoint_every_steps: 1 keep_checkpoints: 1"), Options()).status());
  EXPECT_TRUE(Exists(absl::StrCat(one, "/ckpt-000003")));
  EXPECT_FALSE(Exists(absl::StrCat(one, "/ckpt-000002")));
}

TEST_F(TrainTest, TheLastUpdateIsRecordedHoweverTheRunEnds) {
  // Stopped on request after its first update, between logged steps: the record is
  // written without the loss breakdown.
  const std::string dir = TempDir("last_record");
  std::atomic<bool> stop{false};
  TrainOptions options = Options();
  options.stop = &stop;
  options.clock = SecondPerReading(&stop, 1);  // set at the reading after the first update
  std::ostringstream progress;
  options.progress = &progress;
  TrainConfig config = Config(dir, 4);
  config.set_log_every_steps(10);
  ASSERT_OK_AND_ASSIGN(TrainReport report, RunTraining(config, options));
  EXPECT_TRUE(report.stopped);
  const std::vector<Metric> metrics = ReadMetrics(dir);
  ASSERT_EQ(metrics.size(), 1u);
  EXPECT_EQ(metrics[0].step, 0);
  ASSERT_OK_AND_ASSIGN(std::string text, ReadFile(absl::StrCat(dir, "/", kMetricsFile)));
  EXPECT_THAT(text, HasSubstr("\"action_loss\": null"));
  EXPECT_THAT(text, HasSubstr("\"unlogged_final\": true"));
  EXPECT_THAT(progress.str(), HasSubstr("stopped on request after 1 updates"));

  // Resumed, the run's metrics are those of an uninterrupted one: the early stop's own
  // record goes.
  TrainOptions resume = Options();
  resume.resume = true;
  ASSERT_OK(RunTraining(config, resume).status());
  TrainConfig straight = Config(TempDir("last_record_straight"), 4);
  straight.set_log_every_steps(10);
  ASSERT_OK(RunTraining(straight, Options()).status());
  const std::vector<Metric> resumed = ReadMetrics(dir), uninterrupted = ReadMetrics(TempDir("last_record_straight"));
  ASSERT_EQ(uninterrupted.size(), 1u);  // the final update (step 3) only
  EXPECT_TRUE(resumed == uninterrupted);

  // A stop request that arrives during the final update: the run is done, not stopped.
  std::ostringstream finished;
  options.progress = &finished;
  stop.store(false);
  options.clock = SecondPerReading(&stop, 1);
  ASSERT_OK_AND_ASSIGN(report, RunTraining(Config(TempDir("last_step_stop"), 1), options));
  EXPECT_FALSE(report.stopped);
  EXPECT_THAT(finished.str(), HasSubstr("done after 1 updates"));
}

TEST_F(TrainTest, ResumeDropsAMetricsRecordTornByAKill) {
  const std::string dir = TempDir("torn");
  ASSERT_OK(RunTraining(Config(dir, 2), Options()).status());
  const std::string path = absl::StrCat(dir, "/", kMetricsFile);
  ASSERT_OK_AND_ASSIGN(std::string text, ReadFile(path));
  ASSERT_OK(WriteFileAtomically(path, absl::StrCat(text, "{\"step\": 1, \"loss\": 3.")));
  TrainOptions resume = Options();
  resume.resume = true;
  ASSERT_OK(RunTraining(Config(dir, 4), resume).status());
  const std::vector<Metric> metrics = ReadMetrics(dir);
  ASSERT_EQ(metrics.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(metrics[i].step, i);
  ASSERT_OK_AND_ASSIGN(std::string after, ReadFile(path));
  for (absl::string_view line : absl::StrSplit(after, '\n', absl::SkipEmpty())) {
    EXPECT_TRUE(absl::EndsWith(line, "}")) << line;
  }
}

TEST_F(TrainTest, AnotherSeedGivesAnotherRun) {
  // Guards the test above: equal checkpoints must not come from ignoring the batches.
  ASSERT_OK(RunTraining(Config(TempDir("seed7"), 3), Options()).status());
  TrainConfig other = Config(TempDir("seed8"), 3);
  other.set_seed(8);
  ASSERT_OK(RunTraining(other, Options()).status());
  EXPECT_FALSE(ReadMetrics(TempDir("seed7")) == ReadMetrics(TempDir("seed8")));
}

TEST_F(TrainTest, CheckpointsRecordTheTextModelAndAResumeRefusesAnother) {
  const std::string dir = TempDir("text_model");
  ASSERT_OK(RunTraining(Config(dir, 2), Options()).status());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TextTokenizer> text, TextTokenizer::Load(kTextModel));
  ASSERT_OK_AND_ASSIGN(std::string latest, LatestCheckpoint(dir));
  ASSERT_OK_AND_ASSIGN(ModelConfig stored, ReadCheckpointConfig(latest));
  EXPECT_EQ(stored.text_model_fingerprint(), text->fingerprint());

  const std::string other = TempDir("other_text.model");
  ASSERT_OK(TrainCalicoTextModel(300, other));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TextTokenizer> other_text, TextTokenizer::Load(other));
  TrainOptions resume = Options();
  resume.resume = true;
  resume.text_model_path = other;
  EXPECT_THAT(RunTraining(Config(dir, 4), resume),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr(text->fingerprint()), HasSubstr(other_text->fingerprint()),
                             HasSubstr("resume with the text model the run began with"))));
}

TEST_F(TrainTest, CheckpointsRecordTheTasksTheyWereTrainedOnOverEveryInvocation) {
  const std::string dir = TempDir("trained_tasks");
  ASSERT_OK(RunTraining(Config(dir, 2, "task_weights { task: \"mujoco/cartpole_balance\" weight: 1 }"), Options())
                .status());
  ASSERT_OK_AND_ASSIGN(std::string first, LatestCheckpoint(dir));
  ASSERT_OK_AND_ASSIGN(ModelConfig stored, ReadCheckpointConfig(first));
  EXPECT_THAT(stored.trained_tasks(), ::testing::ElementsAre("mujoco/cartpole_balance"));
  // Resumed on the other task only: both are on record, and the model is the same model.
  TrainOptions resume = Options();
  resume.resume = true;
  ASSERT_OK(RunTraining(Config(dir, 4, "task_weights { task: \"arcade/breakout\" weight: 1 }"), resume).status());
  ASSERT_OK_AND_ASSIGN(std::string second, LatestCheckpoint(dir));
  ASSERT_OK_AND_ASSIGN(ModelConfig resumed, ReadCheckpointConfig(second));
  EXPECT_THAT(resumed.trained_tasks(), ::testing::ElementsAre("arcade/breakout", "mujoco/cartpole_balance"));
  resumed.clear_trained_tasks();
  stored.clear_trained_tasks();
  EXPECT_THAT(ModelConfigDifferences(stored, resumed), ::testing::IsEmpty());
}

TEST_F(TrainTest, ARunFromBeforeTextModelFingerprintsResumesWithoutOne) {
  const std::string dir = TempDir("no_fingerprint");
  ASSERT_OK(RunTraining(Config(dir, 2), Options()).status());
  // Rewrite the latest checkpoint as an older calico wrote it: no text model recorded.
  ASSERT_OK_AND_ASSIGN(std::string latest, LatestCheckpoint(dir));
  ASSERT_OK_AND_ASSIGN(ModelConfig config, ReadCheckpointConfig(latest));
  config.clear_text_model_fingerprint();
  config.clear_trained_tasks();
  ASSERT_OK_AND_ASSIGN(Trainer old, Trainer::Create(config, AdamWOptions(), 1));
  ASSERT_OK(SaveCheckpoint(old, latest));
  TrainOptions resume = Options();
  resume.resume = true;
  ASSERT_OK(RunTraining(Config(dir, 4), resume).status());
  ASSERT_OK_AND_ASSIGN(std::string resumed, LatestCheckpoint(dir));
  EXPECT_NE(resumed, latest);
  ASSERT_OK_AND_ASSIGN(ModelConfig after, ReadCheckpointConfig(resumed));
  EXPECT_EQ(after.text_model_fingerprint(), "");
  EXPECT_EQ(after.trained_tasks_size(), 0) << "what the old checkpoint was trained on is unknown, so no list is kept";
}

TEST_F(TrainTest, AResumeWithChangedFieldsSaysWhichChanged) {
  const std::string dir = TempDir("changed");
  ASSERT_OK(RunTraining(Config(dir, 2), Options()).status());
  TrainOptions resume = Options();
  resume.resume = true;
  std::ostringstream same;
  resume.progress = &same;
  ASSERT_OK(RunTraining(Config(dir, 2), resume).status());
  EXPECT_THAT(same.str(), Not(HasSubstr("note: resuming")));

  std::ostringstream changed;
  resume.progress = &changed;
  TrainConfig config = Config(dir, 4);
  config.set_learning_rate(0.001);
  config.add_task_weights()->set_task("arcade/breakout");
  config.mutable_task_weights(0)->set_weight(1);
  config.clear_datasets();
  config.add_datasets(TempDir("data/"));  // the same data by another path: no change
  ASSERT_OK(RunTraining(config, resume).status());
  EXPECT_THAT(changed.str(), HasSubstr("note: resuming with changes (the run will differ"));
  EXPECT_THAT(changed.str(), HasSubstr("max_steps: 2 -> 4"));
  EXPECT_THAT(changed.str(), HasSubstr("learning_rate: 0.005 -> 0.001"));
  EXPECT_THAT(changed.str(), HasSubstr("data of mujoco/cartpole_balance: 2 episodes (2002 steps) -> none sampled; "
                                       "task_weights; max_steps: 2 -> 4; learning_rate: 0.005 -> 0.001\n"));
  EXPECT_THAT(changed.str(), Not(HasSubstr("datasets")));
}

TEST_F(TrainTest, AResumeOnOtherDataSaysSoAndBookkeepingChangesAreToldApart) {
  // A second cartpole dataset (other seeds): listed after the first, and then before it.
  CollectOptions collect;
  collect.tasks = {"mujoco/cartpole_balance"};
  collect.episodes = 2;
  collect.first_seed = 100;
  collect.threads = 1;
  collect.directory = TempDir("more_cartpole");
  PolicyFactory experts = [](const std::string& task, const Environment& env) {
    return MakeNamedPolicy("expert", task, env.action_spec());
  };
  ASSERT_OK(Collect(AllTasks(), experts, collect, nullptr).status());

  const std::string dir = TempDir("other_data");
  ASSERT_OK(RunTraining(Config(dir, 2), Options()).status());
  ASSERT_OK_AND_ASSIGN(std::string record, ReadFile(absl::StrCat(dir, "/", kRunConfigFile)));
  ASSERT_OK_AND_ASSIGN(TrainConfig recorded, ParseTrainConfig(record, kRunConfigFile));
  ASSERT_EQ(recorded.loaded_data_size(), 2);
  EXPECT_EQ(recorded.loaded_data(0).task(), "arcade/breakout");
  EXPECT_EQ(recorded.loaded_data(1).task(), "mujoco/cartpole_balance");
  EXPECT_EQ(recorded.loaded_data(1).episodes(), 2);
  EXPECT_EQ(recorded.loaded_data(1).steps(), 2002);  // two episodes of 1000 actions and a last timestep
  EXPECT_EQ(recorded.loaded_data(1).fingerprint().size(), 16u);

  TrainOptions resume = Options();
  resume.resume = true;
  std::ostringstream added;
  resume.progress = &added;
  TrainConfig more = Config(dir, 4, "checkpoint_every_steps: 3 keep_checkpoints: 5");
  more.add_datasets(TempDir("more_cartpole"));
  ASSERT_OK(RunTraining(more, resume).status());
  EXPECT_THAT(added.str(), HasSubstr("note: resuming with changes (the run will differ from an uninterrupted one): "
                                     "data of mujoco/cartpole_balance: 2 episodes (2002 steps) -> 4 episodes "
                                     "(4004 steps); max_steps: 2 -> 4\n"));
  EXPECT_THAT(added.str(), HasSubstr("note: resuming with changed config fields that do not change the run's "
                                     "numbers: checkpoint_every_steps: (unset) -> 3; keep_checkpoints: 3 -> 5\n"));
  EXPECT_THAT(added.str(), Not(HasSubstr("arcade/breakout:")));

  // The same episodes listed in another order are other batches.
  std::ostringstream reordered;
  resume.progress = &reordered;
  TrainConfig swapped = Config(dir, 6, "checkpoint_every_steps: 3 keep_checkpoints: 5");
  swapped.clear_datasets();
  swapped.add_datasets(TempDir("more_cartpole"));
  swapped.add_datasets(TempDir("data"));
  ASSERT_OK(RunTraining(swapped, resume).status());
  EXPECT_THAT(reordered.str(), HasSubstr("data of mujoco/cartpole_balance: as many episodes and steps (4, 4004), "
                                         "but other episodes or another order"));
  EXPECT_THAT(reordered.str(), Not(HasSubstr("do not change the run's numbers")));
}

TEST_F(TrainTest, AResumeWithNoUpdatesLeftWritesNothing) {
  const std::string dir = TempDir("nothing_to_do");
  TrainConfig four = Config(dir, 4);
  four.set_log_every_steps(3);
  ASSERT_OK(RunTraining(four, Options()).status());
  const std::string config_path = absl::StrCat(dir, "/", kRunConfigFile);
  ASSERT_OK_AND_ASSIGN(std::string record, ReadFile(config_path));
  ASSERT_OK_AND_ASSIGN(std::string metrics, ReadFile(absl::StrCat(dir, "/", kMetricsFile)));
  TrainOptions resume = Options();
  resume.resume = true;
  std::ostringstream progress;
  resume.progress = &progress;
  TrainConfig two = four;
  two.set_max_steps(2);
  ASSERT_OK_AND_ASSIGN(TrainReport report, RunTraining(two, resume));
  EXPECT_EQ(report.steps, 4);
  EXPECT_THAT(progress.str(), HasSubstr("nothing to do: 4 updates done, max_steps is 2"));
  // The record still says what the run did (max_steps 4), so a later resume's notes are
  // right, and the metrics keep the final record.
  ASSERT_OK_AND_ASSIGN(std::string after, ReadFile(config_path));
  EXPECT_EQ(after, record);
  ASSERT_OK_AND_ASSIGN(std::string metrics_after, ReadFile(absl::StrCat(dir, "/", kMetricsFile)));
  EXPECT_EQ(metrics_after, metrics);
}

TEST_F(TrainTest, AnEarlierEndByStepsThenAResumeGivesTheUninterruptedMetrics) {
  // Update 10 (step 9) is off the every-3 grid: the first invocation's final record of it
  // must not stay in a run that goes on to 20.
  const std::string split = TempDir("steps_split"), straight = TempDir("steps_straight");
  auto every_three = [](const std::string& dir, int64_t steps) {
    TrainConfig config = Config(dir, steps);
    config.set_log_every_steps(3);
    return config;
  };
  ASSERT_OK(RunTraining(every_three(split, 10), Options()).status());
  TrainOptions resume = Options();
  resume.resume = true;
  ASSERT_OK(RunTraining(every_three(split, 20), resume).status());
  ASSERT_OK(RunTraining(every_three(straight, 20), Options()).status());
  const std::vector<Metric> a = ReadMetrics(split), b = ReadMetrics(straight);
  ASSERT_EQ(b.size(), 7u);  // steps 2, 5, 8, 11, 14, 17 and the final 19
  EXPECT_TRUE(a == b);
  ASSERT_OK_AND_ASSIGN(std::string x, ReadFile(absl::StrCat(split, "/ckpt-000020")));
  ASSERT_OK_AND_ASSIGN(std::string y, ReadFile(absl::StrCat(straight, "/ckpt-000020")));
  EXPECT_TRUE(x == y);
}

TEST_F(TrainTest, APauseKeepsTheScheduleAndAResumeEqualsAnUninterruptedRun) {
  // Update 8 (step 7) is off the every-3 grid: its record must make way on resume. Unlike
  // an earlier end by max_steps, the pause leaves the cosine (decay_steps) as configured.
  const std::string split = TempDir("pause_split"), straight = TempDir("pause_straight");
  TrainConfig config = Config(split, 16, "", /*decay_steps=*/16);
  config.set_log_every_steps(3);
  TrainOptions pause = Options();
  pause.stop_at_step = 8;
  std::ostringstream progress;
  pause.progress = &progress;
  ASSERT_OK_AND_ASSIGN(TrainReport report, RunTraining(config, pause));
  EXPECT_TRUE(report.paused);
  EXPECT_FALSE(report.stopped);
  EXPECT_EQ(report.steps, 8);
  EXPECT_TRUE(Exists(absl::StrCat(split, "/ckpt-000008")));
  EXPECT_THAT(progress.str(), HasSubstr("paused as asked after 8 updates"));
  EXPECT_THAT(progress.str(), HasSubstr("the schedule goes on to update 16; --resume continues it"));
  EXPECT_THAT(progress.str(), HasSubstr("step 8/16"));

  // Asked again to pause at or before where the run is: nothing to do, nothing written.
  std::ostringstream again;
  TrainOptions pause_resume = pause;
  pause_resume.resume = true;
  pause_resume.stop_at_step = 6;
  pause_resume.progress = &again;
  ASSERT_OK_AND_ASSIGN(std::string metrics_before, ReadFile(absl::StrCat(split, "/", kMetricsFile)));
  ASSERT_OK_AND_ASSIGN(report, RunTraining(config, pause_resume));
  EXPECT_EQ(report.steps, 8);
  EXPECT_THAT(again.str(), HasSubstr("nothing to do: 8 updates done, at or past the pause at update 6"));
  ASSERT_OK_AND_ASSIGN(std::string metrics_after, ReadFile(absl::StrCat(split, "/", kMetricsFile)));
  EXPECT_EQ(metrics_before, metrics_after);

  TrainOptions resume = Options();
  resume.resume = true;
  ASSERT_OK_AND_ASSIGN(report, RunTraining(config, resume));
  EXPECT_FALSE(report.paused);
  EXPECT_EQ(report.steps, 16);
  config.set_output_dir(straight);
  ASSERT_OK(RunTraining(config, Options()).status());
  ASSERT_OK_AND_ASSIGN(std::string a, ReadFile(absl::StrCat(split, "/ckpt-000016")));
  ASSERT_OK_AND_ASSIGN(std::string b, ReadFile(absl::StrCat(straight, "/ckpt-000016")));
  EXPECT_TRUE(a == b) << "parameters, moments, step and RNG are bit-identical";
  const std::vector<Metric> ma = ReadMetrics(split), mb = ReadMetrics(straight);
  ASSERT_EQ(mb.size(), 6u);  // steps 2, 5, 8, 11, 14 and the final 15
  EXPECT_TRUE(ma == mb);
}

TEST_F(TrainTest, APauseAtAFractionFollowsTheFittedScheduleAndResumesBitForBit) {
  // Fitted to 20 of 40 updates (kFittedExtra's clock): 0.7 of the run is update 14, not 28.
  const std::string split = TempDir("fraction_split"), straight = TempDir("fraction_straight");
  const std::string extra = "max_seconds: 20 fit_steps_to_seconds: true checkpoint_every_steps: 5";
  TrainOptions options = Options();
  options.clock = SecondPerReading();
  options.stop_at_fraction = 0.7;
  ASSERT_OK_AND_ASSIGN(TrainReport report, RunTraining(Config(split, 40, extra), options));
  EXPECT_TRUE(report.paused);
  EXPECT_EQ(report.steps, 14);
  TrainOptions resume = Options();
  resume.resume = true;
  resume.clock = SecondPerReading();
  ASSERT_OK_AND_ASSIGN(report, RunTraining(Config(split, 40, extra), resume));
  EXPECT_EQ(report.steps, 20);
  TrainOptions plain = Options();
  plain.clock = SecondPerReading();
  ASSERT_OK(RunTraining(Config(straight, 40, extra), plain).status());
  ASSERT_OK_AND_ASSIGN(std::string a, ReadFile(absl::StrCat(split, "/ckpt-000020")));
  ASSERT_OK_AND_ASSIGN(std::string b, ReadFile(absl::StrCat(straight, "/ckpt-000020")));
  EXPECT_TRUE(a == b);
  ExpectSameMetrics(split, straight);
}

TEST_F(TrainTest, BadPausesAreRefusedBeforeAnyWork) {
  const std::string dir = TempDir("bad_pause");
  TrainOptions options = Options();
  options.stop_at_fraction = 1.0;
  EXPECT_THAT(RunTraining(Config(dir, 10), options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("stop_at_fraction is 1; expected a fraction")));
  options.stop_at_fraction = std::nan("");
  EXPECT_THAT(RunTraining(Config(dir, 10), options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected a fraction in (0, 1)")));
  options.stop_at_fraction = 0.5;
  options.stop_at_step = 3;
  EXPECT_THAT(RunTraining(Config(dir, 10), options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("give one")));
  options.stop_at_step = -2;
  options.stop_at_fraction = 0;
  EXPECT_THAT(RunTraining(Config(dir, 10), options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("stop_at_step is -2")));
  options.stop_at_step = 0;
  options.stop_at_fraction = 0.5;
  TrainConfig timed = Config(dir, 10);
  timed.set_max_steps(0);
  timed.set_max_seconds(100);
  EXPECT_THAT(RunTraining(timed, options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("needs a step budget (max_steps)")));
  EXPECT_FALSE(Exists(dir));

  // A pause before the fit's window ends would leave the fit to the resume's own clock.
  TrainOptions early = Options();
  early.clock = SecondPerReading();
  early.stop_at_step = 2;
  const std::string fitted_dir = TempDir("bad_pause_fit");
  EXPECT_THAT(RunTraining(Config(fitted_dir, 40, kFittedExtra), early),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("a pause at update 2 comes before update 4, where the schedule is fitted")));
  EXPECT_FALSE(Exists(absl::StrCat(fitted_dir, "/ckpt-000002")));
}

TEST_F(TrainTest, PausesAtTheEdgesSayWhatHappens) {
  // A vanishing fraction still trains one update.
  TrainOptions tiny = Options();
  tiny.stop_at_fraction = 1e-14;
  ASSERT_OK_AND_ASSIGN(TrainReport report, RunTraining(Config(TempDir("pause_tiny"), 10), tiny));
  EXPECT_TRUE(report.paused);
  EXPECT_EQ(report.steps, 1);

  // Past the end: the run goes to its end, and says so first.
  TrainOptions late = Options();
  late.stop_at_step = 100;
  std::ostringstream progress;
  late.progress = &progress;
  ASSERT_OK_AND_ASSIGN(report, RunTraining(Config(TempDir("pause_late"), 4), late));
  EXPECT_FALSE(report.paused);
  EXPECT_EQ(report.steps, 4);
  EXPECT_THAT(progress.str(), HasSubstr("the pause at update 100 is at or past the run's last update (4)"));

  // A percentage that the fit moves before the fit's own update (15% of 40 is update 6,
  // of the fitted 20 update 3; the fit is at update 4): the run pauses at the fit, and
  // says why.
  TrainOptions before_fit = Options();
  before_fit.clock = SecondPerReading();
  before_fit.stop_at_fraction = 0.15;
  std::ostringstream fit_progress;
  before_fit.progress = &fit_progress;
  ASSERT_OK_AND_ASSIGN(report, RunTraining(Config(TempDir("pause_before_fit"), 40, kFittedExtra), before_fit));
  EXPECT_TRUE(report.paused);
  EXPECT_EQ(report.steps, 4);
  EXPECT_THAT(fit_progress.str(), HasSubstr("the pause at 15% of the fitted run's 20 updates (update 3) falls before "
                                            "the fit at update 4: the run pauses here instead"));

  // A time-only run: what a resume does is another max_seconds, not "update 2^63".
  TrainConfig timed = Config(TempDir("pause_timed"), 10);
  timed.set_max_steps(0);
  timed.set_max_seconds(1000);
  TrainOptions pause = Options();
  pause.stop_at_step = 2;
  std::ostringstream timed_progress;
  pause.progress = &timed_progress;
  ASSERT_OK_AND_ASSIGN(report, RunTraining(timed, pause));
  EXPECT_TRUE(report.paused);
  EXPECT_EQ(report.steps, 2);
  EXPECT_THAT(timed_progress.str(), HasSubstr("a --resume trains for another max_seconds (1000 s"));
  EXPECT_THAT(timed_progress.str(), Not(HasSubstr("9223372036854775807")));
}

TEST_F(TrainTest, ASecondRunOnTheSameDirectoryIsRefusedWhileTheFirstHoldsIt) {
  const std::string dir = TempDir("locked");
  ASSERT_OK(MakeDirectories(dir));
  {
    ASSERT_OK_AND_ASSIGN(FileLock held, FileLock::Acquire(absl::StrCat(dir, "/", kRunLockFile)));
    EXPECT_THAT(RunTraining(Config(dir, 2), Options()).status(),
                StatusIs(absl::StatusCode::kUnavailable,
                         HasSubstr(absl::StrCat("output_dir ", dir, " is in use by another calico train"))));
    EXPECT_FALSE(Exists(absl::StrCat(dir, "/", kRunConfigFile)));
    EXPECT_FALSE(Exists(absl::StrCat(dir, "/", kMetricsFile)));
  }
  // Released (the process exiting does the same), the directory takes the run.
  ASSERT_OK(RunTraining(Config(dir, 2), Options()).status());
}

TEST_F(TrainTest, LeftoversOfAKilledSaveGoAndAMissingLatestIsExplained) {
  const std::string dir = TempDir("leftovers");
  ASSERT_OK(RunTraining(Config(dir, 2, "checkpoint_every_steps: 1"), Options()).status());
  // What a kill -9 during a save leaves: a temporary checkpoint, and (a kill between the
  // checkpoint and its pointer) a LATEST that names an older one.
  const std::string temporary = absl::StrCat(dir, "/ckpt-000003.tmp.12345");
  ASSERT_OK(WriteFileAtomically(temporary, "partial"));
  const std::string unrelated = absl::StrCat(dir, "/notes.tmp.1");
  ASSERT_OK(WriteFileAtomically(unrelated, "mine"));
  TrainOptions resume = Options();
  resume.resume = true;
  ASSERT_OK(RunTraining(Config(dir, 3, "checkpoint_every_steps: 1"), resume).status());
  EXPECT_FALSE(Exists(temporary));
  EXPECT_TRUE(Exists(unrelated)) << "only the run's own temporaries are removed";

  ASSERT_EQ(std::remove(absl::StrCat(dir, "/", kLatestCheckpointFile).c_str()), 0);
  EXPECT_THAT(RunTraining(Config(dir, 4), resume).status(),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr(absl::StrCat("the directory holds ckpt-000003: to resume from it, write its name into ",
                                              dir, "/", kLatestCheckpointFile))));
}

TEST_F(TrainTest, AnOutputDirThatIsAFileIsRefusedBeforeTheData) {
  const std::string file = TempDir("a_file");
  ASSERT_OK(WriteFileAtomically(file, "x"));
  TrainConfig config = Config(file, 2);
  config.add_datasets(TempDir("no_such_dataset"));  // would fail later, at the data
  EXPECT_THAT(RunTraining(config, Options()).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr(absl::StrCat("output_dir ", file, " exists and is not a directory"))));
}

TEST_F(TrainTest, TheBannerNamesTheSampledTasksAndThoseLoadedWithWeightZero) {
  std::ostringstream progress;
  TrainOptions options = Options();
  options.progress = &progress;
  TrainConfig config =
      Config(TempDir("weight_zero"), 1, "task_weights { task: \"mujoco/cartpole_balance\" weight: 1 }");
  ASSERT_OK(RunTraining(config, options).status());
  EXPECT_THAT(progress.str(), HasSubstr("parameters) on mujoco/cartpole_balance (2 episodes) (loaded with weight 0, "
                                        "not sampled: arcade/breakout);"));
}

// A schedule of task weights: cartpole only for updates 0-2, breakout only from update 3
// (task_weight_phases), seen in each update's per-task losses; a run paused inside the
// first phase and resumed past the change equals an uninterrupted one.
TEST_F(TrainTest, TaskWeightPhasesSwitchTheMixAtTheirUpdateAndResumeBitForBit) {
  const std::string straight = TempDir("phases_straight"), split = TempDir("phases_split");
  const std::string phases =
      "task_weights { task: \"mujoco/cartpole_balance\" weight: 1 }\n"
      "task_weight_phases { from_step: 3 task_weights { task: \"arcade/breakout\" weight: 1 } }\n";
  TrainConfig config = Config(straight, 6, phases);
  std::ostringstream progress;
  TrainOptions options = Options();
  options.progress = &progress;
  ASSERT_OK(RunTraining(config, options).status());
  // Both tasks are sampled at some update, so neither is "loaded with weight 0".
  EXPECT_THAT(progress.str(), HasSubstr("parameters) on arcade/breakout (2 episodes) mujoco/cartpole_balance (2 episodes);"));
  EXPECT_THAT(progress.str(), HasSubstr("task weights change at update 3 (task_weight_phases)\n"));
  EXPECT_THAT(progress.str(), HasSubstr("update 3: the task weights of task_weight_phases[0] from here on\n"));

  ASSERT_OK_AND_ASSIGN(std::string text, ReadFile(absl::StrCat(straight, "/", kMetricsFile)));
  const std::vector<std::string> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 6u);
  for (int step = 0; step < 6; ++step) {
    const bool breakout = step >= 3;
    EXPECT_EQ(lines[step].find("\"arcade/breakout\": ") != std::string::npos, breakout) << lines[step];
    EXPECT_EQ(lines[step].find("\"mujoco/cartpole_balance\": ") != std::string::npos, !breakout) << lines[step];
  }

  config.set_output_dir(split);
  TrainOptions pause = Options();
  pause.stop_at_step = 2;
  ASSERT_OK(RunTraining(config, pause).status());
  TrainOptions resume = Options();
  resume.resume = true;
  std::ostringstream resumed;
  resume.progress = &resumed;
  ASSERT_OK(RunTraining(config, resume).status());
  EXPECT_THAT(resumed.str(), HasSubstr("update 3: the task weights of task_weight_phases[0] from here on"));
  ASSERT_OK_AND_ASSIGN(std::string a, ReadFile(absl::StrCat(split, "/ckpt-000006")));
  ASSERT_OK_AND_ASSIGN(std::string b, ReadFile(absl::StrCat(straight, "/ckpt-000006")));
  EXPECT_TRUE(a == b) << "parameters, moments, step and RNG are bit-identical";
  ExpectSameMetrics(split, straight);

  // A resume that starts inside the second phase says which weights are in force.
  TrainConfig longer = config;
  longer.set_max_steps(8);
  longer.set_decay_steps(40);
  std::ostringstream later;
  resume.progress = &later;
  ASSERT_OK(RunTraining(longer, resume).status());
  EXPECT_THAT(later.str(), HasSubstr("task weights change at update 3 (task_weight_phases); at update 6 the weights of "
                                     "task_weight_phases[0] are in force\n"));
}

// A phase's pack_episodes packs its rows where the run before it did not (and the
// reverse): short scene episodes (about 160 positions in 256-position rows), so packing
// changes nearly every batch from the phase on and none before it.
TEST_F(TrainTest, APhaseCanPackRowsWhereTheRunBeforeItDidNot) {
  const std::string scenes_dir = TempDir("phase_scenes");
  ScenesDatasetOptions scenes;
  scenes.directory = scenes_dir;
  scenes.episodes = 6;
  scenes.kind = ScenesKind::kCaption;
  scenes.threads = 1;
  ASSERT_OK(WriteScenesDataset(scenes, nullptr).status());
  auto run = [&](const std::string& name, bool packed_first, const std::string& phase_packing,
                 std::string* progress_text) -> std::vector<Metric> {
    const std::string dir = TempDir(name);
    TrainConfig config = Config(dir, 4,
                                absl::StrCat("pack_episodes: ", packed_first ? "true" : "false",
                                             "\ntask_weight_phases { from_step: 2 task_weights { task: "
                                             "\"scenes/caption\" weight: 1 } ",
                                             phase_packing, " }\n"));
    config.clear_datasets();
    config.add_datasets(scenes_dir);
    std::ostringstream progress;
    TrainOptions options = Options();
    options.progress = &progress;
    EXPECT_OK(RunTraining(config, options).status());
    *progress_text = progress.str();
    return ReadMetrics(dir);
  };
  std::string plain_log, packing_log, unpacking_log, packed_log;
  const std::vector<Metric> plain = run("phase_plain", false, "", &plain_log);
  const std::vector<Metric> packing = run("phase_packing", false, "pack_episodes: true", &packing_log);
  ASSERT_EQ(plain.size(), 4u);
  ASSERT_EQ(packing.size(), 4u);
  for (int step = 0; step < 2; ++step) EXPECT_TRUE(plain[step] == packing[step]) << "update " << step;
  for (int step = 2; step < 4; ++step) EXPECT_NE(plain[step].loss, packing[step].loss) << "update " << step;
  EXPECT_THAT(plain_log, HasSubstr("update 2: the task weights of task_weight_phases[0] from here on\n"));
  EXPECT_THAT(packing_log, HasSubstr("update 2: the task weights of task_weight_phases[0] from here on, rows packed\n"));

  // Packed from the start, unpacked by the phase: the unpacked run's batches from update 2.
  const std::vector<Metric> unpacking = run("phase_unpacking", true, "pack_episodes: false", &unpacking_log);
  const std::vector<Metric> packed = run("phase_packed", true, "", &packed_log);
  ASSERT_EQ(unpacking.size(), 4u);
  ASSERT_EQ(packed.size(), 4u);
  for (int step = 0; step < 2; ++step) EXPECT_TRUE(unpacking[step] == packed[step]) << "update " << step;
  for (int step = 2; step < 4; ++step) EXPECT_NE(unpacking[step].loss, packed[step].loss) << "update " << step;
  EXPECT_THAT(unpacking_log, HasSubstr("from here on, rows no longer packed\n"));
}

TEST_F(TrainTest, AFailedUpdateLeavesTheLastGoodUpdatesRecord) {
  const std::string dir = TempDir("nan_record");
  TrainConfig config = Config(dir, 10);
  config.set_log_every_steps(5);
  config.set_learning_rate(1e30);
  config.set_warmup_steps(0);
  ASSERT_FALSE(RunTraining(config, Options()).ok());
  ASSERT_OK_AND_ASSIGN(std::string text, ReadFile(absl::StrCat(dir, "/", kMetricsFile)));
  const std::vector<Metric> metrics = ReadMetrics(dir);
  ASSERT_EQ(metrics.size(), 1u);
  EXPECT_EQ(metrics[0].step, 0);  // update 1, the last good one
  EXPECT_THAT(text, HasSubstr("\"unlogged_final\": true"));
}

TEST_F(TrainTest, StopFlagCheckpointsAndTheRunResumes) {
  const std::string dir = TempDir("stopped");
  std::atomic<bool> stop{false};
  TrainOptions options = Options();
  options.stop = &stop;
  options.clock = SecondPerReading(&stop, 1);  // set at the reading after the first update
  ASSERT_OK_AND_ASSIGN(TrainReport report, RunTraining(Config(dir, 4), options));
  EXPECT_TRUE(report.stopped);
  EXPECT_EQ(report.steps, 1);
  ASSERT_OK_AND_ASSIGN(std::string latest, LatestCheckpoint(dir));
  EXPECT_EQ(latest, absl::StrCat(dir, "/ckpt-000001"));

  TrainOptions resume = Options();
  resume.resume = true;
  ASSERT_OK_AND_ASSIGN(report, RunTraining(Config(dir, 4), resume));
  EXPECT_FALSE(report.stopped);
  EXPECT_EQ(report.first_step, 1);
  EXPECT_EQ(report.steps, 4);
  ASSERT_OK(RunTraining(Config(TempDir("unstopped"), 4), Options()).status());
  ASSERT_OK_AND_ASSIGN(std::string a, ReadFile(absl::StrCat(dir, "/ckpt-000004")));
  ASSERT_OK_AND_ASSIGN(std::string b, ReadFile(TempDir("unstopped/ckpt-000004")));
  EXPECT_TRUE(a == b);
}

TEST_F(TrainTest, SigintSetsTheStopFlag) {
  const std::atomic<bool>* stop = InstallStopSignalHandlers();
  ASSERT_NE(stop, nullptr);
  EXPECT_FALSE(stop->load());
  ASSERT_EQ(::raise(SIGINT), 0);  // handled: the process goes on
  EXPECT_TRUE(stop->load());
  EXPECT_EQ(InstallStopSignalHandlers(), stop);
  EXPECT_EQ(StopSignalNumber(), SIGINT);
  // A stop that comes before the first update (Ctrl-C while the data loads) ends the run
  // there: nothing is written, and the directory takes a fresh run afterwards.
  TrainOptions options = Options();
  options.stop = stop;
  std::ostringstream progress;
  options.progress = &progress;
  ASSERT_OK_AND_ASSIGN(TrainReport report, RunTraining(Config(TempDir("sigint"), 5), options));
  EXPECT_TRUE(report.stopped);
  EXPECT_EQ(report.steps, 0);
  EXPECT_THAT(progress.str(), HasSubstr("stopped on request before the first update; nothing was written"));
  EXPECT_FALSE(Exists(TempDir("sigint/ckpt-000001")));
  EXPECT_FALSE(Exists(TempDir("sigint/") + kLatestCheckpointFile));
  EXPECT_FALSE(Exists(TempDir("sigint/") + kRunConfigFile));
  ASSERT_OK_AND_ASSIGN(report, RunTraining(Config(TempDir("sigint"), 2), Options()));
  EXPECT_EQ(report.steps, 2);
}

TEST_F(TrainTest, NonFiniteLossNamesTheStepAndKeepsTheLastCheckpoint) {
  const std::string dir = TempDir("nan");
  // A learning rate of 1e30 blows the weights past float range after one update.
  TrainConfig config = Config(dir, 10, "checkpoint_every_steps: 1");
  config.set_learning_rate(1e30);
  config.set_warmup_steps(0);
  absl::StatusOr<TrainReport> report = RunTraining(config, Options());
  ASSERT_THAT(report.status(), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("update 2: loss is")));
  EXPECT_THAT(report.status().message(), HasSubstr("last checkpoint: " + dir + "/ckpt-000001"));
  ASSERT_OK_AND_ASSIGN(std::string latest, LatestCheckpoint(dir));
  EXPECT_EQ(latest, absl::StrCat(dir, "/ckpt-000001"));
  EXPECT_FALSE(Exists(absl::StrCat(dir, "/ckpt-000002")));
}

TEST_F(TrainTest, DataErrorsAreClearAndComeBeforeAnyWork) {
  const std::string out = TempDir("never");
  TrainConfig config = Config(out, 5);
  config.add_datasets(TempDir("no_such_dataset"));
  EXPECT_THAT(RunTraining(config, Options()).status(), StatusIs(absl::StatusCode::kNotFound,
                                                                HasSubstr("dataset " + TempDir("no_such_dataset"))));

  config = Config(out, 5);
  config.add_datasets(TempDir("data") + "/./");  // the same directory again
  EXPECT_THAT(RunTraining(config, Options()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("are the same directory; name it once")));

  config = Config(out, 5, "task_weights { task: \"arcade/freeway\" weight: 1 }");
  EXPECT_THAT(RunTraining(config, Options()).status().message(),
              HasSubstr("a weight is given for task 'arcade/freeway' (task_weights), which the data does not hold"));
  config = Config(out, 5, "task_weight_phases { from_step: 2 task_weights { task: \"arcade/freeway\" weight: 1 } }");
  EXPECT_THAT(RunTraining(config, Options()).status().message(),
              HasSubstr("a weight is given for task 'arcade/freeway' (task_weight_phases[0]), which the data does not hold"));
  EXPECT_FALSE(Exists(absl::StrCat(out, "/", kMetricsFile)));

  // A model whose embedding table does not fit the text model's vocabulary.
  TrainConfig with_model = Config(out, 5);
  {
    ModelConfig* inline_model = with_model.mutable_model_config();  // replaces the preset
    inline_model->set_name("wide-vocab");
    inline_model->set_num_layers(1);
    inline_model->set_num_heads(2);
    inline_model->set_width(32);
    inline_model->set_ff_width(64);
    inline_model->set_head_dim(16);
    inline_model->set_vocab_size(2688);
    inline_model->set_context_length(256);
    inline_model->set_max_local_positions(512);
    inline_model->set_patch_position_buckets(128);
    inline_model->set_rope_base(10000);
    inline_model->set_norm_epsilon(1e-5);
  }
  EXPECT_THAT(RunTraining(with_model, Options()).status().message(),
              HasSubstr("the model's vocab_size is 2688 but the text model"));

  TrainOptions no_text = Options();
  no_text.text_model_path = TempDir("missing.model");
  EXPECT_THAT(RunTraining(Config(out, 5), no_text).status().message(), HasSubstr("missing.model"));
  EXPECT_FALSE(Exists(out)) << "nothing is written before the checks pass";

  // Resuming needs a run; a fresh run never overwrites one.
  TrainOptions resume = Options();
  resume.resume = true;
  EXPECT_THAT(RunTraining(Config(out, 5), resume).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no checkpoint in " + out)));
  ASSERT_OK(RunTraining(Config(out, 1), Options()).status());
  EXPECT_THAT(RunTraining(Config(out, 2), Options()).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already holds a run")));

  // A run directory stands for its latest checkpoint; without LATEST the newest is named.
  ASSERT_OK_AND_ASSIGN(const std::string latest, ResolveCheckpoint(out));
  EXPECT_EQ(latest, out + "/ckpt-000001");
  EXPECT_EQ(*ResolveCheckpoint(latest), latest) << "a file stands for itself";
  ASSERT_EQ(std::remove((out + "/" + kLatestCheckpointFile).c_str()), 0);
  EXPECT_THAT(ResolveCheckpoint(out),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("its newest checkpoint (of 1) is " + out + "/ckpt-000001: pass that file")));
}

TEST(TrainConfigTest, ParsesAndFillsDefaults) {
  ASSERT_OK_AND_ASSIGN(TrainConfig config,
                       ParseTrainConfig("datasets: \"d\" preset: \"small\" max_steps: 500 output_dir: \"o\"", "f"));
  EXPECT_EQ(config.batch_size(), 8);
  EXPECT_EQ(config.sequence_length(), 1024);
  EXPECT_DOUBLE_EQ(config.learning_rate(), 3e-4);
  EXPECT_EQ(config.decay_steps(), 500);
  EXPECT_EQ(config.warmup_steps(), 50);
  EXPECT_DOUBLE_EQ(config.weight_decay(), 0.1);
  EXPECT_DOUBLE_EQ(config.max_grad_norm(), 1.0);
  EXPECT_DOUBLE_EQ(config.prompt_probability(), 0.25);
  EXPECT_EQ(config.threads(), 2);
  EXPECT_EQ(config.log_every_steps(), 10);
  // Explicit zeros are kept where zero means something.
  ASSERT_OK_AND_ASSIGN(config, ParseTrainConfig("datasets: \"d\" preset: \"nano\" max_seconds: 60 output_dir: \"o\" "
                                                "prompt_probability: 0 max_grad_norm: 0 weight_decay: 0",
                                                "f"));
  EXPECT_EQ(config.prompt_probability(), 0);
  EXPECT_EQ(config.max_grad_norm(), 0);
  EXPECT_EQ(config.weight_decay(), 0);
  EXPECT_EQ(config.decay_steps(), 10000);
}

TEST(TrainConfigTest, ARecordGivenBackFollowsTheFlagsAsTheConfigItCameFromDid) {
  // A config that leaves decay_steps to its default (max_steps), finished as calico train
  // finishes it, then what the run adds to its record: a fit and the data it loaded.
  ASSERT_OK_AND_ASSIGN(TrainConfig config,
                       ParseTrainConfigText("datasets: \"d\" preset: \"nano\" output_dir: \"o\" max_steps: 400 "
                                            "max_seconds: 60 fit_steps_to_seconds: true warmup_steps: 20",
                                            "f"));
  ASSERT_OK(FinishTrainConfig("f", &config));
  EXPECT_THAT(config.defaulted_fields(), Contains("decay_steps"));
  EXPECT_THAT(config.defaulted_fields(), Not(Contains("warmup_steps")));  // given
  EXPECT_THAT(config.defaulted_fields(), Not(Contains("max_steps")));
  EXPECT_EQ(config.decay_steps(), 400);
  const TrainConfig finished = config;
  config.set_fitted_max_steps(49);
  config.add_loaded_data()->set_task("mujoco/cartpole_balance");
  const std::string record = config.DebugString();

  // Given back with --steps=60: decay_steps follows it, as in the original config, and
  // neither the fit (made for 400) nor the loaded data come along.
  ASSERT_OK_AND_ASSIGN(TrainConfig again, ParseTrainConfigText(record, "record"));
  ForgetRecordedValues(&again);
  again.set_max_steps(60);
  ASSERT_OK(FinishTrainConfig("record", &again));
  EXPECT_EQ(again.decay_steps(), 60);
  EXPECT_EQ(again.warmup_steps(), 20);
  EXPECT_EQ(again.fitted_max_steps(), 0);
  EXPECT_EQ(again.loaded_data_size(), 0);
  // Without overrides it is the original config, finished the same way.
  ASSERT_OK_AND_ASSIGN(TrainConfig same, ParseTrainConfigText(record, "record"));
  ForgetRecordedValues(&same);
  ASSERT_OK(FinishTrainConfig("record", &same));
  EXPECT_EQ(same.DebugString(), finished.DebugString());
  // A config that is not a record keeps what it says, fitted_max_steps included.
  ASSERT_OK_AND_ASSIGN(TrainConfig hand, ParseTrainConfigText("decay_steps: 400 fitted_max_steps: 49", "hand"));
  ForgetRecordedValues(&hand);
  EXPECT_EQ(hand.decay_steps(), 400);
  EXPECT_EQ(hand.fitted_max_steps(), 49);
}

TEST(TrainConfigTest, BadConfigsNameTheFieldAndTheSource) {
  const std::string ok = "datasets: \"d\" preset: \"nano\" max_steps: 10 output_dir: \"o\" ";
  auto error = [](const std::string& text) { return std::string(ParseTrainConfig(text, "run.textproto").status().message()); };
  EXPECT_THAT(error(ok + "learning_rat: 1"), HasSubstr("run.textproto: line 1"));
  EXPECT_THAT(error(ok + "learning_rat: 1"), HasSubstr("learning_rat"));
  EXPECT_THAT(error(ok + "batch_size: -2"), HasSubstr("batch_size is -2; expected >= 1"));
  EXPECT_THAT(error(ok + "sequence_length: 4096"), HasSubstr("sequence_length is 4096; expected in [2, 1024]"));
  EXPECT_THAT(error(ok + "learning_rate: -1"), HasSubstr("learning_rate is -1"));
  EXPECT_THAT(error(ok + "warmup_steps: 20"),
              HasSubstr("decay_steps is 10; expected at least warmup_steps (20) (decay_steps was not set and "
                        "defaults to max_steps, 10; lower warmup_steps or set decay_steps)"));
  EXPECT_THAT(error(ok + "warmup_steps: 20 decay_steps: 12"),
              AllOf(HasSubstr("decay_steps is 12; expected at least warmup_steps (20)"), Not(HasSubstr("not set"))));
  EXPECT_THAT(error(ok + "max_seconds: -1"), HasSubstr("max_seconds is -1"));
  EXPECT_THAT(error(ok + "prompt_probability: 1.5"), HasSubstr("prompt_probability is 1.5"));
  EXPECT_THAT(error(ok + "threads: 0 threads: -1"), HasSubstr("threads is -1"));
  EXPECT_THAT(error(ok + "checkpoint_every_steps: -5"), HasSubstr("checkpoint_every_steps is -5"));
  EXPECT_THAT(error(ok + "keep_checkpoints: -1"), HasSubstr("keep_checkpoints is -1"));
  EXPECT_THAT(error(ok + "task_weights { task: \"a\" weight: -1 }"), HasSubstr("weight of task 'a' is -1"));
  EXPECT_THAT(error(ok + "task_weights { task: \"a\" weight: 1e308 }"),
              HasSubstr("weight of task 'a' is 1e+308; expected a number in [0, 1e6]"));
  EXPECT_THAT(error(ok + "task_weights { task: \"a\" weight: 1 } task_weights { task: \"a\" weight: 2 }"),
              HasSubstr("names task 'a' twice"));
  EXPECT_THAT(error(ok + "task_weights { task: \"a\" weight: 0 }"), HasSubstr("all 0"));
  EXPECT_THAT(error(ok + "task_weight_phases { from_step: 0 task_weights { task: \"a\" weight: 1 } }"),
              HasSubstr("task_weight_phases[0] from_step is 0; expected >= 1"));
  EXPECT_THAT(error(ok + "task_weight_phases { from_step: 10 task_weights { task: \"a\" weight: 1 } }"),
              HasSubstr("task_weight_phases[0] from_step is 10, at or past max_steps (10): the phase would never come"));
  EXPECT_THAT(error(ok + "task_weight_phases { from_step: 5 task_weights { task: \"a\" weight: 1 } } "
                         "task_weight_phases { from_step: 5 task_weights { task: \"b\" weight: 1 } }"),
              HasSubstr("task_weight_phases[1] from_step is 5, not after the phase before it (5)"));
  EXPECT_THAT(error(ok + "task_weight_phases { from_step: 5 }"), HasSubstr("task_weight_phases[0] has no task_weights"));
  EXPECT_THAT(error(ok + "task_weight_phases { from_step: 5 task_weights { task: \"a\" weight: 0 } }"),
              HasSubstr("task_weight_phases[0].task_weights are all 0"));
  EXPECT_THAT(error(ok + "task_weight_phases { from_step: 5 task_weights { task: \"a\" weight: -3 } }"),
              HasSubstr("task_weight_phases[0].task_weights weight of task 'a' is -3"));
  EXPECT_THAT(error("datasets: \"d\" preset: \"huge\" max_steps: 10 output_dir: \"o\""), HasSubstr("preset"));
  EXPECT_THAT(error("datasets: \"d\" preset: \"huge\" max_steps: 10 output_dir: \"o\""),
              HasSubstr("train config: preset 'huge' is unknown: no model preset called 'huge'; known presets: nano"));
  EXPECT_THAT(error(ok + "log_every_steps: -1"),
              HasSubstr("log_every_steps is -1; expected >= 1 (0 or unset means every 10 updates)"));
  EXPECT_THAT(error("datasets: \"d\" max_steps: 10 output_dir: \"o\""), HasSubstr("model is missing"));
  EXPECT_THAT(error("preset: \"nano\" max_steps: 10 output_dir: \"o\""), HasSubstr("datasets is missing"));
  EXPECT_THAT(error("datasets: \"d\" preset: \"nano\" max_steps: 10"), HasSubstr("output_dir is missing"));
  EXPECT_THAT(error("datasets: \"d\" preset: \"nano\" output_dir: \"o\""), HasSubstr("budget is missing"));
  EXPECT_THAT(error("datasets: \"d\" model_config { width: 3 } max_steps: 1 output_dir: \"o\""),
              HasSubstr("model_config:"));
  EXPECT_THAT(error(ok + "fit_steps_to_seconds: true"),
              HasSubstr("fit_steps_to_seconds needs both max_steps and max_seconds"));
  EXPECT_THAT(error(ok + "max_seconds: 60 fit_steps_to_seconds: true warmup_steps: 1"),
              HasSubstr("fit_steps_to_seconds needs warmup_steps >= 2 (it is 1)"));
  EXPECT_THAT(error(ok + "max_seconds: 60 fitted_max_steps: 5"),
              HasSubstr("fitted_max_steps is set without fit_steps_to_seconds"));
  EXPECT_THAT(error(ok + "max_seconds: 60 warmup_steps: 2 fit_steps_to_seconds: true fitted_max_steps: 11"),
              HasSubstr("fitted_max_steps is 11; expected in [1, max_steps (10)]"));
  EXPECT_OK(ParseTrainConfig(ok + "max_seconds: 60 warmup_steps: 2 fit_steps_to_seconds: true fitted_max_steps: 10", "f").status());
  EXPECT_OK(ParseTrainConfig(ok, "run.textproto").status());
}

TEST(TrainConfigTest, CheckpointNamesSortByStep) {
  EXPECT_EQ(CheckpointName(0), "ckpt-000000");
  EXPECT_EQ(CheckpointName(123), "ckpt-000123");
  EXPECT_LT(CheckpointName(99999), CheckpointName(100000));
}

}  // namespace
}  // namespace calico
