#include "agent/evaluate.h"

#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/file_io.h"
#include "base/random.h"
#include "base/status_macros.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

// Ten steps; reward = the action (0 or 1) + seed-dependent noise; draws a frame whose
// brightness follows the step.
class CoinEnv : public Environment {
 public:
  CoinEnv() {
    obs_["step"] = {"step", {1}, DType::kInt32, {0}, {10}};
    act_["a"] = {"a", {}, DType::kInt32, {0}, {1}};
  }
  const SpecMap& observation_spec() const override { return obs_; }
  const SpecMap& action_spec() const override { return act_; }
  absl::StatusOr<TimeStep> Reset(uint64_t seed) override {
    step_ = 0;
    rng_ = Rng(seed);
    return Make(StepType::kFirst, 0);
  }
  absl::StatusOr<TimeStep> Step(const NamedArrays& action) override {
    ++step_;
    return Make(step_ == 10 ? StepType::kLast : StepType::kMid, action.at("a").ints[0] + rng_.Uniform());
  }
  absl::StatusOr<Array> Render(int h, int w) override {
    return Array::Uint8({h, w, 3}, std::vector<uint8_t>(static_cast<size_t>(h) * w * 3, static_cast<uint8_t>(step_ * 20)));
  }

 private:
  TimeStep Make(StepType type, double reward) {
    TimeStep t;
    t.step_type = type;
    t.reward = reward;
    t.observation["step"] = Array::Int({1}, {step_});
    return t;
  }
  SpecMap obs_, act_;
  Rng rng_{0};
  int step_ = 0;
};

class FixedPolicy : public Policy {
 public:
  explicit FixedPolicy(bool always_one) : always_one_(always_one) {}
  void Reset(uint64_t seed) override { rng_ = Rng(seed * 7 + 1); }
  absl::StatusOr<NamedArrays> Act(const TimeStep&) override {
    return NamedArrays{{"a", Array::Int({}, {always_one_ ? 1 : static_cast<int32_t>(rng_.UniformInt(0, 2))})}};
  }

 private:
  bool always_one_;
  Rng rng_{0};
};

PolicyFactory Fixed(bool always_one) {
  return [always_one](const std::string&, const Environment&) -> absl::StatusOr<std::unique_ptr<Policy>> {
    return std::make_unique<FixedPolicy>(always_one);
  };
}

TaskRegistry Registry() {
  TaskRegistry registry;
  for (const char* name : {"coin/one", "coin/two"}) {
    EXPECT_OK(registry.Register({name, "", 10}, []() -> absl::StatusOr<std::unique_ptr<Environment>> {
      return std::make_unique<CoinEnv>();
    }));
  }
  return registry;
}

TEST(EvaluateTest, ExpertAndRandomThroughTheSameEvaluatorScore100And0) {
  const TaskRegistry registry = Registry();
  const ReferenceTable provisional = {{"coin/one", {0, 1, 50}}, {"coin/two", {0, 1, 50}}};
  ASSERT_OK_AND_ASSIGN(SuiteConfig suite,
                       ParseSuite("name: 'coins' episodes: 12 tasks { task: 'coin/one' } tasks { task: 'coin/two' "
                                  "episodes: 8 }",
                                  "suite.textproto", registry, provisional));
  EXPECT_EQ(suite.tasks(1).episodes(), 8);
  EXPECT_EQ(suite.bootstrap_samples(), 2000);
  EvaluateOptions options;
  options.suite = suite;
  options.references = provisional;  // replaced by measured references below
  ASSERT_OK_AND_ASSIGN(SuiteScores expert, EvaluateSuite(registry, Fixed(true), options, nullptr));
  ASSERT_OK_AND_ASSIGN(SuiteScores random, EvaluateSuite(registry, Fixed(false), options, nullptr));
  // The expert's returns, computed here from CoinEnv's rules (10 steps of 1 + the seed's
  // uniform draws) rather than by the evaluator: episode i plays seed first_seed + i.
  for (int k = 0; k < 2; ++k) {
    const int episodes = k == 0 ? 12 : 8;
    ASSERT_EQ(expert.tasks[k].returns.size(), static_cast<size_t>(episodes));
    double sum = 0;
    for (int i = 0; i < episodes; ++i) {
      Rng rng(suite.first_seed() + i);
      double episode_return = 0;
      for (int t = 0; t < 10; ++t) episode_return += 1 + rng.Uniform();
      EXPECT_NEAR(expert.tasks[k].returns[i], episode_return, 1e-9) << k << " " << i;
      sum += episode_return;
    }
    EXPECT_NEAR(expert.tasks[k].mean_return, sum / episodes, 1e-9);
  }
  // References measured by the same evaluator on the same seeds...
  for (int k = 0; k < 2; ++k) {
    options.references[expert.tasks[k].task] = {random.tasks[k].mean_return, expert.tasks[k].mean_return, 12};
  }
  // ...make the expert score exactly 100 and the random policy exactly 0.
  ASSERT_OK_AND_ASSIGN(SuiteScores again_expert, EvaluateSuite(registry, Fixed(true), options, nullptr));
  ASSERT_OK_AND_ASSIGN(SuiteScores again_random, EvaluateSuite(registry, Fixed(false), options, nullptr));
  for (int k = 0; k < 2; ++k) {
    EXPECT_NEAR(again_expert.tasks[k].score.value, 100.0, 1e-9);
    EXPECT_NEAR(again_random.tasks[k].score.value, 0.0, 1e-9);
  }
  EXPECT_NEAR(again_expert.iqm.value, 100.0, 1e-9);
  EXPECT_NEAR(again_random.mean.value, 0.0, 1e-9);
  EXPECT_EQ(again_expert.tasks[1].returns.size(), 8u);
}

TEST(EvaluateTest, WritesAReportWithScoresChartsAndVideos) {
  const TaskRegistry registry = Registry();
  const ReferenceTable refs = {{"coin/one", {5, 10, 50}}, {"coin/two", {5, 10, 50}}};
  EvaluateOptions options;
  ASSERT_OK_AND_ASSIGN(options.suite,
                       ParseSuite("name: 'coins' episodes: 4 tasks { task: 'coin/one' } tasks { task: 'coin/two' }",
                                  "s", registry, refs));
  options.references = refs;
  options.policy_label = "always one";
  options.report_directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/report");
  options.extra.curves["loss"] = {{0, 3.0}, {10, 2.0}, {20, 1.5}};
  ASSERT_OK_AND_ASSIGN(SuiteScores scores, EvaluateSuite(registry, Fixed(true), options, nullptr));
  ASSERT_OK_AND_ASSIGN(std::string json, ReadFile(options.report_directory + "/report.json"));
  EXPECT_THAT(json, HasSubstr("\"task\": \"coin/one\""));
  EXPECT_THAT(json, HasSubstr("\"iqm\": {\"value\": "));
  EXPECT_THAT(json, HasSubstr("\"policy\": \"always one\""));
  ASSERT_OK_AND_ASSIGN(std::string md, ReadFile(options.report_directory + "/report.md"));
  EXPECT_THAT(md, HasSubstr("| coin/two |"));
  EXPECT_THAT(md, HasSubstr("| **IQM** |"));
  ASSERT_OK_AND_ASSIGN(std::string html, ReadFile(options.report_directory + "/report.html"));
  EXPECT_THAT(html, HasSubstr("<svg id=\"scores\""));
  EXPECT_THAT(html, HasSubstr("<polyline"));
  EXPECT_THAT(html, HasSubstr("src=\"data:image/gif;base64,R0lGODlh"));  // "GIF89a" in base64
  ASSERT_OK(ReadFile(options.report_directory + "/videos/coin_one.gif").status());
}

// A video lost after a task's episodes (its path became a directory while they ran; a
// full disk in practice) is reported; the task is scored and the suite goes on.
TEST(EvaluateTest, AVideoLostMidSuiteKeepsTheScoresAndTheLaterTasks) {
  const TaskRegistry registry = Registry();
  const ReferenceTable refs = {{"coin/one", {5, 10, 50}}, {"coin/two", {5, 10, 50}}};
  EvaluateOptions options;
  ASSERT_OK_AND_ASSIGN(options.suite, ParseSuite("episodes: 2 tasks { task: 'coin/one' } tasks { task: 'coin/two' }",
                                                 "s", registry, refs));
  options.references = refs;
  options.report_directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/lost-video");
  const std::string blocked = options.report_directory + "/videos/coin_one.gif";
  class Blocking : public FixedPolicy {
   public:
    explicit Blocking(std::string path) : FixedPolicy(true), path_(std::move(path)) {}
    absl::StatusOr<NamedArrays> Act(const TimeStep& t) override {
      RETURN_IF_ERROR(MakeDirectories(path_));
      return FixedPolicy::Act(t);
    }

   private:
    std::string path_;
  };
  const PolicyFactory blocking = [&](const std::string& task,
                                     const Environment& env) -> absl::StatusOr<std::unique_ptr<Policy>> {
    if (task == "coin/one") return std::make_unique<Blocking>(blocked);
    return Fixed(true)(task, env);
  };
  std::ostringstream progress;
  ASSERT_OK_AND_ASSIGN(SuiteScores scores, EvaluateSuite(registry, blocking, options, &progress));
  EXPECT_THAT(progress.str(), HasSubstr("eval coin/one: the video was not written ("));
  ASSERT_EQ(scores.tasks.size(), 2u);
  EXPECT_EQ(scores.tasks[1].task, "coin/two");
  EXPECT_EQ(scores.tasks[0].returns.size(), 2u);
  ASSERT_OK(ReadFile(options.report_directory + "/videos/coin_two.gif").status());
  ASSERT_OK_AND_ASSIGN(std::string html, ReadFile(options.report_directory + "/report.html"));
  size_t videos = 0;
  for (size_t at = html.find("data:image/gif"); at != std::string::npos; at = html.find("data:image/gif", at + 1)) {
    ++videos;
  }
  EXPECT_EQ(videos, 1u);
}

TEST(EvaluateTest, VisionLanguageTasksSitBesideControlAndStayOutOfItsAggregates) {
  const TaskRegistry registry = Registry();
  const ReferenceTable refs = {{"coin/one", {5, 10, 50}}};
  EvaluateOptions options;
  ASSERT_OK_AND_ASSIGN(options.suite, ParseSuite("name: 'mixed' episodes: 4 first_seed: 1000000 "
                                                 "tasks { task: 'coin/one' } tasks { task: 'scenes/vqa' }",
                                                 "s", registry, refs));
  options.references = refs;
  options.videos = false;
  // An answerer that is always wrong: VQA accuracy 0, whatever the control score. Its
  // text carries table and markup characters, which the reports must escape; the
  // reports show the working before the answer.
  options.answer_text = [](const std::vector<TextQuery>& queries) -> absl::StatusOr<std::vector<SceneAnswer>> {
    return std::vector<SceneAnswer>(queries.size(), SceneAnswer{"a <i>caption</i>", "not an answer | <b>&", true, false, "red <u>box"});
  };
  options.report_directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/mixed-report");
  ASSERT_OK_AND_ASSIGN(SuiteScores scores, EvaluateSuite(registry, Fixed(true), options, nullptr));
  ASSERT_EQ(scores.tasks.size(), 1u);
  ASSERT_EQ(scores.text_tasks.size(), 1u);
  EXPECT_DOUBLE_EQ(scores.text_tasks[0].metrics[0].value.value, 0.0);
  // The aggregates are those of the one control task.
  EXPECT_DOUBLE_EQ(scores.mean.value, scores.tasks[0].score.value);
  EXPECT_DOUBLE_EQ(scores.iqm.value, scores.tasks[0].score.value);
  const std::string table = ScoreTable(scores);
  EXPECT_THAT(table, HasSubstr("| coin/one |"));
  EXPECT_THAT(table, HasSubstr("| scenes/vqa | accuracy | 4 | 0.0 |"));
  ASSERT_OK_AND_ASSIGN(std::string json, ReadFile(options.report_directory + "/report.json"));
  EXPECT_THAT(json, HasSubstr("\"iqm\": {\"value\": "));
  EXPECT_THAT(json, HasSubstr("\"answer\": \"not an answer | <b>&\", \"working\": \"red <u>box\", \"caption\": \"a <i>caption</i>\""));
  ASSERT_OK_AND_ASSIGN(std::string md, ReadFile(options.report_directory + "/report.md"));
  EXPECT_THAT(md, HasSubstr("| red &lt;u&gt;box, so not an answer \\| &lt;b&gt;&amp; | no | a &lt;i&gt;caption&lt;/i&gt; |"));
  ASSERT_OK_AND_ASSIGN(std::string html, ReadFile(options.report_directory + "/report.html"));
  EXPECT_THAT(html, Not(HasSubstr("<b>&")));
  EXPECT_THAT(html, Not(HasSubstr("<i>caption")));
  EXPECT_THAT(html, HasSubstr("red &lt;u&gt;box, so not an answer"));
  EXPECT_THAT(html, HasSubstr("<svg id=\"scores\""));
  EXPECT_THAT(html, HasSubstr("id=\"text-table\""));
}

TEST(EvaluateTest, BadSuitesAreClearErrors) {
  const TaskRegistry registry = Registry();
  const ReferenceTable refs = {{"coin/one", {0, 1, 50}}};
  EXPECT_THAT(ParseSuite("tasks { task: 'coin/three' }", "s.txt", registry, refs),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("known tasks: coin/one, coin/two")));
  EXPECT_THAT(ParseSuite("tasks { task: 'coin/two' }", "s.txt", registry, refs),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no reference returns")));
  EXPECT_THAT(ParseSuite("tasks { task: 'coin/one' } tasks { task: 'coin/one' }", "s.txt", registry, refs),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("listed twice")));
  EXPECT_THAT(ParseSuite("name: 'x'", "s.txt", registry, refs),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("names no tasks")));
  EXPECT_THAT(ParseSuite("tasks { tsk: 'coin/one' }", "s.txt", registry, refs),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("s.txt: not a valid SuiteConfig: line 1")));
  EXPECT_THAT(ParseSuite("episodes: -3 tasks { task: 'coin/one' }", "s.txt", registry, refs),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("must be positive")));
  // Counts that would only run out of memory, and seeds that would wrap to 0.
  EXPECT_THAT(ParseSuite("episodes: 2147483647 tasks { task: 'coin/one' }", "s.txt", registry, refs),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("s.txt: episodes is 2147483647; at most 1000000")));
  EXPECT_THAT(ParseSuite("tasks { task: 'coin/one' episodes: 1000001 }", "s.txt", registry, refs),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("episodes of 'coin/one' is 1000001; at most")));
  EXPECT_THAT(ParseSuite("first_seed: 18446744073709551615 episodes: 2 tasks { task: 'coin/one' }", "s.txt", registry,
                         refs),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("runs past the largest seed")));
  EXPECT_OK(ParseSuite("first_seed: 18446744073709551614 episodes: 2 tasks { task: 'coin/one' }", "s.txt", registry,
                       refs)
                .status());  // the last seed is 2^64 - 1
  EXPECT_THAT(ParseSuite("first_seed: 1000000 tasks { task: 'coin/one' episodes: -3 }", "s.txt", registry, refs),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("negative episodes for 'coin/one'")));
  EXPECT_OK(ParseSuite("episodes: 1000000 tasks { task: 'coin/one' }", "s.txt", registry, refs).status());
  // Temperatures: sampling ones in [0, 1e6] for control tasks only.
  for (const char* bad : {"-1", "nan", "inf", "1e7"}) {
    EXPECT_THAT(ParseSuite(absl::StrCat("tasks { task: 'coin/one' temperature: ", bad, " }"), "s.txt", registry, refs),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("s.txt: temperature of 'coin/one' is ")))
        << bad;
  }
  EXPECT_THAT(ParseSuite("first_seed: 1000000 tasks { task: 'scenes/vqa' temperature: 1 }", "s.txt", registry, refs),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--text_temperature")));
  EXPECT_OK(ParseSuite("tasks { task: 'coin/one' temperature: 1e6 }", "s.txt", registry, refs).status());
  ASSERT_OK_AND_ASSIGN(SuiteConfig negative_zero,
                       ParseSuite("tasks { task: 'coin/one' temperature: -0 }", "s.txt", registry, refs));
  EXPECT_FALSE(std::signbit(negative_zero.tasks(0).temperature()));
}

TEST(EvaluateTest, SuiteTemperaturesOverrideTheDefaultPerTaskAndAreReported) {
  const TaskRegistry registry = Registry();
  const ReferenceTable refs = {{"coin/one", {5, 10, 50}}, {"coin/two", {5, 10, 50}}};
  ASSERT_OK_AND_ASSIGN(SuiteConfig suite,
                       ParseSuite("first_seed: 1000000 episodes: 2 tasks { task: 'coin/one' temperature: 0 } "
                                  "tasks { task: 'coin/two' } tasks { task: 'scenes/vqa' }",
                                  "s", registry, refs));
  const std::map<std::string, double> temperatures = SuiteActionTemperatures(suite, 0.7);
  EXPECT_EQ(temperatures, (std::map<std::string, double>{{"coin/one", 0.0}, {"coin/two", 0.7}}));

  EvaluateOptions options;
  options.suite = suite;
  options.suite.mutable_tasks()->RemoveLast();  // no text answerer here
  options.references = refs;
  options.action_temperatures = temperatures;
  options.report_directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/temperature-report");
  options.videos = false;
  options.extra.temperature_choices = {{"coin/two", {0, 0.7}, {3.5, 4.25}, 0.7}};
  options.extra.choice_first_seed = 2000000;
  options.extra.choice_episodes = 4;
  ASSERT_OK_AND_ASSIGN(SuiteScores scores, EvaluateSuite(registry, Fixed(true), options, nullptr));
  ASSERT_EQ(scores.tasks.size(), 2u);
  EXPECT_EQ(scores.tasks[0].action_temperature, 0.0);
  EXPECT_EQ(scores.tasks[1].action_temperature, 0.7);
  EXPECT_THAT(ScoreTable(scores), HasSubstr("| coin/one | greedy | "));
  EXPECT_THAT(ScoreTable(scores), HasSubstr("| coin/two | T=0.7 | "));
  EXPECT_THAT(ScoreTable(scores), HasSubstr("| **IQM** | | | | **"));  // the aggregates keep their columns
  ASSERT_OK_AND_ASSIGN(std::string json, ReadFile(options.report_directory + "/report.json"));
  EXPECT_THAT(json, HasSubstr("\"action_temperature\": 0,"));
  EXPECT_THAT(json, HasSubstr("\"action_temperature\": 0.7,"));
  ASSERT_OK_AND_ASSIGN(std::string html, ReadFile(options.report_directory + "/report.html"));
  EXPECT_THAT(html, HasSubstr("<th>actions</th>"));
  EXPECT_THAT(html, HasSubstr("<td>coin/two</td><td>T=0.7</td>"));
  EXPECT_THAT(html, HasSubstr("<tr><th>IQM</th><td></td><td></td><td></td><th>"));  // six cells, as the header
  // The temperatures chosen on validation episodes, in every form.
  EXPECT_THAT(json, HasSubstr("\"temperature_choice\": {\"first_seed\": 2000000, \"episodes\": 4, \"tasks\": ["
                              "\n    {\"task\": \"coin/two\", \"candidates\": [0, 0.7], \"mean_returns\": [3.5, 4.25], "
                              "\"chosen\": 0.7}]}"));
  ASSERT_OK_AND_ASSIGN(std::string md, ReadFile(options.report_directory + "/report.md"));
  EXPECT_THAT(md, HasSubstr("over 4 validation episodes (seeds 2000000..2000003), not the scored ones"));
  EXPECT_THAT(md, HasSubstr("| task | greedy | T=0.7 | chosen |\n|---|---:|---:|---|\n| coin/two | 3.50 | 4.25 | T=0.7 |"));
  EXPECT_THAT(html, HasSubstr("<td>coin/two</td><td>3.50</td><td>4.25</td><td>T=0.7</td>"));

  // A policy that does not sample from a model (no temperatures): no actions column.
  options.action_temperatures.clear();
  options.extra.temperature_choices.clear();
  ASSERT_OK_AND_ASSIGN(SuiteScores plain, EvaluateSuite(registry, Fixed(true), options, nullptr));
  EXPECT_FALSE(plain.tasks[0].action_temperature.has_value());
  EXPECT_THAT(ScoreTable(plain), HasSubstr("| task | mean return |"));
  ASSERT_OK_AND_ASSIGN(json, ReadFile(options.report_directory + "/report.json"));
  EXPECT_THAT(json, HasSubstr("\"action_temperature\": null,"));
  EXPECT_THAT(json, HasSubstr("\"temperature_choice\": null"));
  EXPECT_THAT(json, HasSubstr("\"prompt\": null,"));
}

TEST(EvaluateTest, AReportThatCannotBeWrittenIsRefusedBeforeAnyEpisode) {
  const TaskRegistry registry = Registry();
  const ReferenceTable refs = {{"coin/one", {5, 10, 50}}, {"coin/two", {5, 10, 50}}};
  EvaluateOptions options;
  ASSERT_OK_AND_ASSIGN(options.suite, ParseSuite("episodes: 2 tasks { task: 'coin/one' } tasks { task: 'coin/two' }",
                                                 "s", registry, refs));
  options.references = refs;
  int policies = 0;
  const PolicyFactory counting = [&policies](const std::string& task, const Environment& env) {
    ++policies;
    return Fixed(true)(task, env);
  };
  const std::string base = std::getenv("TEST_TMPDIR");
  // report.json taken by a directory; a later task's video path taken by one.
  options.report_directory = base + "/blocked-json";
  ASSERT_OK(MakeDirectories(options.report_directory + "/report.json"));
  EXPECT_THAT(EvaluateSuite(registry, counting, options, nullptr).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("report: '" + options.report_directory +
                                                                     "/report.json' is a directory")));
  options.report_directory = base + "/blocked-video";
  ASSERT_OK(MakeDirectories(options.report_directory + "/videos/coin_two.gif"));
  EXPECT_THAT(EvaluateSuite(registry, counting, options, nullptr).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("videos/coin_two.gif' is a directory")));
  EXPECT_EQ(policies, 0);
  // Without videos that path is not written, so not checked.
  options.videos = false;
  ASSERT_OK(EvaluateSuite(registry, counting, options, nullptr).status());
  EXPECT_GT(policies, 0);
}

// A report directory may hold an earlier report (replaced on a rerun), never a file of
// the same name that calico did not write: that is refused before any episode and kept.
TEST(EvaluateTest, AReportFileCalicoDidNotWriteIsKeptAndRefused) {
  const TaskRegistry registry = Registry();
  const ReferenceTable refs = {{"coin/one", {5, 10, 50}}};
  EvaluateOptions options;
  ASSERT_OK_AND_ASSIGN(options.suite, ParseSuite("episodes: 2 tasks { task: 'coin/one' }", "s", registry, refs));
  options.references = refs;
  options.videos = false;
  int policies = 0;
  const PolicyFactory counting = [&policies](const std::string& task, const Environment& env) {
    ++policies;
    return Fixed(true)(task, env);
  };
  options.report_directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/rerun");
  ASSERT_OK(EvaluateSuite(registry, counting, options, nullptr).status());
  ASSERT_OK_AND_ASSIGN(const std::string first_md, ReadFile(options.report_directory + "/report.md"));
  // A rerun replaces its own earlier report.
  options.policy_label = "second run";
  ASSERT_OK(EvaluateSuite(registry, counting, options, nullptr).status());
  ASSERT_OK_AND_ASSIGN(const std::string second_md, ReadFile(options.report_directory + "/report.md"));
  EXPECT_THAT(second_md, HasSubstr("Policy: second run."));
  EXPECT_NE(first_md, second_md);
  for (const char* name : {"report.json", "report.md", "report.html"}) {
    // Files of another hand: a notes file that even starts with a heading, JSON of
    // another shape, an HTML page.
    const std::string path = absl::StrCat(options.report_directory, "/", name);
    const std::string foreign = absl::string_view(name) == "report.md"     ? "# My notes\n\nkeep these\n"
                                : absl::string_view(name) == "report.json" ? "{\"title\": \"mine\"}\n"
                                                                           : "<html><body>mine</body></html>\n";
    ASSERT_OK_AND_ASSIGN(const std::string ours, ReadFile(path));
    ASSERT_OK(WriteFileAtomically(path, foreign));
    policies = 0;
    EXPECT_THAT(EvaluateSuite(registry, counting, options, nullptr).status(),
                StatusIs(absl::StatusCode::kFailedPrecondition,
                         HasSubstr(absl::StrCat("report: '", path, "' exists and is not a calico report"))))
        << name;
    EXPECT_EQ(policies, 0) << name;
    ASSERT_OK_AND_ASSIGN(const std::string kept, ReadFile(path));
    EXPECT_EQ(kept, foreign) << name;
    ASSERT_OK(WriteFileAtomically(path, ours));  // put the report back for the next file
  }
  // With all three files calico's again, the rerun goes through.
  ASSERT_OK(EvaluateSuite(registry, counting, options, nullptr).status());
}

TEST(EvaluateTest, APolicyThatCannotActInALaterTaskIsRefusedBeforeAnyEpisode) {
  const TaskRegistry registry = Registry();
  const ReferenceTable refs = {{"coin/one", {5, 10, 50}}, {"coin/two", {5, 10, 50}}};
  EvaluateOptions options;
  ASSERT_OK_AND_ASSIGN(options.suite, ParseSuite("episodes: 2 tasks { task: 'coin/one' } tasks { task: 'coin/two' }",
                                                 "s", registry, refs));
  options.references = refs;
  // Acts in coin/one, cannot be built for coin/two (as a transformer whose context is
  // too short for that task's timestep); counts the steps it acts.
  int acted = 0;
  class Counting : public Policy {
   public:
    explicit Counting(int* acted) : acted_(acted) {}
    void Reset(uint64_t) override {}
    absl::StatusOr<NamedArrays> Act(const TimeStep&) override {
      ++*acted_;
      return NamedArrays{{"a", Array::Int({}, {1})}};
    }

   private:
    int* acted_;
  };
  const PolicyFactory picky = [&acted](const std::string& task,
                                       const Environment&) -> absl::StatusOr<std::unique_ptr<Policy>> {
    if (task == "coin/two") return absl::FailedPreconditionError("a context of 5 positions cannot hold a timestep");
    return std::make_unique<Counting>(&acted);
  };
  EXPECT_THAT(EvaluateSuite(registry, picky, options, nullptr).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("the policy cannot act in coin/two (checked before any episode): a context of 5")));
  EXPECT_EQ(acted, 0);
  // The batched factory is checked the same way, for one environment.
  options.make_batch_policy = [](const std::string& task, const Environment&,
                                 int num_envs) -> absl::StatusOr<std::unique_ptr<BatchPolicy>> {
    EXPECT_EQ(num_envs, 1);
    return absl::FailedPreconditionError(absl::StrCat("no batch for ", task));
  };
  EXPECT_THAT(CheckPoliciesCanAct(registry, options.suite, picky, options.make_batch_policy),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("cannot act in coin/one (checked before any "
                                                                        "episode): no batch for coin/one")));
  EXPECT_OK(CheckPoliciesCanAct(registry, options.suite, Fixed(true), nullptr));
}

TEST(EvaluateTest, TasksWithTheirOwnEpisodeCountsAreReportedSo) {
  const TaskRegistry registry = Registry();
  const ReferenceTable refs = {{"coin/one", {5, 10, 50}}, {"coin/two", {5, 10, 50}}};
  EvaluateOptions options;
  ASSERT_OK_AND_ASSIGN(options.suite, ParseSuite("episodes: 2 first_seed: 77 tasks { task: 'coin/one' episodes: 1 } "
                                                 "tasks { task: 'coin/two' episodes: 3 }",
                                                 "s", registry, refs));
  options.references = refs;
  options.videos = false;
  options.report_directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/own-counts");
  // Curves at the ends of the double range: the chart's spans must not overflow to NaN.
  options.extra.curves["loss"] = {{-1.7e308, 1.7e308}, {0, -1.7e308}, {1.7e308, 0}};
  ASSERT_OK(EvaluateSuite(registry, Fixed(true), options, nullptr).status());
  ASSERT_OK_AND_ASSIGN(std::string json, ReadFile(options.report_directory + "/report.json"));
  EXPECT_THAT(json, HasSubstr("\"episodes_per_task\": null"));
  // The suite's first seed, so that reports can be paired by seed.
  EXPECT_THAT(json, HasSubstr("\n  \"first_seed\": 77,\n"));
  EXPECT_THAT(json, HasSubstr("\"task\": \"coin/one\", "));
  EXPECT_THAT(json, ContainsRegex("\"episodes\": 1, \"returns\": \\[[0-9.]+\\]"));
  EXPECT_THAT(json, ContainsRegex("\"episodes\": 3, \"returns\": \\[[0-9.]+, [0-9.]+, [0-9.]+\\]"));
  ASSERT_OK_AND_ASSIGN(std::string md, ReadFile(options.report_directory + "/report.md"));
  EXPECT_THAT(md, HasSubstr("as the suite sets them per task"));
  ASSERT_OK_AND_ASSIGN(std::string html, ReadFile(options.report_directory + "/report.html"));
  EXPECT_THAT(html, HasSubstr("as the suite sets them per task"));
  EXPECT_THAT(html, HasSubstr("<polyline"));
  EXPECT_THAT(html, Not(HasSubstr("nan")));
  EXPECT_THAT(html, HasSubstr("points=\"40.0,40.0 280.0,180.0 520.0,110.0\""));
}

TEST(EvaluateTest, PromptsAreReportedPerTask) {
  const TaskRegistry registry = Registry();
  const ReferenceTable refs = {{"coin/one", {5, 10, 50}}, {"coin/two", {5, 10, 50}}};
  EvaluateOptions options;
  ASSERT_OK_AND_ASSIGN(options.suite, ParseSuite("episodes: 2 tasks { task: 'coin/one' } tasks { task: 'coin/two' }",
                                                 "s", registry, refs));
  options.references = refs;
  options.action_temperatures = {{"coin/one", 1.0}, {"coin/two", 1.0}};
  options.prompts = {{"coin/two", PromptSource{"/data/<demos>", 17, "expert", 99, 7.5}}};
  options.report_directory = absl::StrCat(std::getenv("TEST_TMPDIR"), "/prompt-report");
  options.videos = false;
  ASSERT_OK_AND_ASSIGN(SuiteScores scores, EvaluateSuite(registry, Fixed(true), options, nullptr));
  ASSERT_EQ(scores.tasks.size(), 2u);
  EXPECT_FALSE(scores.tasks[0].prompt.has_value());
  ASSERT_TRUE(scores.tasks[1].prompt.has_value());
  EXPECT_EQ(scores.tasks[1].prompt->seed, 17u);
  const std::string table = ScoreTable(scores);
  EXPECT_THAT(table, HasSubstr("| task | actions | prompt | mean return |"));
  EXPECT_THAT(table, HasSubstr("| coin/one | T=1 | none | "));
  EXPECT_THAT(table, HasSubstr("| coin/two | T=1 | seed 17, 99 steps, return 7.50 | "));
  EXPECT_THAT(table, HasSubstr("| **IQM** | | | | | **"));  // the aggregates keep their columns
  ASSERT_OK_AND_ASSIGN(std::string json, ReadFile(options.report_directory + "/report.json"));
  EXPECT_THAT(json, HasSubstr("\"task\": \"coin/one\", "));
  EXPECT_THAT(json, HasSubstr("\"prompt\": null, \"episodes\": 2, \"returns\""));
  EXPECT_THAT(json, HasSubstr("\"prompt\": {\"dataset\": \"/data/<demos>\", \"seed\": 17, \"policy\": \"expert\", "
                              "\"steps\": 99, \"return\": 7.5}, \"episodes\": 2, \"returns\""));
  ASSERT_OK_AND_ASSIGN(std::string md, ReadFile(options.report_directory + "/report.md"));
  EXPECT_THAT(md, HasSubstr("the first episode of the task in /data/&lt;demos&gt;."));  // Markdown escapes HTML
  ASSERT_OK_AND_ASSIGN(std::string html, ReadFile(options.report_directory + "/report.html"));
  EXPECT_THAT(html, HasSubstr("<th>actions</th><th>prompt</th>"));
  EXPECT_THAT(html, HasSubstr("<td>coin/two</td><td>T=1</td><td>seed 17, 99 steps, return 7.50</td>"));
  EXPECT_THAT(html, HasSubstr("<tr><th>IQM</th><td></td><td></td><td></td><td></td><th>"));
  EXPECT_THAT(html, HasSubstr("task in /data/&lt;demos&gt;.</p>"));  // escaped
}

}  // namespace
}  // namespace calico
