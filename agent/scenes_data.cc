#include "agent/scenes_data.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_io.h"
#include "base/png.h"
#include "base/status_macros.h"
#include "envs/scenes/scene.h"
#include "envs/scenes/scene_language.h"
#include "tokenizers/token_stream.h"

namespace calico {
namespace {

std::string TaskOfEpisode(ScenesKind kind, int index) {
  switch (kind) {
    case ScenesKind::kCaption:
      return kScenesCaptionTask;
    case ScenesKind::kVqa:
      return kScenesVqaTask;
    case ScenesKind::kMixed:
      return index % 2 == 0 ? kScenesCaptionTask : kScenesVqaTask;
    case ScenesKind::kVqaText:
      return kScenesVqaTextTask;
  }
  return kScenesCaptionTask;
}

}  // namespace

absl::StatusOr<ScenesKind> ParseScenesKind(const std::string& name) {
  if (name == "caption") return ScenesKind::kCaption;
  if (name == "vqa") return ScenesKind::kVqa;
  if (name == "mixed") return ScenesKind::kMixed;
  if (name == "vqa_text") return ScenesKind::kVqaText;
  return absl::InvalidArgumentError(absl::StrCat("scenes kind '", name, "'; expected caption, vqa, mixed or vqa_text"));
}

namespace {
// Positions a step's text needs at least, beside the image's patches.
constexpr int kMinSceneTextRoom = 28;
}  // namespace

absl::Status ScenesDatasetOptions::Validate() const {
  if (directory.empty()) return absl::InvalidArgumentError("no output directory given");
  if (episodes < 1) return absl::InvalidArgumentError(absl::StrCat("episodes is ", episodes, "; expected >= 1"));
  if (pairs < 2 || pairs > 64) {
    return absl::InvalidArgumentError(absl::StrCat("pairs is ", pairs, "; expected 2..64 image-text steps per episode"));
  }
  // Each thread renders with its own MuJoCo scene and GL context.
  if (threads < 1 || threads > 256) {
    return absl::InvalidArgumentError(absl::StrCat("threads is ", threads, "; expected in [1, 256]"));
  }
  RETURN_IF_ERROR((SceneRenderOptions{size, size}.Validate()));
  // A step is the image's patches and its text in one observation of at most
  // kMaxLocalPositions tokens; the text needs a few dozen of them.
  if (const int64_t patches = int64_t{size / 16} * (size / 16); patches > kMaxLocalPositions - kMinSceneTextRoom) {
    return absl::InvalidArgumentError(absl::StrCat(
        "size ", size, " gives ", patches, " image patches per scene, and a step (patches and text) must fit in ",
        kMaxLocalPositions, " positions with room for the text; expected a size of at most ",
        16 * static_cast<int>(std::sqrt(kMaxLocalPositions - kMinSceneTextRoom))));
  }
  if (kind == ScenesKind::kVqaText && !png_directory.empty()) {
    return absl::InvalidArgumentError("--png writes the scenes' images, and vqa_text episodes have none");
  }
  const uint64_t count = static_cast<uint64_t>(episodes) * static_cast<uint64_t>(pairs);
  if (first_seed > UINT64_MAX - count) {
    return absl::InvalidArgumentError(absl::StrCat("seeds from ", first_seed, " overflow 64 bits"));
  }
  const uint64_t last = first_seed + count - 1;
  if (!eval_set && IsEvalSeed(last)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "scene seeds ", first_seed, "..", last, " reach the held-out evaluation range (>= ", kFirstEvalSeed,
        "); training sets use seeds below it. Lower --first_seed or --episodes, or pass --eval_set for an "
        "evaluation set"));
  }
  if (eval_set && !IsEvalSeed(first_seed)) {
    return absl::InvalidArgumentError(absl::StrCat("an evaluation set (--eval_set) uses seeds >= ", kFirstEvalSeed,
                                                   "; --first_seed is ", first_seed));
  }
  return absl::OkStatus();
}

absl::StatusOr<Episode> MakeScenesEpisode(SceneRenderer* renderer, const std::string& task, uint64_t first_seed,
                                          int pairs) {
  if (task != kScenesCaptionTask && task != kScenesVqaTask && task != kScenesVqaTextTask) {
    return absl::InvalidArgumentError(absl::StrCat("scenes task '", task, "'; expected ", kScenesCaptionTask, ", ",
                                                   kScenesVqaTask, " or ", kScenesVqaTextTask));
  }
  const bool with_image = task != kScenesVqaTextTask;
  if (with_image && renderer == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("scenes task '", task, "' renders images but has no renderer"));
  }
  Episode episode;
  episode.task = task;
  if (with_image) {
    episode.observation_spec["image"] = {
        "image", {renderer->options().height, renderer->options().width, 3}, DType::kUint8, {}, {}};
  }
  episode.observation_spec["text"] = {"text", {}, DType::kString, {}, {}};
  episode.policy = "ground truth";
  episode.seed = first_seed;
  for (int j = 0; j < pairs; ++j) {
    const Scene scene = SampleScene(first_seed + j);
    Timestep step;
    if (with_image) {
      ASSIGN_OR_RETURN(step.observation["image"], renderer->Render(scene));
    }
    step.observation["text"] =
        Array::Text(task == kScenesCaptionTask ? CaptionStepText(scene) : VqaStepText(scene));
    episode.steps.push_back(std::move(step));
    episode.step_types.push_back(j == 0 ? StepType::kFirst : j + 1 == pairs ? StepType::kLast : StepType::kMid);
    episode.rewards.push_back(0.0);
    episode.discounts.push_back(1.0);
  }
  RETURN_IF_ERROR(ValidateEpisode(episode));
  return episode;
}

absl::StatusOr<ScenesReport> WriteScenesDataset(const ScenesDatasetOptions& options, std::ostream* progress) {
  RETURN_IF_ERROR(options.Validate());
  DatasetWriterOptions writer_options;
  writer_options.directory = options.directory;
  writer_options.append = options.append;
  if (options.count_tokens) {
    // A step whose text does not fit beside a large image fails here: say which size.
    writer_options.count_tokens = [count = options.count_tokens, size = options.size](
                                      const Episode& episode) -> absl::StatusOr<int64_t> {
      absl::StatusOr<int64_t> tokens = count(episode);
      if (!tokens.ok()) {
        return absl::Status(tokens.status().code(),
                            absl::StrCat("a scene of ", size, "x", size, " pixels (--size): ", tokens.status().message()));
      }
      return tokens;
    };
  }
  ASSIGN_OR_RETURN(std::unique_ptr<DatasetWriter> writer, DatasetWriter::Open(writer_options));
  if (!options.png_directory.empty()) RETURN_IF_ERROR(MakeDirectories(options.png_directory));

  const auto start = std::chrono::steady_clock::now();
  std::atomic<int> next{0};
  std::mutex mu;
  absl::Status failure;                       // guarded by mu
  int done = 0;                               // guarded by mu
  std::map<uint64_t, std::string> png_index;  // seed -> "file\tseed\ttext", guarded by mu
  // Episodes go to the writer in index order whatever thread finishes first, so the same
  // options write the same shards. Finished ones wait here for those before them.
  std::map<int, Episode> ready;  // guarded by mu
  int next_to_write = 0;         // guarded by mu
  bool writing = false;          // guarded by mu: one thread at a time drains `ready`
  const int threads = std::min(options.threads, options.episodes);
  auto work = [&]() {
    auto fail = [&](const absl::Status& status) {
      std::lock_guard<std::mutex> lock(mu);
      if (failure.ok()) failure = status;
    };
    // Text-only datasets render nothing, so they need no OpenGL context.
    std::unique_ptr<SceneRenderer> renderer;
    if (options.kind != ScenesKind::kVqaText) {
      absl::StatusOr<std::unique_ptr<SceneRenderer>> created = SceneRenderer::Create({options.size, options.size});
      if (!created.ok()) return fail(created.status());
      renderer = *std::move(created);
    }
    while (true) {
      const int i = next.fetch_add(1);
      if (i >= options.episodes) return;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (!failure.ok()) return;
      }
      const uint64_t seed = options.first_seed + static_cast<uint64_t>(i) * options.pairs;
      absl::StatusOr<Episode> episode = MakeScenesEpisode(renderer.get(), TaskOfEpisode(options.kind, i), seed, options.pairs);
      if (!episode.ok()) return fail(episode.status());
      if (!options.png_directory.empty()) {
        for (int j = 0; j < options.pairs; ++j) {
          const Array& image = episode->steps[j].observation.at("image");
          const std::string file = absl::StrCat("scene-", seed + j, ".png");
          Image8 png{static_cast<int>(image.shape[0]), static_cast<int>(image.shape[1]), 3, image.bytes};
          absl::Status status = WritePng(absl::StrCat(options.png_directory, "/", file), png);
          if (!status.ok()) return fail(status);
          std::lock_guard<std::mutex> lock(mu);
          png_index[seed + j] = absl::StrCat(file, "\t", seed + j, "\t", episode->steps[j].observation.at("text").text);
        }
      }
      std::unique_lock<std::mutex> lock(mu);
      ready.emplace(i, *std::move(episode));
      if (!writing) {
        // This thread writes every episode that is next in order, outside the lock (the
        // writer tokenizes each one), while the others go on rendering.
        writing = true;
        while (!ready.empty() && ready.begin()->first == next_to_write && failure.ok()) {
          Episode next_episode = std::move(ready.begin()->second);
          ready.erase(ready.begin());
          lock.unlock();
          absl::StatusOr<bool> added = writer->Add(next_episode);
          lock.lock();
          if (!added.ok()) {
            if (failure.ok()) failure = added.status();
            break;
          }
          ++next_to_write;
        }
        writing = false;
      }
      ++done;
      if (progress != nullptr && (done % 100 == 0 || done == options.episodes)) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double rate = done / std::max(seconds, 1e-9);
        *progress << absl::StrFormat("scenes: %d/%d episodes, %.0f scenes/s, ETA %.0f s\n", done, options.episodes,
                                     rate * options.pairs, (options.episodes - done) / std::max(rate, 1e-9));
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work);
  for (std::thread& thread : pool) thread.join();
  RETURN_IF_ERROR(failure);
  RETURN_IF_ERROR(writer->Close());
  if (!options.png_directory.empty()) {
    std::string index = "file\tseed\ttext\n";
    for (const auto& [seed, line] : png_index) absl::StrAppend(&index, line, "\n");
    RETURN_IF_ERROR(WriteFileAtomically(absl::StrCat(options.png_directory, "/index.tsv"), index));
  }
  ScenesReport report;
  report.episodes = options.episodes;
  report.scenes = static_cast<int64_t>(options.episodes) * options.pairs;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace calico
