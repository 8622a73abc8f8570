#include "replay/sampler.h"

#include <cmath>
#include <map>
#include <memory>

#include "base/status_matchers.h"
#include "tokenizers/text/text_tokenizer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

// Episodes whose tokens say where they came from: each timestep is [e, t, '|', a], with
// e the episode number and t the timestep index as discrete values; the last step is
// [e, t] (no action).
Episode Tagged(const std::string& task, int e, int steps) {
  Episode episode;
  episode.task = task;
  episode.observation_spec["e"] = {"e", {1}, DType::kInt32, {0}, {1023}};
  episode.observation_spec["t"] = {"t", {1}, DType::kInt32, {0}, {1023}};
  episode.action_spec["a"] = {"a", {}, DType::kInt32, {0}, {5}};
  episode.seed = e;
  for (int t = 0; t <= steps; ++t) {
    Timestep step;
    step.observation["e"] = Array::Int({1}, {e});
    step.observation["t"] = Array::Int({1}, {t});
    if (t < steps) step.action = NamedArrays{{"a", Array::Int({}, {t % 6})}};
    episode.steps.push_back(step);
    episode.step_types.push_back(t == 0 ? StepType::kFirst : t == steps ? StepType::kLast : StepType::kMid);
    episode.rewards.push_back(0);
    episode.discounts.push_back(1);
  }
  return episode;
}

std::map<std::string, std::vector<Episode>> TaggedData(int episodes, int steps) {
  std::map<std::string, std::vector<Episode>> data;
  for (int e = 0; e < episodes; ++e) data["a/tagged"].push_back(Tagged("a/tagged", e, steps));
  return data;
}

class SamplerTest : public ::testing::Test {
 protected:
  Vocabulary vocab_ = *Vocabulary::Create(64);
  int32_t Value(int32_t id) const { return id - vocab_.discrete_range().begin; }
};

TEST_F(SamplerTest, RowsAreWholeTimestepsOfOneEpisodePaddedToL) {
  SamplerOptions options;
  options.batch_size = 8;
  options.sequence_length = 40;
  options.prompt_probability = 0;
  ASSERT_OK_AND_ASSIGN(auto sampler, Sampler::Create(TaggedData(3, 20), vocab_, nullptr, options));
  for (int b = 0; b < 20; ++b) {
    ASSERT_OK_AND_ASSIGN(SampledBatch batch, sampler->Next());
    ASSERT_EQ(batch.ids.size(), 8u * 40);
    for (int64_t row = 0; row < 8; ++row) {
      const int32_t* ids = &batch.ids[row * 40];
      const int length = batch.length[row];
      ASSERT_GT(length, 0);
      const int e = Value(ids[0]);
      int t = Value(ids[1]);
      for (int p = 0; p < length; p += 4, ++t) {
        ASSERT_EQ(Value(ids[p]), e) << "row stays in one episode";
        ASSERT_EQ(Value(ids[p + 1]), t) << "timesteps are consecutive";
        if (p + 2 < length) {
          EXPECT_EQ(ids[p + 2], vocab_.separator_id());
          EXPECT_EQ(batch.loss_mask[row * 40 + p + 3], 1) << "actions carry loss";
        }
        EXPECT_EQ(batch.loss_mask[row * 40 + p], 0);
        EXPECT_EQ(batch.local_position[row * 40 + p + 1], 1);
      }
      // Whole timesteps only: a row stops early only when the next one would not fit,
      // or at the episode's end (t == 21 after the last step).
      EXPECT_TRUE(length + 4 > 40 || t == 21) << "length " << length << " t " << t;
      for (int p = length; p < 40; ++p) {
        EXPECT_EQ(ids[p], vocab_.pad_id());
        EXPECT_EQ(batch.loss_mask[row * 40 + p], 0);
        EXPECT_EQ(batch.local_position[row * 40 + p], -1);
      }
    }
  }
}

TEST_F(SamplerTest, EveryRowHasATargetEvenInOneStepEpisodes) {
  // Episodes of one action (two timesteps): a run starting at the last timestep would hold
  // only an observation. With one row per batch, such a row would be an untrainable batch.
  SamplerOptions options;
  options.batch_size = 1;
  options.sequence_length = 16;
  options.prompt_probability = 0;
  ASSERT_OK_AND_ASSIGN(auto sampler, Sampler::Create(TaggedData(3, 1), vocab_, nullptr, options));
  int first_timestep_rows = 0;
  for (int b = 0; b < 200; ++b) {
    ASSERT_OK_AND_ASSIGN(SampledBatch batch, sampler->Next());
    int targets = 0;
    for (uint8_t m : batch.loss_mask) targets += m;
    EXPECT_EQ(targets, 1) << "batch " << b;
    // The row starts at timestep 0: [e, t=0] observation tokens.
    first_timestep_rows += Value(batch.ids[1]) == 0;
  }
  EXPECT_EQ(first_timestep_rows, 200);
}

TEST_F(SamplerTest, PackingFillsRowsWithWholeEpisodesFromTheirStart) {
  SamplerOptions options;
  options.batch_size = 8;
  options.sequence_length = 64;
  options.prompt_probability = 0;
  options.pack_episodes = true;
  // Episodes of 3 steps: [e, t, '|', a] x 3 then [e, 3]: 14 positions.
  ASSERT_OK_AND_ASSIGN(auto sampler, Sampler::Create(TaggedData(4, 3), vocab_, nullptr, options));
  int packed = 0;
  for (int b = 0; b < 10; ++b) {
    ASSERT_OK_AND_ASSIGN(SampledBatch batch, sampler->Next());
    for (int64_t row = 0; row < 8; ++row) {
      const int32_t* ids = &batch.ids[row * 64];
      const int length = batch.length[row];
      int segments = 1, previous_t = -1, previous_e = -1;
      for (int p = 0; p < length;) {
        const int e = Value(ids[p]), t = Value(ids[p + 1]);
        if (p > 0 && t == 0) {
          // A new episode starts only after the previous one's last step.
          EXPECT_EQ(previous_t, 3) << "row " << row << " position " << p;
          ++segments;
          EXPECT_EQ(batch.loss_mask[row * 64 + p], 0);
        } else if (p > 0) {
          EXPECT_EQ(t, previous_t + 1) << "row " << row << " position " << p;
          EXPECT_EQ(e, previous_e) << "row " << row << " position " << p;
        }
        if (t < 3) {
          EXPECT_EQ(batch.loss_mask[row * 64 + p + 3], 1) << "actions carry loss";
        }
        previous_t = t;
        previous_e = e;
        p += t == 3 ? 2 : 4;
      }
      EXPECT_EQ(segments, 1 + batch.packed_episodes[row]);
      packed += batch.packed_episodes[row];
      // Full: the next step (4 positions, or 2 for a last one) did not fit.
      EXPECT_GT(length + 4, 64) << "row " << row;
      for (int p = length; p < 64; ++p) EXPECT_EQ(ids[p], vocab_.pad_id());
    }
  }
  EXPECT_GT(packed, 8 * 10 * 3);  // a 64-position row holds about 4.5 episodes
  // Still a function of the batch seed.
  ASSERT_OK_AND_ASSIGN(SampledBatch a, sampler->Next(99));
  ASSERT_OK_AND_ASSIGN(SampledBatch c, sampler->Next(5));
  ASSERT_OK_AND_ASSIGN(SampledBatch again, sampler->Next(99));
  EXPECT_EQ(a.ids, again.ids);
  EXPECT_EQ(a.packed_episodes, again.packed_episodes);
  EXPECT_NE(a.ids, c.ids);  // and of the seed: another seed packs other episodes
  // Off (the default), no row is packed.
  options.pack_episodes = false;
  ASSERT_OK_AND_ASSIGN(auto plain, Sampler::Create(TaggedData(4, 3), vocab_, nullptr, options));
  ASSERT_OK_AND_ASSIGN(SampledBatch unpacked, plain->Next(99));
  for (int64_t row = 0; row < 8; ++row) {
    EXPECT_EQ(unpacked.packed_episodes[row], 0);
    EXPECT_LE(unpacked.length[row], 14);
  }
}

TEST_F(SamplerTest, PromptsComeFromAnotherEpisodeAtTheMeasuredRates) {
  SamplerOptions options;
  options.batch_size = 50;
  options.sequence_length = 64;
  options.seed = 7;
  ASSERT_OK_AND_ASSIGN(auto sampler, Sampler::Create(TaggedData(5, 30), vocab_, nullptr, options));
  int rows = 0, prompted = 0, from_end = 0;
  for (int b = 0; b < 80; ++b) {
    ASSERT_OK_AND_ASSIGN(SampledBatch batch, sampler->Next());
    for (int64_t row = 0; row < 50; ++row, ++rows) {
      const int32_t prompt = batch.prompt_length[row];
      if (prompt == 0) continue;
      ++prompted;
      ASSERT_LE(prompt, 32);
      const int32_t* ids = &batch.ids[row * 64];
      for (int p = 0; p < prompt; ++p) ASSERT_EQ(batch.loss_mask[row * 64 + p], 0) << "no loss on prompts";
      EXPECT_NE(Value(ids[0]), Value(ids[prompt])) << "the prompt is another episode";
      if (batch.prompt_from_end[row]) {
        ++from_end;
        // The episode's last step (t = 30) is observation-only: [e, 30] ends the prompt.
        EXPECT_EQ(Value(ids[prompt - 1]), 30);
        EXPECT_EQ(Value(ids[prompt - 2]), Value(ids[0]));
      }
    }
  }
  const double prompt_rate = static_cast<double>(prompted) / rows;
  const double end_rate = static_cast<double>(from_end) / prompted;
  EXPECT_NEAR(prompt_rate, 0.25, 0.03) << prompted << " of " << rows;
  EXPECT_NEAR(end_rate, 0.5, 0.06) << from_end << " of " << prompted;
}

TEST_F(SamplerTest, TaskWeightsAreHonoured) {
  std::map<std::string, std::vector<Episode>> data = TaggedData(2, 10);
  data["b/other"].push_back(Tagged("b/other", 0, 10));
  data["c/unused"].push_back(Tagged("c/unused", 0, 10));
  SamplerOptions options;
  options.batch_size = 100;
  options.sequence_length = 32;
  options.task_weights = {{"a/tagged", 3.0}, {"b/other", 1.0}};
  ASSERT_OK_AND_ASSIGN(auto sampler, Sampler::Create(data, vocab_, nullptr, options));
  ASSERT_EQ(sampler->tasks(), (std::vector<std::string>{"a/tagged", "b/other"}));
  int a = 0, total = 0;
  for (int b = 0; b < 40; ++b) {
    ASSERT_OK_AND_ASSIGN(SampledBatch batch, sampler->Next());
    for (int32_t task : batch.task) {
      a += task == 0;
      ++total;
    }
  }
  EXPECT_NEAR(static_cast<double>(a) / total, 0.75, 0.025);
}

// A schedule of task weights: each set picks its own tasks, and a batch of set k is the
// batch a sampler with only set k's weights draws from the same seed.
TEST_F(SamplerTest, LaterWeightSetsPickTasksAsTheirOwnSamplerWould) {
  std::map<std::string, std::vector<Episode>> data = TaggedData(2, 10);
  data["b/other"].push_back(Tagged("b/other", 5, 10));
  data["c/unused"].push_back(Tagged("c/unused", 7, 10));
  SamplerOptions options;
  options.batch_size = 100;
  options.sequence_length = 32;
  options.task_weights = {{"a/tagged", 1.0}};
  options.later_task_weights = {{{"b/other", 1.0}}, {{"a/tagged", 1.0}, {"b/other", 3.0}}};
  ASSERT_OK_AND_ASSIGN(auto sampler, Sampler::Create(data, vocab_, nullptr, options));
  EXPECT_EQ(sampler->tasks(), (std::vector<std::string>{"a/tagged", "b/other"}));  // c has weight 0 everywhere
  EXPECT_EQ(sampler->num_weight_sets(), 3);

  ASSERT_OK_AND_ASSIGN(SampledBatch first, sampler->Next(11, 0));
  ASSERT_OK_AND_ASSIGN(SampledBatch second, sampler->Next(11, 1));
  EXPECT_THAT(first.task, ::testing::Each(0));
  EXPECT_THAT(second.task, ::testing::Each(1));
  // Episode tags: b/other's one episode is tagged 5.
  EXPECT_EQ(Value(second.ids[0]), 5);
  int b = 0, total = 0;
  for (uint64_t seed = 100; seed < 140; ++seed) {
    ASSERT_OK_AND_ASSIGN(SampledBatch batch, sampler->Next(seed, 2));
    for (int32_t task : batch.task) {
      b += task == 1;
      ++total;
    }
  }
  EXPECT_NEAR(static_cast<double>(b) / total, 0.75, 0.025);

  // Against samplers holding one set each.
  for (int set = 0; set < 3; ++set) {
    SamplerOptions alone = options;
    alone.later_task_weights.clear();
    if (set > 0) alone.task_weights = options.later_task_weights[set - 1];
    ASSERT_OK_AND_ASSIGN(auto single, Sampler::Create(data, vocab_, nullptr, alone));
    ASSERT_OK_AND_ASSIGN(SampledBatch expected, single->Next(77));
    ASSERT_OK_AND_ASSIGN(SampledBatch got, sampler->Next(77, set));
    EXPECT_EQ(got.ids, expected.ids) << "set " << set;
    EXPECT_EQ(got.loss_mask, expected.loss_mask) << "set " << set;
    std::vector<std::string> got_tasks, expected_tasks;
    for (int32_t t : got.task) got_tasks.push_back(sampler->tasks()[t]);
    for (int32_t t : expected.task) expected_tasks.push_back(single->tasks()[t]);
    EXPECT_EQ(got_tasks, expected_tasks) << "set " << set;
  }
  // The unseeded and one-argument draws use set 0.
  ASSERT_OK_AND_ASSIGN(SampledBatch plain, sampler->Next(11));
  EXPECT_EQ(plain.ids, first.ids);
  EXPECT_THAT(sampler->Next(11, 3),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("weight set 3 does not exist; the sampler has 3")));
  EXPECT_THAT(sampler->Next(11, -1), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("weight set -1")));
}

TEST_F(SamplerTest, BadLaterWeightSetsAreClearErrors) {
  SamplerOptions options;
  options.sequence_length = 32;
  options.task_weights = {{"a/tagged", 1.0}};
  options.later_task_weights = {{{"z/missing", 1.0}}};
  EXPECT_THAT(Sampler::Create(TaggedData(2, 5), vocab_, nullptr, options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'z/missing' (weight set 1), which the data does not hold")));
  options.later_task_weights = {{{"a/tagged", 0.0}}};
  EXPECT_THAT(Sampler::Create(TaggedData(2, 5), vocab_, nullptr, options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("weight set 1 gives no task with episodes")));
  options.later_task_weights = {{{"a/tagged", -2.0}}};
  EXPECT_THAT(Sampler::Create(TaggedData(2, 5), vocab_, nullptr, options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected >= 0 (weight set 1)")));
  // Set 0 all zero while a later set is not: set 0 could not draw a row.
  options.task_weights = {{"a/tagged", 0.0}};
  options.later_task_weights = {{{"a/tagged", 1.0}}};
  EXPECT_THAT(Sampler::Create(TaggedData(2, 5), vocab_, nullptr, options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("weight set 0 gives no task")));
  // Packing given for some later sets but not all.
  options.task_weights = {{"a/tagged", 1.0}};
  options.later_task_weights = {{{"a/tagged", 1.0}}, {{"a/tagged", 2.0}}};
  options.later_pack_episodes = {true};
  EXPECT_THAT(Sampler::Create(TaggedData(2, 5), vocab_, nullptr, options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("later_pack_episodes has 1 entries for 2 later weight sets")));
  // Named sets: messages use the caller's names (a trainer's config fields).
  options.later_pack_episodes.clear();
  options.later_task_weights = {{{"z/missing", 1.0}}};
  options.weight_set_names = {"base", "phase[0]"};
  EXPECT_THAT(Sampler::Create(TaggedData(2, 5), vocab_, nullptr, options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'z/missing' (phase[0]), which the data")));
  options.later_task_weights = {{{"a/tagged", 1.0}}};
  options.task_weights = {{"a/tagged", -1.0}};
  EXPECT_THAT(Sampler::Create(TaggedData(2, 5), vocab_, nullptr, options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected >= 0 (base)")));
  options.task_weights = {{"a/tagged", 0.0}};
  EXPECT_THAT(Sampler::Create(TaggedData(2, 5), vocab_, nullptr, options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("base gives no task with episodes")));
  options.weight_set_names = {"base"};
  EXPECT_THAT(Sampler::Create(TaggedData(2, 5), vocab_, nullptr, options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("weight_set_names has 1 names for 2 weight sets")));
}

// A later set can pack rows where set 0 does not (and the reverse): each set's batch is
// the batch of a sampler holding only that set's weights and packing.
TEST_F(SamplerTest, LaterWeightSetsPackAsTheirOwnSamplerWould) {
  SamplerOptions options;
  options.batch_size = 8;
  options.sequence_length = 64;
  options.prompt_probability = 0;
  options.pack_episodes = false;
  options.task_weights = {{"a/tagged", 1.0}};
  options.later_task_weights = {{{"a/tagged", 1.0}}, {{"a/tagged", 1.0}}};
  options.later_pack_episodes = {true, false};
  // Episodes of 3 steps (14 positions): a 64-position row packs several when allowed.
  ASSERT_OK_AND_ASSIGN(auto sampler, Sampler::Create(TaggedData(4, 3), vocab_, nullptr, options));
  for (int set = 0; set < 3; ++set) {
    SamplerOptions alone = options;
    alone.later_task_weights.clear();
    alone.later_pack_episodes.clear();
    alone.pack_episodes = set == 1;
    ASSERT_OK_AND_ASSIGN(auto single, Sampler::Create(TaggedData(4, 3), vocab_, nullptr, alone));
    ASSERT_OK_AND_ASSIGN(SampledBatch expected, single->Next(55));
    ASSERT_OK_AND_ASSIGN(SampledBatch got, sampler->Next(55, set));
    EXPECT_EQ(got.ids, expected.ids) << "set " << set;
    EXPECT_EQ(got.loss_mask, expected.loss_mask) << "set " << set;
    EXPECT_EQ(got.packed_episodes, expected.packed_episodes) << "set " << set;
    int packed = 0;
    for (int32_t n : got.packed_episodes) packed += n;
    if (set == 1) {
      EXPECT_GT(packed, 0) << "set 1 packs";
    } else {
      EXPECT_EQ(packed, 0) << "set " << set << " does not pack";
    }
  }
  // Without later_pack_episodes every set packs as pack_episodes says.
  options.later_pack_episodes.clear();
  options.pack_episodes = true;
  ASSERT_OK_AND_ASSIGN(auto all_packed, Sampler::Create(TaggedData(4, 3), vocab_, nullptr, options));
  for (int set = 0; set < 3; ++set) {
    ASSERT_OK_AND_ASSIGN(SampledBatch batch, all_packed->Next(55, set));
    int packed = 0;
    for (int32_t n : batch.packed_episodes) packed += n;
    EXPECT_GT(packed, 0) << "set " << set;
  }
}

TEST_F(SamplerTest, SameSeedSameBatchesAndPrefetchingChangesNothing) {
  SamplerOptions options;
  options.batch_size = 4;
  options.sequence_length = 48;
  options.seed = 3;
  ASSERT_OK_AND_ASSIGN(auto a, Sampler::Create(TaggedData(4, 25), vocab_, nullptr, options));
  ASSERT_OK_AND_ASSIGN(auto b, Sampler::Create(TaggedData(4, 25), vocab_, nullptr, options));
  options.seed = 4;
  ASSERT_OK_AND_ASSIGN(auto c, Sampler::Create(TaggedData(4, 25), vocab_, nullptr, options));
  PrefetchingSampler prefetching(std::move(b), 3);
  bool differs = false;
  for (int i = 0; i < 10; ++i) {
    ASSERT_OK_AND_ASSIGN(SampledBatch x, a->Next());
    ASSERT_OK_AND_ASSIGN(SampledBatch y, prefetching.Next());
    ASSERT_OK_AND_ASSIGN(SampledBatch z, c->Next());
    EXPECT_EQ(x.ids, y.ids);
    EXPECT_EQ(x.loss_mask, y.loss_mask);
    EXPECT_EQ(x.prompt_length, y.prompt_length);
    differs |= x.ids != z.ids;
  }
  EXPECT_TRUE(differs);
}

TEST_F(SamplerTest, ImagePatchesAreIndexedIntoTheBatch) {
  std::map<std::string, std::vector<Episode>> data;
  for (int e = 0; e < 2; ++e) {
    Episode episode = Tagged("v/pixels", e, 6);
    episode.observation_spec["pixels"] = {"pixels", {16, 32, 3}, DType::kUint8, {}, {}};
    for (size_t t = 0; t < episode.steps.size(); ++t) {
      episode.steps[t].observation["pixels"] =
          Array::Uint8({16, 32, 3}, std::vector<uint8_t>(16 * 32 * 3, static_cast<uint8_t>(40 * t)));
    }
    data["v/pixels"].push_back(episode);
  }
  SamplerOptions options;
  options.batch_size = 3;
  options.sequence_length = 30;
  ASSERT_OK_AND_ASSIGN(auto sampler, Sampler::Create(data, vocab_, nullptr, options));
  ASSERT_OK_AND_ASSIGN(SampledBatch batch, sampler->Next());
  ASSERT_GT(batch.num_patches(), 0);
  ASSERT_EQ(batch.patches.size(), batch.patch_row.size() * 768);
  int64_t seen = 0;
  for (int64_t i = 0; i < batch.batch_size * batch.seq_len; ++i) {
    if (batch.patch_index[i] < 0) continue;
    EXPECT_EQ(batch.ids[i], -1);
    EXPECT_EQ(batch.patch_index[i], seen++) << "patches are stored in position order";
  }
  EXPECT_EQ(seen, batch.num_patches());
  for (int64_t i = 0; i < batch.num_patches(); ++i) {
    EXPECT_GE(batch.patch_row[i], 0);
    EXPECT_LT(batch.patch_row[i], 128);
    EXPECT_LT(batch.patch_col[i], 128);
  }
}

TEST_F(SamplerTest, BadConfigurationsAreClearErrors) {
  SamplerOptions options;
  options.sequence_length = 32;
  options.task_weights = {{"z/missing", 1.0}};
  EXPECT_THAT(Sampler::Create(TaggedData(2, 5), vocab_, nullptr, options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'z/missing', which the data does not hold")));
  options.task_weights = {{"a/tagged", 0.0}};
  EXPECT_THAT(Sampler::Create(TaggedData(2, 5), vocab_, nullptr, options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no task has episodes and a positive weight")));
  options.task_weights = {{"a/tagged", -1.0}};
  EXPECT_THAT(Sampler::Create(TaggedData(2, 5), vocab_, nullptr, options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected >= 0")));
  options.task_weights.clear();
  options.sequence_length = 6;  // a 4-token timestep does not fit half of 6
  EXPECT_THAT(Sampler::Create(TaggedData(2, 5), vocab_, nullptr, options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("a timestep has 4 tokens, more than the 3 a row keeps for the episode "
                                 "(sequence length 6 minus the prompt's share)")));
  // Without prompts a timestep may fill the row, and no more.
  options.prompt_probability = 0.0;
  EXPECT_OK(Sampler::Create(TaggedData(2, 5), vocab_, nullptr, options).status());
  options.sequence_length = 3;
  EXPECT_THAT(Sampler::Create(TaggedData(2, 5), vocab_, nullptr, options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("a timestep has 4 tokens, more than the 3 a row keeps for the episode "
                                 "(sequence length 3)")));
  options.prompt_probability = 0.25;
  options.sequence_length = 32;
  options.prompt_probability = 1.5;
  EXPECT_THAT(Sampler::Create(TaggedData(2, 5), vocab_, nullptr, options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("prompt_probability")));
  options.prompt_probability = 0.25;
  std::map<std::string, std::vector<Episode>> empty;
  empty["a/none"] = {};
  EXPECT_THAT(Sampler::Create(empty, vocab_, nullptr, options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("has no episodes")));
}

TEST_F(SamplerTest, SeededNextDependsOnlyOnTheBatchSeed) {
  SamplerOptions options;
  options.batch_size = 4;
  options.sequence_length = 40;
  options.seed = 5;
  ASSERT_OK_AND_ASSIGN(auto a, Sampler::Create(TaggedData(4, 20), vocab_, nullptr, options));
  ASSERT_OK_AND_ASSIGN(auto b, Sampler::Create(TaggedData(4, 20), vocab_, nullptr, options));
  // `a` draws other batches first; `b` starts cold: seeded draws still agree.
  for (int i = 0; i < 3; ++i) ASSERT_OK(a->Next().status());
  ASSERT_OK_AND_ASSIGN(SampledBatch from_a, a->Next(1234));
  ASSERT_OK_AND_ASSIGN(SampledBatch from_b, b->Next(1234));
  EXPECT_EQ(from_a.ids, from_b.ids);
  EXPECT_EQ(from_a.loss_mask, from_b.loss_mask);
  EXPECT_EQ(from_a.task, from_b.task);
  // Another seed gives another batch.
  ASSERT_OK_AND_ASSIGN(SampledBatch other, b->Next(1235));
  EXPECT_NE(other.ids, from_b.ids);
}

// Vision-language episodes (image + text steps, no action spec) mix with control
// episodes in one sampler: their rows hold patches and text ending in EOS, no '|', and
// loss on the text only.
TEST_F(SamplerTest, VisionLanguageEpisodesMixWithControlEpisodes) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TextTokenizer> text, TextTokenizer::Load("tokenizers/text/calico_text.model"));
  ASSERT_OK_AND_ASSIGN(Vocabulary vocab, Vocabulary::Create(text->vocab_size()));
  std::map<std::string, std::vector<Episode>> data = TaggedData(3, 4);
  for (int e = 0; e < 3; ++e) {
    Episode episode;
    episode.task = "scenes/vqa";
    episode.observation_spec["image"] = {"image", {32, 32, 3}, DType::kUint8, {}, {}};
    episode.observation_spec["text"] = {"text", {}, DType::kString, {}, {}};
    episode.seed = e;
    for (int t = 0; t < 5; ++t) {
      Timestep step;
      step.observation["image"] = Array::Uint8({32, 32, 3}, std::vector<uint8_t>(32 * 32 * 3, 100));
      step.observation["text"] = Array::Text("q: is there a red box? a: yes");
      episode.steps.push_back(step);
      episode.step_types.push_back(t == 0 ? StepType::kFirst : t == 4 ? StepType::kLast : StepType::kMid);
      episode.rewards.push_back(0);
      episode.discounts.push_back(1);
    }
    ASSERT_OK(ValidateEpisode(episode));
    data["scenes/vqa"].push_back(episode);
  }
  SamplerOptions options;
  options.batch_size = 32;
  options.sequence_length = 256;
  options.seed = 3;
  ASSERT_OK_AND_ASSIGN(auto sampler, Sampler::Create(data, vocab, text.get(), options));
  ASSERT_OK_AND_ASSIGN(SampledBatch batch, sampler->Next());
  int vl_rows = 0, control_rows = 0;
  for (int64_t b = 0; b < batch.batch_size; ++b) {
    const bool vl = sampler->tasks()[batch.task[b]] == "scenes/vqa";
    (vl ? vl_rows : control_rows)++;
    int eos = 0, patches = 0, separators = 0;
    for (int64_t t = 0; t < batch.length[b]; ++t) {
      const int64_t i = b * batch.seq_len + t;
      eos += batch.ids[i] == vocab.eos_id();
      separators += batch.ids[i] == vocab.separator_id();
      if (batch.patch_index[i] >= 0) {
        ++patches;
        EXPECT_EQ(batch.loss_mask[i], 0);
      }
      if (vl && batch.patch_index[i] < 0 && t >= batch.prompt_length[b] && t > 0) {
        EXPECT_EQ(batch.loss_mask[i], 1) << "text targets carry loss";
        EXPECT_TRUE(batch.ids[i] < vocab.text_size() || batch.ids[i] == vocab.eos_id()) << batch.ids[i];
      }
    }
    if (vl) {
      EXPECT_EQ(separators, 0);
      EXPECT_GT(patches, 0);
      EXPECT_EQ(patches, 4 * eos) << "one EOS per step, four patches per 32x32 image";
      // Every step of a 5-step episode ends with EOS right after its text.
      const int64_t last = b * batch.seq_len + batch.length[b] - 1;
      EXPECT_EQ(batch.ids[last], vocab.eos_id());
    } else {
      EXPECT_EQ(patches, 0);
      EXPECT_EQ(eos, 0);
    }
  }
  EXPECT_GT(vl_rows, 5);
  EXPECT_GT(control_rows, 5);
}

}  // namespace
}  // namespace calico
