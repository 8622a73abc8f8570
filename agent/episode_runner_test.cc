#include "agent/episode_runner.h"

#include "agent/test_envs.h"

#include <cstdlib>
#include <sstream>

#include "base/file_io.h"
#include "base/random.h"
#include "base/status_macros.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;
using test_envs::Constant;
using test_envs::Registry;

TEST(EpisodeRunnerTest, ResultsDoNotDependOnTheThreadCount) {
  const TaskRegistry registry = Registry();
  EpisodeRunnerOptions options;
  options.task = "test/noisy";
  options.episodes = 9;
  options.threads = 1;
  ASSERT_OK_AND_ASSIGN(EpisodeRunnerReport one, RunEpisodes(registry, Constant(1), options, nullptr));
  options.threads = 3;
  std::ostringstream progress;
  ASSERT_OK_AND_ASSIGN(EpisodeRunnerReport three, RunEpisodes(registry, Constant(1), options, &progress));
  ASSERT_EQ(one.episodes.size(), 9u);
  for (int i = 0; i < 9; ++i) {
    EXPECT_EQ(one.episodes[i].episode_return, three.episodes[i].episode_return);
    EXPECT_EQ(one.episodes[i].steps, 5 + i % 4);
  }
  EXPECT_EQ(one.mean_return, three.mean_return);
  EXPECT_GT(one.stddev_return, 0);
  EXPECT_EQ(one.total_steps, 5 + 6 + 7 + 8 + 5 + 6 + 7 + 8 + 5);
  EXPECT_THAT(progress.str(), HasSubstr("episode 9/9"));
  EXPECT_THAT(progress.str(), HasSubstr("ETA"));
  ASSERT_OK_AND_ASSIGN(EpisodeRunnerReport zero, RunEpisodes(registry, Constant(0), options, nullptr));
  EXPECT_EQ(zero.mean_return, 0.0);
}

TEST(EpisodeRunnerTest, RecordsTheFirstEpisodeAsAGif) {
  const TaskRegistry registry = Registry();
  EpisodeRunnerOptions options;
  options.task = "test/noisy";
  options.episodes = 3;
  options.first_seed = 2;  // episode 0 has 7 steps: 8 frames
  options.video_path = std::string(std::getenv("TEST_TMPDIR")) + "/episode.gif";
  options.video_height = 16;
  options.video_width = 24;
  ASSERT_OK(RunEpisodes(registry, Constant(1), options, nullptr).status());
  EXPECT_EQ(test_envs::CountGifFrames(options.video_path), 8);
  // An earlier video is replaced, not appended to: seed 0's episode has 5 steps, 6 frames.
  options.first_seed = 0;
  ASSERT_OK(RunEpisodes(registry, Constant(1), options, nullptr).status());
  EXPECT_EQ(test_envs::CountGifFrames(options.video_path), 6);
}

// A video that cannot be written once the episodes are done (here its path became a
// directory mid-run; a full disk in practice) loses the video, not the returns.
TEST(EpisodeRunnerTest, AVideoLostAtTheEndKeepsTheResults) {
  const TaskRegistry registry = Registry();
  EpisodeRunnerOptions options;
  options.task = "test/noisy";
  options.episodes = 3;
  options.threads = 1;
  options.video_path = std::string(std::getenv("TEST_TMPDIR")) + "/lost.gif";
  options.video_height = 16;
  options.video_width = 24;
  options.on_step = [&](uint64_t, const TimeStep&, const NamedArrays*) {
    return MakeDirectories(options.video_path);
  };
  ASSERT_OK_AND_ASSIGN(EpisodeRunnerReport lost, RunEpisodes(registry, Constant(1), options, nullptr));
  EXPECT_THAT(lost.video_error, HasSubstr("lost.gif"));
  options.video_path.clear();
  options.on_step = nullptr;
  ASSERT_OK_AND_ASSIGN(EpisodeRunnerReport plain, RunEpisodes(registry, Constant(1), options, nullptr));
  EXPECT_EQ(plain.video_error, "");
  ASSERT_EQ(lost.episodes.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(lost.episodes[i].episode_return, plain.episodes[i].episode_return);
  EXPECT_EQ(lost.mean_return, plain.mean_return);
}

TEST(EpisodeRunnerTest, AVideoPathThatCannotBeWrittenFailsBeforeAnyEpisode) {
  const TaskRegistry registry = Registry();
  EpisodeRunnerOptions options;
  options.task = "test/noisy";
  options.episodes = 3;
  int steps = 0;
  options.on_step = [&](uint64_t, const TimeStep&, const NamedArrays*) {
    ++steps;
    return absl::OkStatus();
  };
  options.video_path = std::string(std::getenv("TEST_TMPDIR")) + "/no/such/dir/episode.gif";
  EXPECT_THAT(RunEpisodes(registry, Constant(1), options, nullptr),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("video: cannot write")));
  options.video_path = std::string(std::getenv("TEST_TMPDIR"));
  EXPECT_THAT(RunEpisodes(registry, Constant(1), options, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is a directory")));
  // A mistyped --video must not replace a checkpoint or a manifest: only a .gif name, and
  // an existing file there only if it is a GIF.
  const std::string precious = std::string(std::getenv("TEST_TMPDIR")) + "/ckpt-000002";
  ASSERT_OK(WriteFileAtomically(precious, "CALICOCK checkpoint bytes"));
  options.video_path = precious;
  EXPECT_THAT(RunEpisodes(registry, Constant(1), options, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("does not end in .gif")));
  const std::string not_a_gif = std::string(std::getenv("TEST_TMPDIR")) + "/notes.gif";
  ASSERT_OK(WriteFileAtomically(not_a_gif, "not a picture"));
  options.video_path = not_a_gif;
  EXPECT_THAT(RunEpisodes(registry, Constant(1), options, nullptr),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("exists and is not a GIF")));
  ASSERT_OK_AND_ASSIGN(std::string kept, ReadFile(precious));
  EXPECT_EQ(kept, "CALICOCK checkpoint bytes");
  ASSERT_OK_AND_ASSIGN(kept, ReadFile(not_a_gif));
  EXPECT_EQ(kept, "not a picture");
  EXPECT_EQ(steps, 0);
}

TEST(EpisodeRunnerTest, ErrorsNameTaskAndSeed) {
  const TaskRegistry registry = Registry();
  EpisodeRunnerOptions options;
  options.task = "test/noisy";
  options.episodes = 20;
  options.first_seed = 0;
  EXPECT_THAT(RunEpisodes(registry, Constant(1), options, nullptr),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("test/noisy seed 13: seed 13 is cursed")));
  EXPECT_THAT(RunEpisodes(registry, Constant(2), options, nullptr),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("action 'x'")));
  options.task = "test/other";
  EXPECT_THAT(RunEpisodes(registry, Constant(1), options, nullptr),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("known tasks: test/noisy")));
  options.task = "test/noisy";
  options.episodes = 0;
  EXPECT_THAT(RunEpisodes(registry, Constant(1), options, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("episodes is 0")));
}

}  // namespace
}  // namespace calico
