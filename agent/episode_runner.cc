#include "agent/episode_runner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_io.h"
#include "base/gif_writer.h"
#include "base/status_macros.h"

namespace calico {
namespace {

// A video path must say what it holds, and an existing file there is replaced only if it
// is a GIF already (an earlier video): a mistyped --video must not overwrite a checkpoint
// or a dataset's manifest.
absl::Status CheckVideoTarget(const std::string& path) {
  if (!absl::EndsWithIgnoreCase(path, ".gif")) {
    return absl::InvalidArgumentError(
        absl::StrCat("video: '", path, "' does not end in .gif; the video is an animated GIF"));
  }
  if (!PathExists(path)) return absl::OkStatus();
  std::ifstream in(path, std::ios::binary);
  char magic[6] = {};
  in.read(magic, sizeof(magic));
  const absl::string_view head(magic, static_cast<size_t>(in.gcount()));
  if (head != "GIF87a" && head != "GIF89a") {
    return absl::AlreadyExistsError(
        absl::StrCat("video: '", path, "' exists and is not a GIF; refusing to replace it"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status EpisodeRunnerOptions::Validate() const {
  if (task.empty()) return absl::InvalidArgumentError("no task given");
  if (episodes < 1) return absl::InvalidArgumentError(absl::StrCat("episodes is ", episodes, "; expected >= 1"));
  if (threads < 1 || threads > 256) {
    return absl::InvalidArgumentError(absl::StrCat("threads is ", threads, "; expected 1..256"));
  }
  if (!video_path.empty() && (video_height < 16 || video_width < 16 || video_height > 2048 || video_width > 2048)) {
    return absl::InvalidArgumentError(
        absl::StrCat("video size ", video_height, "x", video_width, " must be within 16..2048 on each side"));
  }
  if (video_every < 1) return absl::InvalidArgumentError("video_every must be >= 1");
  // The video is written after the episodes: a path that cannot take it fails now.
  if (!video_path.empty()) {
    absl::Status writable = CheckFileWritable(video_path);
    if (!writable.ok()) return absl::Status(writable.code(), absl::StrCat("video: ", writable.message()));
    RETURN_IF_ERROR(CheckVideoTarget(video_path));
  }
  return absl::OkStatus();
}

void SummarizeEpisodes(EpisodeRunnerReport* report) {
  const double n = static_cast<double>(report->episodes.size());
  double sum = 0, sum_sq = 0;
  report->total_steps = 0;
  for (const EpisodeResult& r : report->episodes) {
    sum += r.episode_return;
    report->total_steps += r.steps;
  }
  report->mean_return = sum / n;
  for (const EpisodeResult& r : report->episodes) {
    sum_sq += (r.episode_return - report->mean_return) * (r.episode_return - report->mean_return);
  }
  report->stddev_return = n > 1 ? std::sqrt(sum_sq / (n - 1)) : 0.0;
}

absl::StatusOr<EpisodeRunnerReport> RunEpisodes(const TaskRegistry& registry, const PolicyFactory& make_policy,
                                                const EpisodeRunnerOptions& options, std::ostream* progress) {
  RETURN_IF_ERROR(options.Validate());
  // Fail fast, before any thread starts, on an unknown task or a policy that cannot be made.
  {
    ASSIGN_OR_RETURN(std::unique_ptr<Environment> env, registry.Make(options.task));
    RETURN_IF_ERROR(make_policy(options.task, *env).status());
  }
  EpisodeRunnerReport report;
  report.episodes.resize(options.episodes);
  std::optional<GifWriter> video;
  if (!options.video_path.empty()) {
    ASSIGN_OR_RETURN(GifWriter writer, GifWriter::Create(options.video_width, options.video_height, 50));
    video.emplace(std::move(writer));
  }

  std::atomic<int> next_episode{0};
  std::atomic<bool> failed{false};
  std::mutex mu;  // guards first_error, done, progress
  absl::Status first_error;
  int done = 0;
  const auto start = std::chrono::steady_clock::now();

  auto worker = [&]() {
    auto fail = [&](const absl::Status& status, uint64_t seed) {
      std::lock_guard<std::mutex> lock(mu);
      // A real failure wins over a cancellation (a stop request) another thread met first.
      if (first_error.ok() || (absl::IsCancelled(first_error) && !absl::IsCancelled(status))) {
        first_error = absl::Status(status.code(), absl::StrCat(options.task, " seed ", seed, ": ", status.message()));
      }
      failed = true;
    };
    absl::StatusOr<std::unique_ptr<Environment>> env = registry.Make(options.task);
    if (!env.ok()) return fail(env.status(), options.first_seed);
    absl::StatusOr<std::unique_ptr<Policy>> policy = make_policy(options.task, **env);
    if (!policy.ok()) return fail(policy.status(), options.first_seed);
    while (!failed) {
      const int i = next_episode++;
      if (i >= options.episodes) break;
      const uint64_t seed = options.first_seed + i;
      int64_t frame = 0;
      const bool record_video = i == 0 && video.has_value();
      StepObserver observer = nullptr;
      if (record_video || options.on_step) {
        observer = [&](const TimeStep& timestep, const NamedArrays* action) -> absl::Status {
          if (options.on_step) RETURN_IF_ERROR(options.on_step(seed, timestep, action));
          // Episode 0 runs on exactly one thread, so the writer needs no lock.
          if (!record_video || frame++ % options.video_every != 0) return absl::OkStatus();
          ASSIGN_OR_RETURN(Array rgb, (*env)->Render(options.video_height, options.video_width));
          return video->AddFrame(rgb.bytes);
        };
      }
      absl::StatusOr<EpisodeResult> result = RunEpisode(**env, **policy, seed, observer);
      if (!result.ok()) return fail(result.status(), seed);
      if (options.on_episode_end) {
        absl::Status status = options.on_episode_end(seed, *result);
        if (!status.ok()) return fail(status, seed);
      }
      std::lock_guard<std::mutex> lock(mu);
      report.episodes[i] = *result;
      ++done;
      if (progress != nullptr) {
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double rate = done / std::max(elapsed, 1e-9);
        *progress << absl::StrFormat("  %s episode %d/%d (seed %d): return %.2f in %d steps  [%.2f episodes/s, ETA %.0f s]\n",
                                     options.task, done, options.episodes, seed, result->episode_return,
                                     result->steps, rate, (options.episodes - done) / rate);
        progress->flush();
      }
    }
  };
  const int threads = std::min(options.threads, options.episodes);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
  if (!first_error.ok()) return first_error;

  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  SummarizeEpisodes(&report);
  if (video.has_value()) {
    if (absl::Status written = video->WriteFile(options.video_path); !written.ok()) {
      report.video_error = std::string(written.message());
    }
  }
  return report;
}

}  // namespace calico
