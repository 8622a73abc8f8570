#include "policies/transformer_policy.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "base/random.h"
#include "base/status_matchers.h"
#include "envs/all_tasks.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policies/test_models.h"
#include "tokenizers/sequence_builder.h"
#include "tokenizers/text/text_tokenizer.h"

namespace calico {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kTextModel[] = "tokenizers/text/calico_text.model";

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

class TransformerPolicyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto text = TextTokenizer::Load(kTextModel);
    ASSERT_OK(text.status());
    text_ = std::move(text).value().release();
    auto model = RandomPresetModel("nano", /*seed=*/7);
    ASSERT_OK(model.status());
    nano_ = new std::shared_ptr<const Transformer>(*model);
  }

  static void TearDownTestSuite() {
    delete nano_;
    delete text_;
    nano_ = nullptr;
    text_ = nullptr;
  }

  std::unique_ptr<Environment> MakeEnv(const std::string& task) {
    auto env = AllTasks().Make(task);
    EXPECT_OK(env.status());
    return std::move(env).value();
  }

  std::unique_ptr<TransformerPolicy> MakePolicy(const std::string& task, const Environment& env,
                                                TransformerPolicyOptions options,
                                                std::shared_ptr<const Transformer> model = nullptr) {
    auto policy = TransformerPolicy::Create(model ? model : *nano_, task, env.observation_spec(),
                                            env.action_spec(), text_, std::move(options));
    EXPECT_OK(policy.status());
    return policy.ok() ? std::move(policy).value() : nullptr;
  }

  static TextTokenizer* text_;
  static std::shared_ptr<const Transformer>* nano_;
};

TextTokenizer* TransformerPolicyTest::text_ = nullptr;
std::shared_ptr<const Transformer>* TransformerPolicyTest::nano_ = nullptr;

// Runs up to `max_steps` steps (resetting at LAST) with `policy`, checking every action
// against the spec and its ids against the valid ranges; returns every action id.
std::vector<int32_t> RunChecked(Environment& env, TransformerPolicy& policy, uint64_t seed, int max_steps,
                                std::vector<Timestep>* steps = nullptr) {
  std::vector<int32_t> all_ids;
  policy.Reset(seed);
  absl::StatusOr<TimeStep> ts = env.Reset(seed);
  EXPECT_OK(ts.status());
  for (int i = 0; i < max_steps && ts.ok(); ++i) {
    if (ts->last()) {
      policy.Reset(seed + i);
      ts = env.Reset(seed + i);
      if (!ts.ok()) break;
    }
    absl::StatusOr<NamedArrays> action = policy.Act(*ts);
    EXPECT_OK(action.status()) << "step " << i;
    if (!action.ok()) break;
    EXPECT_OK(CheckArrays(env.action_spec(), *action, "action")) << "step " << i;
    const std::vector<int32_t>& ids = policy.last_action_ids();
    EXPECT_EQ(static_cast<int64_t>(ids.size()), policy.builder().num_action_tokens());
    for (size_t k = 0; k < ids.size(); ++k) {
      absl::StatusOr<IdRange> range = policy.builder().ValidActionIds(k);
      EXPECT_OK(range.status());
      EXPECT_TRUE(range->contains(ids[k])) << "step " << i << " token " << k << ": id " << ids[k]
                                           << " outside " << *range;
    }
    all_ids.insert(all_ids.end(), ids.begin(), ids.end());
    if (steps != nullptr) steps->push_back({ts->observation, *action});
    ts = env.Step(*action);
    EXPECT_OK(ts.status()) << "step " << i;
  }
  return all_ids;
}

// Greedy action ids from one full forward pass over `prefix` then `steps` (each with its
// action): at every action position, the largest logit in that element's valid range.
std::vector<int32_t> FullForwardGreedyIds(const Transformer& model, const SequenceBuilder& builder,
                                          const TokenStream& prefix, const std::vector<Timestep>& steps,
                                          std::vector<float>* last_logits = nullptr) {
  absl::StatusOr<TokenStream> episode = builder.TokenizeEpisode(steps, nullptr);
  EXPECT_OK(episode.status());
  Batch a = StreamToBatch(prefix, 0, prefix.num_positions());
  Batch b = StreamToBatch(*episode, 0, episode->num_positions());
  // Concatenate, renumbering b's patches after a's.
  Batch batch = a;
  const int32_t offset = static_cast<int32_t>(a.patch_row.size());
  for (int64_t t = 0; t < b.seq_len; ++t) {
    batch.ids.push_back(b.ids[t]);
    batch.patch_index.push_back(b.patch_index[t] >= 0 ? b.patch_index[t] + offset : -1);
    batch.local_position.push_back(b.local_position[t]);
    // Targets: the action tokens of the episode part.
    batch.loss_mask.push_back(episode->kinds[t] == PositionKind::kAction ? 1 : 0);
  }
  batch.seq_len = a.seq_len + b.seq_len;
  batch.patches.insert(batch.patches.end(), b.patches.begin(), b.patches.end());
  batch.patch_row.insert(batch.patch_row.end(), b.patch_row.begin(), b.patch_row.end());
  batch.patch_col.insert(batch.patch_col.end(), b.patch_col.begin(), b.patch_col.end());
  std::vector<float> logits;
  // Forward is not const (activation buffers): a private copy of the model.
  Transformer copy = std::move(Transformer::Create(model.config(), 0).value());
  copy.parameters() = model.parameters();
  EXPECT_OK(copy.Forward(batch, &logits).status());
  const int64_t V = model.config().vocab_size();
  std::vector<int32_t> ids;
  const int64_t A = builder.num_action_tokens();
  for (int64_t n = 0; n * V < static_cast<int64_t>(logits.size()); ++n) {
    const IdRange range = builder.ValidActionIds(n % A).value();
    int32_t best = range.begin;
    for (int32_t id = range.begin; id < range.end; ++id) {
      if (logits[n * V + id] > logits[n * V + best]) best = id;
    }
    ids.push_back(best);
  }
  if (last_logits != nullptr) last_logits->assign(logits.end() - V, logits.end());
  return ids;
}

// Largest absolute difference between two logit rows.
double MaxDifference(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) worst = std::max(worst, double{std::abs(a[i] - b[i])});
  return worst;
}

TEST_F(TransformerPolicyTest, ActionsAlwaysFitTheSpecOverHundredsOfSteps) {
  // Sampling at a high temperature from random weights puts mass on every id, so any
  // id the masks let through would show up; a small context makes drops happen too.
  for (const std::string task : {"arcade/breakout", "mujoco/cartpole_swingup", "mujoco/cheetah_run",
                                 "mujoco/cartpole_swingup_pixels", "arcade/asterix_pixels"}) {
    SCOPED_TRACE(task);
    auto env = MakeEnv(task);
    TransformerPolicyOptions options;
    options.temperature = 2.0;
    options.seed = 3;
    options.context_length = 256;
    auto policy = MakePolicy(task, *env, options);
    ASSERT_NE(policy, nullptr);
    const int steps = task.find("pixels") != std::string::npos ? 120 : 400;
    std::vector<int32_t> ids = RunChecked(*env, *policy, 11, steps);
    EXPECT_EQ(static_cast<int64_t>(ids.size()), steps * policy->builder().num_action_tokens());
    EXPECT_GT(policy->dropped_timesteps(), 0);
  }
}

TEST_F(TransformerPolicyTest, IncrementalActingMatchesFullForwardGreedy) {
  for (const std::string task : {"mujoco/cheetah_run", "arcade/breakout", "mujoco/cartpole_swingup_pixels"}) {
    SCOPED_TRACE(task);
    auto env = MakeEnv(task);
    auto policy = MakePolicy(task, *env, TransformerPolicyOptions());
    ASSERT_NE(policy, nullptr);
    std::vector<Timestep> steps;
    std::vector<int32_t> ids = RunChecked(*env, *policy, 5, 8, &steps);
    EXPECT_EQ(policy->dropped_timesteps(), 0);
    std::vector<float> logits;
    EXPECT_EQ(ids, FullForwardGreedyIds(**nano_, policy->builder(), TokenStream(), steps, &logits));
    EXPECT_LE(MaxDifference(policy->last_logits(), logits), 1e-4);
  }
}

// A demonstration episode of `task`: `n` random-ish steps (the policy's own actions).
Episode Demonstration(Environment& env, TransformerPolicy& policy, const std::string& task, int n) {
  Episode demo;
  demo.task = task;
  demo.observation_spec = env.observation_spec();
  demo.action_spec = env.action_spec();
  RunChecked(env, policy, 99, n, &demo.steps);
  demo.steps.push_back({demo.steps.back().observation, std::nullopt});  // observation-only end
  return demo;
}

TEST_F(TransformerPolicyTest, PromptIsPrefilledAndActingMatchesFullForwardAfterIt) {
  const std::string task = "mujoco/cheetah_run";
  auto env = MakeEnv(task);
  TransformerPolicyOptions sampled;
  sampled.temperature = 1.0;
  auto helper = MakePolicy(task, *env, sampled);
  ASSERT_NE(helper, nullptr);
  TransformerPolicyOptions options;
  options.prompt = Demonstration(*env, *helper, task, 6);
  auto policy = MakePolicy(task, *env, options);
  ASSERT_NE(policy, nullptr);
  // 7 timesteps: 6 with 17 observation + '|' + 6 action tokens, then the last observation.
  EXPECT_EQ(policy->prompt_length(), 6 * 24 + 17);
  EXPECT_EQ(policy->cache().length(0), policy->prompt_length());
  std::vector<Timestep> steps;
  std::vector<int32_t> ids = RunChecked(*env, *policy, 5, 6, &steps);
  std::vector<float> logits;
  EXPECT_EQ(ids, FullForwardGreedyIds(**nano_, policy->builder(), policy->prompt_stream(), steps, &logits));
  EXPECT_LE(MaxDifference(policy->last_logits(), logits), 1e-4);
  // The prompt matters: without it the same model acts differently.
  auto plain = MakePolicy(task, *env, TransformerPolicyOptions());
  EXPECT_NE(RunChecked(*env, *plain, 5, 6), ids);
}

// A one-layer nano with uniform(-0.5, 0.5) weights (see the drop tests).
absl::StatusOr<std::shared_ptr<const Transformer>> OneLayerModel() {
  auto model = RandomPresetModel("nano", 7, 0, 0, 0, /*num_layers=*/1);
  if (!model.ok()) return model.status();
  auto owned = std::make_shared<Transformer>(std::move(Transformer::Create((*model)->config(), 7).value()));
  Rng rng(6);
  for (float& p : owned->parameters()) p = static_cast<float>(rng.Uniform() - 0.5);
  return std::shared_ptr<const Transformer>(owned);
}

TEST_F(TransformerPolicyTest, ContextOverflowDropsWholeTimestepsAndKeepsMatchingTheWindow) {
  const std::string task = "mujoco/cartpole_swingup";  // 5 observation + '|' + 1 action = 7
  auto env = MakeEnv(task);
  TransformerPolicyOptions options;
  options.context_length = 40;  // five whole timesteps
  // One layer: the cached keys of a position depend only on its own input, so after a
  // drop the cache holds what a fresh pass over the remaining positions computes (with
  // more layers, deeper keys also remember the dropped context, as in any rolling KV
  // cache). Larger weights than the initialisation's make positions matter.
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const Transformer> model, OneLayerModel());
  auto policy = MakePolicy(task, *env, options, model);
  ASSERT_NE(policy, nullptr);
  policy->Reset(1);
  absl::StatusOr<TimeStep> ts = env->Reset(1);
  ASSERT_OK(ts.status());
  std::vector<Timestep> steps;
  for (int i = 0; i < 30; ++i) {
    ASSERT_OK_AND_ASSIGN(NamedArrays action, policy->Act(*ts));
    steps.push_back({ts->observation, action});
    EXPECT_LE(policy->cache().length(0), 40);
    EXPECT_EQ(policy->cached_timesteps() + policy->dropped_timesteps(), i + 1);
    // Rotary scores depend only on distances, so the cached window acts as if it were the
    // whole episode.
    const std::vector<Timestep> window(steps.end() - policy->cached_timesteps(), steps.end());
    // Earlier actions in the window were chosen with more context; compare the newest.
    std::vector<float> logits;
    const std::vector<int32_t> full =
        FullForwardGreedyIds(*model, policy->builder(), TokenStream(), window, &logits);
    ASSERT_EQ(static_cast<int64_t>(full.size()), policy->cached_timesteps());
    EXPECT_EQ(policy->last_action_ids(), std::vector<int32_t>{full.back()}) << "step " << i;
    EXPECT_LE(MaxDifference(policy->last_logits(), logits), 1e-4) << "step " << i;
    ASSERT_OK_AND_ASSIGN(*ts, env->Step(action));
  }
  EXPECT_EQ(policy->dropped_timesteps(), 30 - 5);
}

TEST_F(TransformerPolicyTest, PromptIsKeptAndMovedUpWhenTimestepsAreDropped) {
  const std::string task = "mujoco/cartpole_swingup";  // 7 positions per timestep
  auto env = MakeEnv(task);
  auto helper = MakePolicy(task, *env, TransformerPolicyOptions());
  ASSERT_NE(helper, nullptr);
  TransformerPolicyOptions options;
  options.prompt = Demonstration(*env, *helper, task, 20);
  options.context_length = 64;  // prompt budget 32: the last 4 timesteps (3 x 7 + 5 = 26)
  // One layer, as in ContextOverflowDropsWholeTimestepsAndKeepsMatchingTheWindow.
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const Transformer> model, OneLayerModel());
  auto policy = MakePolicy(task, *env, options, model);
  ASSERT_NE(policy, nullptr);
  ASSERT_EQ(policy->prompt_length(), 26);
  policy->Reset(2);
  ASSERT_OK_AND_ASSIGN(TimeStep ts, env->Reset(2));
  std::vector<Timestep> steps;
  for (int i = 0; i < 60; ++i) {
    ASSERT_OK_AND_ASSIGN(NamedArrays action, policy->Act(ts));
    steps.push_back({ts.observation, action});
    EXPECT_LE(policy->cache().length(0), 64);
    // As in training, the prompt sits right before the remaining timesteps: acting
    // equals a full forward pass over [prompt][cached timesteps].
    const std::vector<Timestep> window(steps.end() - policy->cached_timesteps(), steps.end());
    std::vector<float> logits;
    const std::vector<int32_t> full =
        FullForwardGreedyIds(*model, policy->builder(), policy->prompt_stream(), window, &logits);
    ASSERT_FALSE(full.empty());
    EXPECT_EQ(policy->last_action_ids(), std::vector<int32_t>{full.back()}) << "step " << i;
    EXPECT_LE(MaxDifference(policy->last_logits(), logits), 1e-4) << "step " << i;
    ASSERT_OK_AND_ASSIGN(ts, env->Step(action));
  }
  EXPECT_EQ(policy->prompt_length(), 26);
  EXPECT_EQ(policy->dropped_timesteps(), 60 - 5);  // (64 - 26) / 7 = 5 timesteps fit
}

TEST_F(TransformerPolicyTest, SeededSamplingIsDeterministicAndDiffersFromGreedy) {
  const std::string task = "arcade/breakout";
  auto env = MakeEnv(task);
  TransformerPolicyOptions sampled;
  sampled.temperature = 1.0;
  sampled.seed = 4;
  auto a = MakePolicy(task, *env, sampled);
  auto b = MakePolicy(task, *env, sampled);
  sampled.seed = 5;
  auto c = MakePolicy(task, *env, sampled);
  auto greedy1 = MakePolicy(task, *env, TransformerPolicyOptions());
  TransformerPolicyOptions greedy_options;
  greedy_options.seed = 9;
  auto greedy2 = MakePolicy(task, *env, greedy_options);
  const std::vector<int32_t> ids_a = RunChecked(*env, *a, 3, 60);
  EXPECT_EQ(RunChecked(*env, *b, 3, 60), ids_a);
  EXPECT_NE(RunChecked(*env, *c, 3, 60), ids_a);
  // Same policy, another episode seed: the draws change too.
  EXPECT_NE(RunChecked(*env, *a, 4, 60), ids_a);
  // Reset restores everything: the first episode again.
  EXPECT_EQ(RunChecked(*env, *a, 3, 60), ids_a);
  const std::vector<int32_t> greedy_ids = RunChecked(*env, *greedy1, 3, 60);
  EXPECT_EQ(RunChecked(*env, *greedy2, 3, 60), greedy_ids);
  EXPECT_NE(greedy_ids, ids_a);
}

// Steps `num_envs` environments of `task` for `steps` rounds with one TransformerActor
// (each round acting on the unfinished environments, in reverse order, in one call) and
// returns each environment's action ids; an environment that ends is reset with the
// next seed of its own sequence (env e uses seeds 100 e, 100 e + 1, ...).
std::vector<std::vector<int32_t>> RunBatched(TransformerActor& actor, const std::string& task, int steps) {
  const int n = actor.num_envs();
  std::vector<std::unique_ptr<Environment>> envs;
  std::vector<TimeStep> ts(n);
  std::vector<uint64_t> seeds(n);
  std::vector<std::vector<int32_t>> ids(n);
  for (int e = 0; e < n; ++e) {
    envs.push_back(AllTasks().Make(task).value());
    seeds[e] = 100 * e;
    actor.Reset(e, seeds[e]);
    ts[e] = envs[e]->Reset(seeds[e]).value();
  }
  for (int round = 0; round < steps; ++round) {
    std::vector<int> which;
    std::vector<const TimeStep*> timesteps;
    for (int e = n - 1; e >= 0; --e) {
      // Every third round leaves environment 1 out, so batches change shape.
      if (e == 1 && round % 3 == 0) continue;
      which.push_back(e);
      timesteps.push_back(&ts[e]);
    }
    absl::StatusOr<std::vector<NamedArrays>> actions = actor.Act(which, timesteps);
    EXPECT_OK(actions.status());
    if (!actions.ok()) break;
    for (size_t r = 0; r < which.size(); ++r) {
      const int e = which[r];
      ids[e].insert(ids[e].end(), actor.last_action_ids(e).begin(), actor.last_action_ids(e).end());
      ts[e] = envs[e]->Step((*actions)[r]).value();
      if (ts[e].last()) {
        actor.Reset(e, ++seeds[e]);
        ts[e] = envs[e]->Reset(seeds[e]).value();
      }
    }
  }
  return ids;
}

// The same schedule for environment `e` with a TransformerPolicy alone.
std::vector<int32_t> RunSingle(TransformerPolicy& policy, const std::string& task, int e, int steps) {
  auto env = AllTasks().Make(task).value();
  uint64_t seed = 100 * e;
  policy.Reset(seed);
  TimeStep ts = env->Reset(seed).value();
  std::vector<int32_t> ids;
  for (int round = 0; round < steps; ++round) {
    if (e == 1 && round % 3 == 0) continue;
    NamedArrays action = policy.Act(ts).value();
    ids.insert(ids.end(), policy.last_action_ids().begin(), policy.last_action_ids().end());
    ts = env->Step(action).value();
    if (ts.last()) {
      policy.Reset(++seed);
      ts = env->Reset(seed).value();
    }
  }
  return ids;
}

TEST_F(TransformerPolicyTest, BatchedActorActsAsOnePolicyPerEnvironment) {
  for (const std::string task : {"mujoco/cheetah_run", "arcade/breakout", "mujoco/cartpole_swingup_pixels"}) {
    for (double temperature : {0.0, 1.0}) {
      SCOPED_TRACE(task + " temperature " + std::to_string(temperature));
      auto env = MakeEnv(task);
      TransformerPolicyOptions options;
      options.temperature = temperature;
      options.seed = 8;
      options.context_length = 300;  // drops after a few timesteps
      auto helper = MakePolicy(task, *env, TransformerPolicyOptions());
      ASSERT_NE(helper, nullptr);
      options.prompt = Demonstration(*env, *helper, task, 3);
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<TransformerActor> actor,
                           TransformerActor::Create(*nano_, task, env->observation_spec(), env->action_spec(),
                                                    text_, options, /*num_envs=*/3));
      const int steps = 40;
      const std::vector<std::vector<int32_t>> batched = RunBatched(*actor, task, steps);
      EXPECT_GT(actor->dropped_timesteps(0), 0);
      EXPECT_GT(actor->prompt_length(), 0);
      for (int e = 0; e < 3; ++e) {
        auto policy = MakePolicy(task, *env, options);
        ASSERT_NE(policy, nullptr);
        EXPECT_EQ(batched[e], RunSingle(*policy, task, e, steps)) << "environment " << e;
      }
    }
  }
}

TEST_F(TransformerPolicyTest, BatchedActorRejectsBadRequests) {
  auto env = MakeEnv("arcade/breakout");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TransformerActor> actor,
                       TransformerActor::Create(*nano_, "arcade/breakout", env->observation_spec(),
                                                env->action_spec(), text_, TransformerPolicyOptions(), 2));
  ASSERT_OK_AND_ASSIGN(TimeStep ts, env->Reset(1));
  EXPECT_THAT(actor->Act({0, 0}, {&ts, &ts}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("environment 0 is repeated")));
  EXPECT_THAT(actor->Act({2}, {&ts}).status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(actor->Act({0, 1}, {&ts}).status(), StatusIs(absl::StatusCode::kInvalidArgument));
  TimeStep bad = ts;
  bad.observation.erase(bad.observation.begin());
  EXPECT_THAT(actor->Act({1}, {&bad}).status(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("environment 1")));
  EXPECT_THAT(TransformerActor::Create(*nano_, "arcade/breakout", env->observation_spec(), env->action_spec(),
                                       text_, TransformerPolicyOptions(), 0)
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(TransformerPolicyTest, ModelWithAnotherVocabularyIsRejected) {
  auto env = MakeEnv("arcade/breakout");
  ASSERT_OK_AND_ASSIGN(auto model, RandomPresetModel("nano", 1, /*vocab_size=*/2560));
  EXPECT_THAT(TransformerPolicy::Create(model, "arcade/breakout", env->observation_spec(), env->action_spec(),
                                        text_, TransformerPolicyOptions())
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("arcade/breakout"), HasSubstr("vocab_size is 2560"), HasSubstr("2624"))));
}

TEST_F(TransformerPolicyTest, TextObservationsNeedTheTextModelTheModelWasTrainedWith) {
  auto env = MakeEnv("arcade/breakout");
  ModelConfig config = (*nano_)->config();
  config.set_text_model_fingerprint("0123456789abcdef");
  ASSERT_OK_AND_ASSIGN(Transformer trained_elsewhere, Transformer::Create(config, 1));
  auto model = std::make_shared<const Transformer>(std::move(trained_elsewhere));
  // Without a text observation only the text model's size matters.
  EXPECT_OK(TransformerPolicy::Create(model, "arcade/breakout", env->observation_spec(), env->action_spec(), text_,
                                      TransformerPolicyOptions())
                .status());
  SpecMap with_text = env->observation_spec();
  ArraySpec instruction;
  instruction.name = "instruction";
  instruction.dtype = DType::kString;
  with_text["instruction"] = instruction;
  EXPECT_THAT(TransformerPolicy::Create(model, "arcade/breakout", with_text, env->action_spec(), text_,
                                        TransformerPolicyOptions())
                  .status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("arcade/breakout"), HasSubstr("'instruction' is text"),
                             HasSubstr("0123456789abcdef"), HasSubstr(text_->fingerprint()))));
}

TEST_F(TransformerPolicyTest, ModelThatCannotHoldTheTaskIsRejected) {
  auto env = MakeEnv("arcade/breakout");  // 100 board tokens per observation
  ASSERT_OK_AND_ASSIGN(auto model, RandomPresetModel("nano", 1, 0, /*max_local_positions=*/64));
  EXPECT_THAT(TransformerPolicy::Create(model, "arcade/breakout", env->observation_spec(), env->action_spec(),
                                        text_, TransformerPolicyOptions())
                  .status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("arcade/breakout"), HasSubstr("local position"))));
  // A context shorter than one timestep (100 + '|' + 1).
  TransformerPolicyOptions options;
  options.context_length = 101;
  EXPECT_THAT(TransformerPolicy::Create(*nano_, "arcade/breakout", env->observation_spec(), env->action_spec(),
                                        text_, options)
                  .status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("one timestep (102)")));
  options.context_length = 102;
  EXPECT_OK(TransformerPolicy::Create(*nano_, "arcade/breakout", env->observation_spec(), env->action_spec(),
                                      text_, options)
                .status());
  options.context_length = 5000;
  EXPECT_THAT(TransformerPolicy::Create(*nano_, "arcade/breakout", env->observation_spec(), env->action_spec(),
                                        text_, options)
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("context_length 5000")));
}

TEST_F(TransformerPolicyTest, PromptOfAnotherTaskIsRejected) {
  auto env = MakeEnv("mujoco/cartpole_swingup");
  auto helper = MakePolicy("mujoco/cartpole_swingup", *env, TransformerPolicyOptions());
  TransformerPolicyOptions options;
  options.prompt = Demonstration(*env, *helper, "mujoco/cartpole_swingup", 3);
  auto other = MakeEnv("mujoco/cartpole_balance");
  EXPECT_THAT(TransformerPolicy::Create(*nano_, "mujoco/cartpole_balance", other->observation_spec(),
                                        other->action_spec(), text_, options)
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("mujoco/cartpole_swingup")));
}

TEST_F(TransformerPolicyTest, CheckpointLoadsAndBadPathsAreNamed) {
  const std::string path = TempPath("policy_nano.ckpt");
  ASSERT_OK_AND_ASSIGN(float first, WriteRandomCheckpoint("nano", 21, path));
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const Transformer> model, LoadTransformerFromCheckpoint(path));
  EXPECT_EQ(model->config().name(), "nano");
  EXPECT_EQ(model->parameters()[0], first);
  auto env = MakeEnv("arcade/breakout");
  auto policy = MakePolicy("arcade/breakout", *env, TransformerPolicyOptions(), model);
  ASSERT_NE(policy, nullptr);
  RunChecked(*env, *policy, 1, 20);

  const std::string missing = TempPath("no_such_dir/model.ckpt");
  absl::Status st = LoadTransformerFromCheckpoint(missing).status();
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(std::string(st.message()), HasSubstr(missing));
  const std::string garbage = TempPath("garbage.ckpt");
  std::ofstream(garbage) << "not a checkpoint at all";
  st = LoadTransformerFromCheckpoint(garbage).status();
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(std::string(st.message()), HasSubstr(garbage));
}

}  // namespace
}  // namespace calico
