#include "replay/episode.h"

#include <cmath>
#include <limits>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "replay/episode.pb.h"

namespace calico {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// A 3-action episode with every dtype, recorded the way collection records it.
Episode MakeEpisode() {
  SpecMap obs, act;
  obs["camera"] = {"camera", {16, 16, 3}, DType::kUint8, {}, {}};
  obs["instruction"] = {"instruction", {}, DType::kString, {}, {}};
  obs["grid"] = {"grid", {2}, DType::kInt32, {0}, {9}};
  obs["state"] = {"state", {3}, DType::kFloat32, {}, {}};
  act["force"] = {"force", {1}, DType::kFloat32, {-1}, {1}};
  act["button"] = {"button", {}, DType::kInt32, {0}, {5}};
  EpisodeRecorder recorder("mujoco/test", obs, act, "expert", 42);
  for (int t = 0; t <= 3; ++t) {
    TimeStep step;
    step.step_type = t == 0 ? StepType::kFirst : (t == 3 ? StepType::kLast : StepType::kMid);
    step.reward = t == 0 ? 0.0 : 0.25 * t;
    step.discount = t == 3 ? 0.0 : 1.0;
    step.observation["camera"] = Array::Uint8({16, 16, 3}, std::vector<uint8_t>(768, static_cast<uint8_t>(10 * t)));
    step.observation["instruction"] = Array::Text("balance the pole");
    step.observation["grid"] = Array::Int({2}, {t, 9 - t});
    step.observation["state"] = Array::Float({3}, {0.5f * t, -1.0f, 1e-7f});
    NamedArrays action{{"force", Array::Float({1}, {0.1f * t})}, {"button", Array::Int({}, {t})}};
    EXPECT_OK(recorder.Add(step, t == 3 ? nullptr : &action));
  }
  absl::StatusOr<Episode> episode = recorder.Finish();
  EXPECT_OK(episode);
  return *episode;
}

// A vision-language episode: image + text steps, no action spec, no actions.
Episode VisionLanguageEpisode(int steps) {
  Episode episode;
  episode.task = "scenes/vqa";
  episode.observation_spec["image"] = {"image", {16, 16, 3}, DType::kUint8, {}, {}};
  episode.observation_spec["text"] = {"text", {}, DType::kString, {}, {}};
  episode.policy = "ground truth";
  episode.seed = 5;
  for (int t = 0; t < steps; ++t) {
    Timestep step;
    step.observation["image"] = Array::Uint8({16, 16, 3}, std::vector<uint8_t>(768, static_cast<uint8_t>(t)));
    step.observation["text"] = Array::Text("q: how many objects are there? a: two");
    episode.steps.push_back(step);
    episode.step_types.push_back(t == 0 ? StepType::kFirst : t + 1 == steps ? StepType::kLast : StepType::kMid);
    episode.rewards.push_back(0.0);
    episode.discounts.push_back(1.0);
  }
  return episode;
}

TEST(EpisodeTest, VisionLanguageEpisodesHaveNoActionsAndRoundTrip) {
  const Episode episode = VisionLanguageEpisode(5);
  EXPECT_EQ(episode.length(), 0);
  ASSERT_OK_AND_ASSIGN(std::string bytes, SerializeEpisode(episode));
  ASSERT_OK_AND_ASSIGN(Episode back, ParseEpisode(bytes, "vl"));
  ASSERT_EQ(back.steps.size(), 5u);
  EXPECT_TRUE(back.action_spec.empty());
  for (const Timestep& step : back.steps) {
    EXPECT_FALSE(step.action.has_value());
    EXPECT_EQ(step.observation.at("text").text, "q: how many objects are there? a: two");
  }
  Episode with_action = VisionLanguageEpisode(3);
  with_action.steps[1].action = NamedArrays{};
  EXPECT_THAT(ValidateEpisode(with_action),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("step 1"), HasSubstr("no action spec"))));
}

TEST(EpisodeTest, EveryFieldRoundTrips) {
  const Episode episode = MakeEpisode();
  EXPECT_DOUBLE_EQ(episode.episode_return, 0.25 + 0.5 + 0.75);
  EXPECT_EQ(episode.length(), 3);
  ASSERT_OK_AND_ASSIGN(std::string bytes, SerializeEpisode(episode));
  ASSERT_OK_AND_ASSIGN(Episode back, ParseEpisode(bytes, "test"));
  EXPECT_EQ(back.task, "mujoco/test");
  EXPECT_EQ(back.policy, "expert");
  EXPECT_EQ(back.seed, 42u);
  EXPECT_EQ(back.episode_return, episode.episode_return);
  EXPECT_EQ(back.step_types, episode.step_types);
  EXPECT_EQ(back.rewards, episode.rewards);
  EXPECT_EQ(back.discounts, episode.discounts);
  ASSERT_EQ(back.observation_spec.size(), 4u);
  EXPECT_EQ(back.observation_spec.at("grid").maximum, std::vector<double>{9});
  EXPECT_EQ(back.action_spec.at("force").minimum, std::vector<double>{-1});
  ASSERT_EQ(back.steps.size(), 4u);
  for (size_t t = 0; t < 4; ++t) {
    const NamedArrays& a = episode.steps[t].observation;
    const NamedArrays& b = back.steps[t].observation;
    EXPECT_EQ(b.at("camera").bytes, a.at("camera").bytes);
    EXPECT_EQ(b.at("camera").shape, a.at("camera").shape);
    EXPECT_EQ(b.at("instruction").text, "balance the pole");
    EXPECT_EQ(b.at("grid").ints, a.at("grid").ints);
    EXPECT_EQ(b.at("state").floats, a.at("state").floats);
    EXPECT_EQ(back.steps[t].action.has_value(), t < 3);
    if (t < 3) {
      EXPECT_EQ(back.steps[t].action->at("force").floats, episode.steps[t].action->at("force").floats);
      EXPECT_EQ(back.steps[t].action->at("button").ints, episode.steps[t].action->at("button").ints);
    }
  }
}

TEST(EpisodeTest, InvalidEpisodesAreRejectedWithTheStepAndKey) {
  Episode e = MakeEpisode();
  e.steps[2].observation["state"].floats[1] = std::nanf("");
  EXPECT_THAT(SerializeEpisode(e), StatusIs(absl::StatusCode::kInvalidArgument,
                                            AllOf(HasSubstr("step 2"), HasSubstr("'state'"), HasSubstr("finite"))));
  e = MakeEpisode();
  e.steps[1].action->at("button").ints[0] = 6;
  EXPECT_THAT(SerializeEpisode(e), StatusIs(absl::StatusCode::kOutOfRange, AllOf(HasSubstr("step 1"), HasSubstr("'button'"))));
  e = MakeEpisode();
  e.steps[1].action.reset();
  EXPECT_THAT(SerializeEpisode(e), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("step 1: has no action")));
  e = MakeEpisode();
  e.steps[3].action = e.steps[0].action;
  EXPECT_THAT(SerializeEpisode(e), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("must not carry an action")));
  e = MakeEpisode();
  e.step_types[2] = StepType::kLast;
  EXPECT_THAT(SerializeEpisode(e), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("step 2: step type is last")));
  e = MakeEpisode();
  e.episode_return += 1;
  EXPECT_THAT(SerializeEpisode(e), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sum of rewards")));
  e = MakeEpisode();
  e.discounts[1] = 1.5;
  EXPECT_THAT(SerializeEpisode(e), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("outside [0, 1]")));
  e = MakeEpisode();
  e.rewards[2] = std::numeric_limits<double>::infinity();
  EXPECT_THAT(SerializeEpisode(e), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reward is not finite")));
}

TEST(EpisodeTest, DamagedBytesAndUnknownVersionsAreErrors) {
  ASSERT_OK_AND_ASSIGN(std::string bytes, SerializeEpisode(MakeEpisode()));
  EXPECT_THAT(ParseEpisode("\xff\xff\xff garbage", "shard-0 record 3"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("shard-0 record 3: not an EpisodeProto")));
  EXPECT_FALSE(ParseEpisode(bytes.substr(0, bytes.size() / 2), "half").ok());
  EpisodeProto proto;
  ASSERT_TRUE(proto.ParseFromString(bytes));
  proto.set_format_version(2);
  EXPECT_THAT(ParseEpisode(proto.SerializeAsString(), "v2"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("format version 2")));
  proto.set_format_version(kEpisodeFormatVersion);
  proto.mutable_metadata()->set_length(7);
  EXPECT_THAT(ParseEpisode(proto.SerializeAsString(), "len"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("metadata says 7 actions")));
  proto.mutable_metadata()->set_length(3);
  proto.mutable_steps(1)->mutable_observation(0)->set_uint8_values("short");
  EXPECT_THAT(ParseEpisode(proto.SerializeAsString(), "img"),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("img: step 1"), HasSubstr("'camera'"))));
}

TEST(EpisodeRecorderTest, RefusesStepsAfterTheLastAndIncompleteEpisodes) {
  SpecMap obs{{"x", {"x", {1}, DType::kFloat32, {}, {}}}};
  SpecMap act{{"a", {"a", {1}, DType::kFloat32, {-1}, {1}}}};
  EpisodeRecorder recorder("t/x", obs, act, "random", 1);
  TimeStep first;
  first.observation["x"] = Array::Float({1}, {0});
  NamedArrays action{{"a", Array::Float({1}, {0})}};
  ASSERT_OK(recorder.Add(first, &action));
  EXPECT_THAT(recorder.Finish(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1 steps")));
  TimeStep last = first;
  last.step_type = StepType::kLast;
  EpisodeRecorder second("t/x", obs, act, "random", 1);
  ASSERT_OK(second.Add(first, &action));
  ASSERT_OK(second.Add(last, nullptr));
  EXPECT_THAT(second.Add(last, nullptr), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already ended")));
  EXPECT_OK(second.Finish().status());
}

}  // namespace
}  // namespace calico
