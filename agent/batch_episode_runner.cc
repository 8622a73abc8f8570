#include "agent/batch_episode_runner.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/gif_writer.h"
#include "base/status_macros.h"

namespace calico {
namespace {

// One environment slot and the episode it is running.
struct Slot {
  std::unique_ptr<Environment> env;
  int episode = -1;  // -1: idle (no episodes left)
  uint64_t seed = 0;
  TimeStep timestep;
  EpisodeResult result;
  int64_t frame = 0;
  absl::Status status;  // of this slot's last environment step
};

// Runs fn(i) for i in [0, n) on up to `threads` threads (the calling one included).
void ParallelFor(int n, int threads, const std::function<void(int)>& fn) {
  threads = std::max(1, std::min(threads, n));
  if (threads == 1) {
    for (int i = 0; i < n; ++i) fn(i);
    return;
  }
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = t; i < n; i += threads) fn(i);
    });
  }
  for (int i = 0; i < n; i += threads) fn(i);
  for (std::thread& t : pool) t.join();
}

}  // namespace

absl::StatusOr<EpisodeRunnerReport> RunEpisodesBatched(const TaskRegistry& registry,
                                                       const BatchPolicyFactory& make_policy, int batch,
                                                       const EpisodeRunnerOptions& options, std::ostream* progress) {
  RETURN_IF_ERROR(options.Validate());
  if (batch < 1 || batch > 4096) {
    return absl::InvalidArgumentError(absl::StrCat("batch is ", batch, "; expected 1..4096 environments"));
  }
  const int num_slots = std::min(batch, options.episodes);
  std::vector<Slot> slots(num_slots);
  for (Slot& slot : slots) {
    ASSIGN_OR_RETURN(slot.env, registry.Make(options.task));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<BatchPolicy> policy, make_policy(options.task, *slots[0].env, num_slots));
  if (policy == nullptr || policy->num_envs() != num_slots) {
    return absl::InternalError(absl::StrCat(options.task, ": the policy factory made a policy without ", num_slots,
                                            " environment slots"));
  }
  std::optional<GifWriter> video;
  if (!options.video_path.empty()) {
    ASSIGN_OR_RETURN(GifWriter writer, GifWriter::Create(options.video_width, options.video_height, 50));
    video.emplace(std::move(writer));
  }
  auto annotate = [&](const absl::Status& status, uint64_t seed) {
    return absl::Status(status.code(), absl::StrCat(options.task, " seed ", seed, ": ", status.message()));
  };
  // Hooks and the video frame of one step of `slot`, action null on the LAST step.
  auto observe = [&](Slot& slot, const NamedArrays* action) -> absl::Status {
    if (options.on_step) RETURN_IF_ERROR(options.on_step(slot.seed, slot.timestep, action));
    if (!video.has_value() || slot.episode != 0 || slot.frame++ % options.video_every != 0) return absl::OkStatus();
    ASSIGN_OR_RETURN(Array rgb, slot.env->Render(options.video_height, options.video_width));
    return video->AddFrame(rgb.bytes);
  };

  EpisodeRunnerReport report;
  report.episodes.resize(options.episodes);
  int next_episode = 0;
  int done = 0;
  const auto start = std::chrono::steady_clock::now();
  // Starts the next unstarted episode in `slot`, or leaves it idle.
  auto start_episode = [&](Slot& slot) -> absl::Status {
    if (next_episode >= options.episodes) {
      slot.episode = -1;
      return absl::OkStatus();
    }
    slot.episode = next_episode++;
    slot.seed = options.first_seed + slot.episode;
    slot.result = EpisodeResult();
    slot.frame = 0;
    policy->Reset(static_cast<int>(&slot - slots.data()), slot.seed);
    if (absl::Status st = slot.env->ResetInto(slot.seed, &slot.timestep); !st.ok()) return annotate(st, slot.seed);
    return absl::OkStatus();
  };
  // Records `slot`'s finished episode and starts its next one.
  auto finish_episode = [&](Slot& slot) -> absl::Status {
    if (absl::Status st = observe(slot, nullptr); !st.ok()) return annotate(st, slot.seed);
    if (options.on_episode_end) {
      if (absl::Status st = options.on_episode_end(slot.seed, slot.result); !st.ok()) return annotate(st, slot.seed);
    }
    report.episodes[slot.episode] = slot.result;
    ++done;
    if (progress != nullptr) {
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const double rate = done / std::max(elapsed, 1e-9);
      *progress << absl::StrFormat("  %s episode %d/%d (seed %d): return %.2f in %d steps  [%.2f episodes/s, ETA %.0f s]\n",
                                   options.task, done, options.episodes, slot.seed, slot.result.episode_return,
                                   slot.result.steps, rate, (options.episodes - done) / rate);
      progress->flush();
    }
    return start_episode(slot);
  };

  for (Slot& slot : slots) RETURN_IF_ERROR(start_episode(slot));
  std::vector<int> active;
  std::vector<const TimeStep*> timesteps;
  while (true) {
    active.clear();
    timesteps.clear();
    for (int s = 0; s < num_slots; ++s) {
      if (slots[s].episode < 0) continue;
      active.push_back(s);
      timesteps.push_back(&slots[s].timestep);
    }
    if (active.empty()) break;
    absl::StatusOr<std::vector<NamedArrays>> actions = policy->Act(active, timesteps);
    if (!actions.ok()) {
      if (active.size() == 1) return annotate(actions.status(), slots[active[0]].seed);
      // One call acted for every active slot: name them all, not one that may be innocent.
      std::vector<uint64_t> seeds;
      for (int s : active) seeds.push_back(slots[s].seed);
      return absl::Status(actions.status().code(),
                          absl::StrCat(options.task, " (one decode batch of seeds ", absl::StrJoin(seeds, ", "),
                                       "): ", actions.status().message()));
    }
    if (actions->size() != active.size()) {
      return absl::InternalError(absl::StrCat("the batch policy returned ", actions->size(), " actions for ",
                                              active.size(), " environments"));
    }
    for (size_t k = 0; k < active.size(); ++k) {
      Slot& slot = slots[active[k]];
      const NamedArrays* recorded = policy->RecordedAction(active[k]);
      if (absl::Status st = observe(slot, recorded != nullptr ? recorded : &(*actions)[k]); !st.ok()) {
        return annotate(st, slot.seed);
      }
    }
    ParallelFor(static_cast<int>(active.size()), options.threads, [&](int k) {
      Slot& slot = slots[active[k]];
      // In place: the environment reuses the slot's observation arrays.
      slot.status = slot.env->StepInto((*actions)[k], &slot.timestep);
      if (!slot.status.ok()) return;
      slot.result.episode_return += slot.timestep.reward;
      ++slot.result.steps;
    });
    for (int s : active) {
      Slot& slot = slots[s];
      if (!slot.status.ok()) return annotate(slot.status, slot.seed);
      if (slot.timestep.last()) RETURN_IF_ERROR(finish_episode(slot));
    }
  }

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
