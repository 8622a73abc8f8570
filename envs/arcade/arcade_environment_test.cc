#include "envs/arcade/arcade_environment.h"

#include <thread>
#include <vector>

#include "base/random.h"
#include "base/status_matchers.h"
#include "envs/arcade/arcade_tasks.h"
#include "envs/arcade/freeway.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

NamedArrays Action(int a) {
  NamedArrays action;
  action["action"] = Array::Int({}, {a});
  return action;
}

std::unique_ptr<ArcadeEnvironment> Make(const std::string& task) {
  auto env = MakeArcadeEnvironment(task);
  EXPECT_THAT(env, IsOk());
  return std::move(env).value();
}

// Everything a TimeStep holds, as one comparable string of bytes.
std::string Fingerprint(const TimeStep& step) {
  std::string out = std::string(StepTypeName(step.step_type)) + std::to_string(step.reward) + "/" +
                    std::to_string(step.discount) + ":";
  for (const auto& [key, array] : step.observation) {
    out += key;
    for (int32_t v : array.ints) out += std::to_string(v) + ",";
    out.append(array.bytes.begin(), array.bytes.end());
  }
  return out;
}

// Plays `steps` steps (restarting after LAST) with actions from `action_seed`.
std::vector<std::string> Play(Environment& env, uint64_t seed, uint64_t action_seed, int steps) {
  std::vector<std::string> trace;
  Rng actions(action_seed);
  TimeStep step = env.Reset(seed).value();
  trace.push_back(Fingerprint(step));
  for (int i = 0; i < steps; ++i) {
    if (step.last()) {
      step = env.Reset(seed + i).value();
    } else {
      step = env.Step(Action(static_cast<int>(actions.UniformInt(0, kNumArcadeActions)))).value();
    }
    trace.push_back(Fingerprint(step));
  }
  return trace;
}

TEST(ArcadeEnvironmentTest, SpecsFollowTheObservationKind) {
  auto board_env = Make("arcade/seaquest");
  const ArraySpec& board = board_env->observation_spec().at("board");
  EXPECT_EQ(board.dtype, DType::kInt32);
  EXPECT_EQ(board.shape, (std::vector<int64_t>{10, 10}));
  EXPECT_EQ(board.minimum, std::vector<double>{0});
  EXPECT_EQ(board.maximum, std::vector<double>{1023});
  EXPECT_EQ(Make("arcade/breakout")->observation_spec().at("board").maximum, std::vector<double>{15});
  auto pixels_env = Make("arcade/freeway_pixels");
  ASSERT_EQ(pixels_env->observation_spec().size(), 1u);
  const ArraySpec& pixels = pixels_env->observation_spec().at("pixels");
  EXPECT_EQ(pixels.dtype, DType::kUint8);
  EXPECT_EQ(pixels.shape, (std::vector<int64_t>{80, 80, 3}));
  const ArraySpec& action = pixels_env->action_spec().at("action");
  EXPECT_EQ(action.dtype, DType::kInt32);
  EXPECT_TRUE(action.shape.empty());
  EXPECT_EQ(action.minimum, std::vector<double>{0});
  EXPECT_EQ(action.maximum, std::vector<double>{5});
  EXPECT_OK(ValidateSpecs(pixels_env->observation_spec(), "observation"));
  EXPECT_OK(ValidateSpecs(pixels_env->action_spec(), "action"));
}

TEST(ArcadeEnvironmentTest, ObservationsFitTheirSpecsInEveryTask) {
  for (const std::string& task : ArcadeTaskNames()) {
    auto env = Make(task);
    Rng actions(5);
    TimeStep step = env->Reset(3).value();
    for (int i = 0; i < 300 && !step.last(); ++i) {
      ASSERT_OK(CheckArrays(env->observation_spec(), step.observation, "observation")) << task;
      step = env->Step(Action(static_cast<int>(actions.UniformInt(0, 6)))).value();
    }
    ASSERT_OK(CheckArrays(env->observation_spec(), step.observation, "observation")) << task;
  }
}

TEST(ArcadeEnvironmentTest, StepBeforeResetAndAfterLastIsAFailedPrecondition) {
  auto env = Make("arcade/breakout");
  EXPECT_THAT(env->Step(Action(0)), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("before Reset")));
  EXPECT_THAT(env->Render(40, 40), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("before Reset")));
  ASSERT_OK(env->Reset(0));
  TimeStep step;
  do {
    ASSERT_OK_AND_ASSIGN(step, env->Step(Action(0)));
  } while (!step.last());
  EXPECT_THAT(env->Step(Action(0)), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("after the LAST")));
  ASSERT_OK_AND_ASSIGN(step, env->Reset(1));
  EXPECT_TRUE(step.first());
  EXPECT_OK(env->Step(Action(0)));
}

TEST(ArcadeEnvironmentTest, BadActionsAreRejectedAndChangeNothing) {
  auto env = Make("arcade/space_invaders");
  auto twin = Make("arcade/space_invaders");
  ASSERT_OK(env->Reset(8));
  ASSERT_OK(twin->Reset(8));
  EXPECT_THAT(env->Step(Action(6)), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("action")));
  EXPECT_THAT(env->Step(Action(-1)), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("action")));
  NamedArrays as_float;
  as_float["action"] = Array::Float({}, {1.0f});
  EXPECT_THAT(env->Step(as_float), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("int32")));
  NamedArrays vector;
  vector["action"] = Array::Int({1}, {1});
  EXPECT_THAT(env->Step(vector), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("shape")));
  NamedArrays misnamed;
  misnamed["move"] = Array::Int({}, {1});
  EXPECT_THAT(env->Step(misnamed), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("action")));
  EXPECT_THAT(env->Step(NamedArrays()), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("action")));
  EXPECT_EQ(env->steps(), 0);
  // The failed calls drew nothing from the Rng: both play on identically.
  for (int i = 0; i < 200; ++i) {
    ASSERT_OK_AND_ASSIGN(TimeStep a, env->Step(Action(i % 6)));
    ASSERT_OK_AND_ASSIGN(TimeStep b, twin->Step(Action(i % 6)));
    ASSERT_EQ(Fingerprint(a), Fingerprint(b)) << i;
    if (a.last()) break;
  }
}

TEST(ArcadeEnvironmentTest, GameOverIsALastStepWithDiscountZero) {
  auto env = Make("arcade/breakout");
  ASSERT_OK_AND_ASSIGN(TimeStep step, env->Reset(0));
  EXPECT_EQ(step.reward, 0.0);
  EXPECT_EQ(step.discount, 1.0);
  while (!step.last()) {
    ASSERT_OK_AND_ASSIGN(step, env->Step(Action(kLeft)));  // the paddle hides in a corner
    if (!step.last()) {
      EXPECT_EQ(step.step_type, StepType::kMid);
    }
  }
  EXPECT_EQ(step.discount, 0.0);
  EXPECT_LT(env->steps(), kArcadeEpisodeCap);
}

TEST(ArcadeEnvironmentTest, TimeLimitIsALastStepWithDiscountOne) {
  auto env = Make("arcade/freeway");
  ASSERT_OK(env->Reset(4));
  TimeStep step;
  int steps = 0;
  do {
    ASSERT_OK_AND_ASSIGN(step, env->Step(Action(kNoop)));
    ++steps;
  } while (!step.last());
  EXPECT_EQ(steps, 2500);
  EXPECT_EQ(step.discount, 1.0);

  ArcadeOptions options;
  options.max_steps = 7;
  ArcadeEnvironment short_env(std::make_unique<Freeway>(), options);
  ASSERT_OK(short_env.Reset(0));
  for (int i = 1; i <= 7; ++i) {
    ASSERT_OK_AND_ASSIGN(step, short_env.Step(Action(kUp)));
    EXPECT_EQ(step.last(), i == 7);
  }
  EXPECT_EQ(step.discount, 1.0);
}

TEST(ArcadeEnvironmentTest, SameSeedAndActionsGiveIdenticalTimeSteps) {
  for (const std::string& task : ArcadeTaskNames()) {
    auto a = Make(task);
    auto b = Make(task);
    EXPECT_EQ(Play(*a, 17, 99, 400), Play(*b, 17, 99, 400)) << task;
    EXPECT_NE(Play(*a, 17, 99, 400), Play(*b, 18, 99, 400)) << task;
  }
}

TEST(ArcadeEnvironmentTest, InstancesOnThreadsMatchSequentialRuns) {
  const std::vector<std::string> tasks = {"arcade/asterix", "arcade/breakout_pixels", "arcade/seaquest",
                                          "arcade/space_invaders", "arcade/freeway"};
  std::vector<std::vector<std::string>> sequential, threaded(tasks.size());
  for (size_t i = 0; i < tasks.size(); ++i) sequential.push_back(Play(*Make(tasks[i]), i, 1000 + i, 1500));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < tasks.size(); ++i) {
    threads.emplace_back([&, i] {
      auto env = MakeArcadeEnvironment(tasks[i]);
      if (env.ok()) threaded[i] = Play(**env, i, 1000 + i, 1500);
    });
  }
  for (std::thread& t : threads) t.join();
  for (size_t i = 0; i < tasks.size(); ++i) EXPECT_EQ(threaded[i], sequential[i]) << tasks[i];
}

TEST(ArcadeEnvironmentTest, StickyActionsRepeatThePreviousActionOneTimeInTen) {
  auto env = Make("arcade/freeway");  // never ends early
  Rng choices(123);
  int differing = 0, repeated = 0;
  ASSERT_OK(env->Reset(5));
  for (int episode = 0; episode < 12; ++episode) {
    ASSERT_OK(env->Reset(episode));
    for (TimeStep step; !step.last();) {
      const int previous = env->last_applied_action();
      const int chosen = static_cast<int>(choices.UniformInt(0, 6));
      ASSERT_OK_AND_ASSIGN(step, env->Step(Action(chosen)));
      if (chosen == previous) continue;
      ++differing;
      if (env->last_applied_action() == previous) {
        ++repeated;
      } else {
        ASSERT_EQ(env->last_applied_action(), chosen);
      }
    }
  }
  ASSERT_GT(differing, 20000);
  const double rate = static_cast<double>(repeated) / differing;
  EXPECT_NEAR(rate, 0.1, 0.01);  // ~5 standard errors at 25000 samples
}

TEST(ArcadeEnvironmentTest, WithoutStickinessTheChosenActionIsApplied) {
  ArcadeOptions options;
  options.sticky_action_probability = 0;
  ArcadeEnvironment env(std::make_unique<Freeway>(), options);
  ASSERT_OK(env.Reset(1));
  Rng choices(4);
  for (int i = 0; i < 2000; ++i) {
    const int chosen = static_cast<int>(choices.UniformInt(0, 6));
    ASSERT_OK(env.Step(Action(chosen)));
    ASSERT_EQ(env.last_applied_action(), chosen);
  }
}

TEST(ArcadeEnvironmentTest, PixelsDecodeToTheBoardOfTheSameEpisode) {
  for (const std::string& game : ArcadeGameNames()) {
    auto board_env = Make("arcade/" + game);
    auto pixels_env = Make("arcade/" + game + "_pixels");
    const int channels = static_cast<int>(ArcadeChannelNames(game)->size());
    TimeStep a = board_env->Reset(6).value(), b = pixels_env->Reset(6).value();
    Rng actions(2);
    for (int i = 0; i < 200 && !a.last(); ++i) {
      ASSERT_OK_AND_ASSIGN(Board from_board, BoardFromArray(a.observation.at("board"), channels));
      ASSERT_OK_AND_ASSIGN(Board from_pixels, BoardFromPixels(b.observation.at("pixels"), channels));
      ASSERT_TRUE(from_board == from_pixels) << game << " step " << i;
      ASSERT_EQ(a.reward, b.reward);
      const int action = static_cast<int>(actions.UniformInt(0, 6));
      a = board_env->Step(Action(action)).value();
      b = pixels_env->Step(Action(action)).value();
    }
  }
}

TEST(ArcadeEnvironmentTest, RenderDrawsTheCurrentBoard) {
  auto env = Make("arcade/asterix");
  ASSERT_OK(env->Reset(2));
  for (int i = 0; i < 30; ++i) ASSERT_OK(env->Step(Action(kUp)));
  ASSERT_OK_AND_ASSIGN(Array frame, env->Render(120, 160));
  EXPECT_EQ(frame.shape, (std::vector<int64_t>{120, 160, 3}));
  ASSERT_OK_AND_ASSIGN(Array expected, RenderBoard(env->board(), 120, 160));
  EXPECT_EQ(frame.bytes, expected.bytes);
  EXPECT_THAT(env->Render(4, 4), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("4x4")));
}

}  // namespace
}  // namespace calico
