// Test-only environment and policies for the episode runners' tests.
#ifndef CALICO_AGENT_TEST_ENVS_H_
#define CALICO_AGENT_TEST_ENVS_H_

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/episode_runner.h"
#include "base/file_io.h"
#include "base/random.h"
#include "base/status_macros.h"
#include "base/status_matchers.h"
#include "envs/environment.h"
#include "envs/task_registry.h"
#include "gtest/gtest.h"
#include "policies/policy.h"

namespace calico {
namespace test_envs {

// Episodes of 5 + seed % 4 steps; reward = action value * seed-dependent noise, so the
// returns depend on both the seed and the policy. Fails on seed 13 when asked to.
class NoisyEnv : public Environment {
 public:
  NoisyEnv() {
    specs_["x"] = {"x", {1}, DType::kFloat32, {-1}, {1}};
  }
  const SpecMap& observation_spec() const override { return specs_; }
  const SpecMap& action_spec() const override { return specs_; }
  absl::StatusOr<TimeStep> Reset(uint64_t seed) override {
    if (seed == 13) return absl::InternalError("seed 13 is cursed");
    rng_ = Rng(seed);
    remaining_ = 5 + static_cast<int>(seed % 4);
    return Obs(StepType::kFirst, 0);
  }
  absl::StatusOr<TimeStep> Step(const NamedArrays& action) override {
    RETURN_IF_ERROR(CheckArrays(specs_, action, "action"));
    --remaining_;
    return Obs(remaining_ == 0 ? StepType::kLast : StepType::kMid, action.at("x").floats[0] * rng_.Uniform());
  }
  absl::StatusOr<Array> Render(int height, int width) override {
    return Array::Uint8({height, width, 3}, std::vector<uint8_t>(static_cast<size_t>(height) * width * 3,
                                                                 static_cast<uint8_t>(remaining_ * 20)));
  }

 private:
  TimeStep Obs(StepType type, double reward) {
    TimeStep t;
    t.step_type = type;
    t.reward = reward;
    t.observation["x"] = Array::Float({1}, {static_cast<float>(remaining_) / 10});
    return t;
  }
  SpecMap specs_;
  Rng rng_{0};
  int remaining_ = 0;
};

class ConstantPolicy : public Policy {
 public:
  explicit ConstantPolicy(float value) : value_(value) {}
  void Reset(uint64_t seed) override {}
  absl::StatusOr<NamedArrays> Act(const TimeStep& timestep) override {
    return NamedArrays{{"x", Array::Float({1}, {value_})}};
  }

 private:
  float value_;
};

inline TaskRegistry Registry() {
  TaskRegistry registry;
  EXPECT_OK(registry.Register({"test/noisy", "noise", 8}, []() -> absl::StatusOr<std::unique_ptr<Environment>> {
    return std::make_unique<NoisyEnv>();
  }));
  return registry;
}

inline PolicyFactory Constant(float value) {
  return [value](const std::string&, const Environment&) -> absl::StatusOr<std::unique_ptr<Policy>> {
    return std::make_unique<ConstantPolicy>(value);
  };
}

// Acts x = sin(seed * 7 + step) / 2: each episode's actions depend on its own seed, so a
// runner that mixes up episodes or slots gets other returns.
class SeededPolicy : public Policy {
 public:
  void Reset(uint64_t seed) override {
    seed_ = seed;
    step_ = 0;
  }
  absl::StatusOr<NamedArrays> Act(const TimeStep& timestep) override {
    const double x = std::sin(static_cast<double>(seed_) * 7 + step_++) / 2;
    return NamedArrays{{"x", Array::Float({1}, {static_cast<float>(x)})}};
  }

 private:
  uint64_t seed_ = 0;
  int step_ = 0;
};

inline PolicyFactory Seeded() {
  return [](const std::string&, const Environment&) -> absl::StatusOr<std::unique_ptr<Policy>> {
    return std::make_unique<SeededPolicy>();
  };
}

// The number of frames in the GIF at `path` (graphic control extensions), -1 if the
// file cannot be read or is not a GIF.
inline int CountGifFrames(const std::string& path) {
  absl::StatusOr<std::string> gif = ReadFile(path);
  if (!gif.ok() || gif->substr(0, 6) != "GIF89a") return -1;
  int frames = 0;
  for (size_t i = 0; i + 3 < gif->size(); ++i) frames += gif->compare(i, 4, "\x21\xF9\x04\x04") == 0;
  return frames;
}

}  // namespace test_envs
}  // namespace calico

#endif  // CALICO_AGENT_TEST_ENVS_H_
