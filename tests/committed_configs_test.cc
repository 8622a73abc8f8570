// Every committed training config (agent/configs/) and evaluation suite (agent/suites/)
// parses, passes its checks and names only tasks calico knows, and the recipes that are
// compared with each other differ only where they are meant to.
#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "agent/evaluate.h"
#include "agent/text_eval.h"
#include "agent/train.h"
#include "base/file_io.h"
#include "envs/all_tasks.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

// The .textproto files of a runfiles directory, sorted.
std::vector<std::string> TextprotosIn(const std::string& dir) {
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".textproto") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

TrainConfig LoadConfig(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  EXPECT_TRUE(text.ok()) << text.status();
  absl::StatusOr<TrainConfig> config = ParseTrainConfig(text.value_or(""), path);
  EXPECT_TRUE(config.ok()) << config.status();
  TrainConfig parsed = config.value_or(TrainConfig());
  // Which fields were left to their defaults is not compared, only the values: a run's
  // record spells every default out.
  parsed.clear_defaulted_fields();
  return parsed;
}

ReferenceTable AllReferences() {
  ReferenceTable references;
  for (const TaskInfo& info : AllTasks().List()) {
    absl::StatusOr<ReferenceReturns> refs = ReferencesFor(info.name);
    if (refs.ok()) references[info.name] = *refs;
  }
  return references;
}

SuiteConfig LoadSuite(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  EXPECT_TRUE(text.ok()) << text.status();
  absl::StatusOr<SuiteConfig> suite = ParseSuite(text.value_or(""), path, AllTasks(), AllReferences());
  EXPECT_TRUE(suite.ok()) << suite.status();
  return suite.value_or(SuiteConfig());
}

std::set<std::string> WeightedTasks(const TrainConfig& config) {
  std::set<std::string> tasks;
  for (const auto& weight : config.task_weights()) tasks.insert(weight.task());
  for (const auto& phase : config.task_weight_phases()) {
    for (const auto& weight : phase.task_weights()) tasks.insert(weight.task());
  }
  return tasks;
}

std::set<std::string> SuiteTasks(const SuiteConfig& suite) {
  std::set<std::string> tasks;
  for (const SuiteTask& task : suite.tasks()) tasks.insert(task.task());
  return tasks;
}

TEST(CommittedConfigsTest, EveryTrainingConfigParsesAndNamesKnownTasks) {
  const std::vector<std::string> paths = TextprotosIn("agent/configs");
  ASSERT_GE(paths.size(), 4u);
  for (const std::string& path : paths) {
    SCOPED_TRACE(path);
    const TrainConfig config = LoadConfig(path);
    EXPECT_TRUE(CheckTrainConfig(config).ok()) << CheckTrainConfig(config);
    EXPECT_GT(config.task_weights_size(), 0);
    std::vector<TaskWeight> weights(config.task_weights().begin(), config.task_weights().end());
    for (const auto& phase : config.task_weight_phases()) {
      weights.insert(weights.end(), phase.task_weights().begin(), phase.task_weights().end());
    }
    for (const TaskWeight& weight : weights) {
      EXPECT_TRUE(IsTextTask(weight.task()) || AllTasks().Info(weight.task()).ok()) << weight.task();
      EXPECT_GT(weight.weight(), 0) << weight.task();
    }
  }
}

TEST(CommittedConfigsTest, EverySuiteParses) {
  const std::vector<std::string> paths = TextprotosIn("agent/suites");
  ASSERT_GE(paths.size(), 4u);
  for (const std::string& path : paths) {
    SCOPED_TRACE(path);
    EXPECT_GT(LoadSuite(path).tasks_size(), 0);
  }
}

TEST(CommittedConfigsTest, RecipesTrainOnTheTasksTheirSuitesScore) {
  EXPECT_EQ(WeightedTasks(LoadConfig("agent/configs/quickstart.textproto")),
            SuiteTasks(LoadSuite("agent/suites/quickstart.textproto")));
  EXPECT_EQ(WeightedTasks(LoadConfig("agent/configs/all_tasks.textproto")),
            SuiteTasks(LoadSuite("agent/suites/control.textproto")));
  EXPECT_EQ(WeightedTasks(LoadConfig("agent/configs/all_tasks_vl.textproto")),
            SuiteTasks(LoadSuite("agent/suites/control_and_vision_language.textproto")));
  EXPECT_EQ(WeightedTasks(LoadConfig("agent/configs/scenes.textproto")),
            SuiteTasks(LoadSuite("agent/suites/vision_language.textproto")));
  EXPECT_EQ(WeightedTasks(LoadConfig("agent/configs/scenes_long.textproto")),
            SuiteTasks(LoadSuite("agent/suites/vision_language.textproto")));
}

// The with/without vision-language comparison (issue 7) is only fair if everything but
// the scene data is the same: model, batch, schedule, budget, seed, control weights and
// packing (off in both since 2026-11-30: the packed VL run answered 68.0%, the unpacked
// one 85.0%).
TEST(CommittedConfigsTest, VisionLanguageRecipeIsTheControlRecipePlusScenes) {
  TrainConfig control = LoadConfig("agent/configs/all_tasks.textproto");
  TrainConfig with_scenes = LoadConfig("agent/configs/all_tasks_vl.textproto");
  std::set<std::string> scene_tasks;
  TrainConfig trimmed = with_scenes;
  trimmed.clear_task_weights();
  for (const auto& weight : with_scenes.task_weights()) {
    if (IsTextTask(weight.task())) {
      scene_tasks.insert(weight.task());
    } else {
      *trimmed.add_task_weights() = weight;
    }
  }
  EXPECT_EQ(scene_tasks, (std::set<std::string>{"scenes/caption", "scenes/vqa"}));
  for (TrainConfig* config : {&control, &trimmed}) {
    config->clear_datasets();
    config->clear_output_dir();
  }
  EXPECT_EQ(trimmed.DebugString(), control.DebugString());

  // Both are scored on the same control episodes: 20 per task from seed 1000000 (the
  // count tools/recipe passes for the control-only suite).
  const SuiteConfig combined = LoadSuite("agent/suites/control_and_vision_language.textproto");
  const SuiteConfig control_suite = LoadSuite("agent/suites/control.textproto");
  EXPECT_EQ(combined.first_seed(), control_suite.first_seed());
  for (const SuiteTask& task : combined.tasks()) {
    EXPECT_EQ(task.episodes(), IsTextTask(task.task()) ? 200 : 20) << task.task();
  }
}

// all_tasks_vl_scenes_first.textproto, the candidate VL recipe (tools/recipe
// --vision_language --scenes_first), is all_tasks_vl.textproto with a scene-only start
// (its top-level weights, scene tasks only; the VL recipe's weights from its one phase on)
// and packed rows, and it is the runs measured at seeds 1 and 2 (whose records are in
// reports/) but for the seed and the budget's fitting.
TEST(CommittedConfigsTest, ScenesFirstCandidateIsTheVisionLanguageRecipeWithAScenesOnlyStart) {
  TrainConfig recipe = LoadConfig("agent/configs/all_tasks_vl.textproto");
  TrainConfig candidate = LoadConfig("agent/configs/all_tasks_vl_scenes_first.textproto");
  ASSERT_EQ(candidate.task_weight_phases_size(), 1);
  const TaskWeightPhase mix = candidate.task_weight_phases(0);
  EXPECT_EQ(mix.from_step(), 1000);
  EXPECT_FALSE(mix.has_pack_episodes());
  EXPECT_TRUE(candidate.pack_episodes());
  EXPECT_FALSE(recipe.pack_episodes());
  EXPECT_EQ(recipe.task_weight_phases_size(), 0);
  ASSERT_EQ(candidate.task_weights_size(), 2);
  EXPECT_EQ(candidate.task_weights(0).task(), "scenes/caption");
  EXPECT_EQ(candidate.task_weights(0).weight(), 1.0);
  EXPECT_EQ(candidate.task_weights(1).task(), "scenes/vqa");
  EXPECT_EQ(candidate.task_weights(1).weight(), 2.0);
  for (TrainConfig* config : {&recipe, &candidate}) {
    config->clear_datasets();
    config->clear_output_dir();
  }

  // The measured runs' records: the same config with their seed, an unfitted budget and
  // no checkpoints kept, on their own directories, plus what they loaded.
  for (const auto& [path, seed] : std::vector<std::pair<std::string, int>>{
           {"reports/recipe_vl_scenes_first_1000_seed1_2026-12-01/train_config.textproto", 1},
           {"reports/recipe_vl_scenes_first_1000_seed2_2026-12-01/train_config.textproto", 2}}) {
    SCOPED_TRACE(path);
    TrainConfig measured = LoadConfig(path);
    EXPECT_EQ(measured.seed(), seed);
    EXPECT_GE(measured.max_seconds(), candidate.max_seconds());  // it never stopped on time
    measured.clear_loaded_data();
    measured.set_seed(candidate.seed());
    measured.set_max_seconds(candidate.max_seconds());
    measured.set_fit_steps_to_seconds(candidate.fit_steps_to_seconds());
    if (candidate.has_keep_checkpoints()) {
      measured.set_keep_checkpoints(candidate.keep_checkpoints());
    } else {
      measured.clear_keep_checkpoints();
    }
    measured.clear_datasets();
    measured.clear_output_dir();
    EXPECT_EQ(measured.DebugString(), candidate.DebugString());
  }

  TrainConfig unstarted = candidate;
  unstarted.clear_task_weight_phases();
  unstarted.clear_pack_episodes();
  *unstarted.mutable_task_weights() = mix.task_weights();
  EXPECT_EQ(unstarted.DebugString(), recipe.DebugString());
}

// scenes_long.textproto is scenes.textproto run longer with more VQA rows: the same
// model, rows, packing, peak learning rate and seed; only the budget (and the cosine
// that follows it), the weights and the directories differ (the README compares them).
TEST(CommittedConfigsTest, LongScenesConfigIsTheScenesConfigRunLonger) {
  TrainConfig base = LoadConfig("agent/configs/scenes.textproto");
  TrainConfig long_run = LoadConfig("agent/configs/scenes_long.textproto");
  EXPECT_EQ(long_run.max_steps(), 3 * base.max_steps());
  EXPECT_GT(long_run.max_seconds(), base.max_seconds());
  EXPECT_EQ(long_run.decay_steps(), long_run.max_steps());  // the cosine spans the run
  for (TrainConfig* config : {&base, &long_run}) {
    config->clear_datasets();
    config->clear_output_dir();
    config->clear_task_weights();
    config->clear_max_steps();
    config->clear_max_seconds();
    config->clear_decay_steps();
  }
  EXPECT_EQ(long_run.DebugString(), base.DebugString());
}

}  // namespace
}  // namespace calico
