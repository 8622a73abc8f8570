#include "agent/scenes_data.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/file_io.h"
#include "base/png.h"
#include "base/status_macros.h"
#include "envs/scenes/scene.h"
#include "envs/scenes/scene_language.h"
#include "replay/record_file.h"
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
  if (png_index_every < 1) {
    return absl::InvalidArgumentError(absl::StrCat("png_index_every is ", png_index_every, "; expected >= 1"));
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

namespace {

// The image of a scene: rendered, or (for the up-front size check) blank.
using SceneImage = std::function<absl::StatusOr<Array>(const Scene&)>;

// MakeScenesEpisode with images from `image` (height x width x 3; null for vqa_text).
absl::StatusOr<Episode> BuildScenesEpisode(const SceneImage& image, int height, int width, const std::string& task,
                                           uint64_t first_seed, int pairs, const WorkingOptions& workings) {
  if (task != kScenesCaptionTask && task != kScenesVqaTask && task != kScenesVqaTextTask) {
    return absl::InvalidArgumentError(absl::StrCat("scenes task '", task, "'; expected ", kScenesCaptionTask, ", ",
                                                   kScenesVqaTask, " or ", kScenesVqaTextTask));
  }
  const bool with_image = task != kScenesVqaTextTask;
  if (with_image && !image) {
    return absl::InvalidArgumentError(absl::StrCat("scenes task '", task, "' renders images but has no renderer"));
  }
  Episode episode;
  episode.task = task;
  if (with_image) episode.observation_spec["image"] = {"image", {height, width, 3}, DType::kUint8, {}, {}};
  episode.observation_spec["text"] = {"text", {}, DType::kString, {}, {}};
  episode.policy = "ground truth";
  episode.seed = first_seed;
  for (int j = 0; j < pairs; ++j) {
    const Scene scene = SampleScene(first_seed + j);
    Timestep step;
    if (with_image) {
      ASSIGN_OR_RETURN(step.observation["image"], image(scene));
    }
    step.observation["text"] =
        Array::Text(task == kScenesCaptionTask ? CaptionStepText(scene) : VqaStepText(scene, workings));
    episode.steps.push_back(std::move(step));
    episode.step_types.push_back(j == 0 ? StepType::kFirst : j + 1 == pairs ? StepType::kLast : StepType::kMid);
    episode.rewards.push_back(0.0);
    episode.discounts.push_back(1.0);
  }
  RETURN_IF_ERROR(ValidateEpisode(episode));
  return episode;
}

// Counts every step of the run as the writer will, with blank images (the count depends
// on the image's size, not its pixels), before anything is rendered or written: a text
// that does not fit beside a large image's patches fails here, not episodes into the run.
absl::Status CheckStepsFit(const ScenesDatasetOptions& options, const TokenCounter& count) {
  const SceneImage blank = [size = options.size](const Scene&) -> absl::StatusOr<Array> {
    return Array::Uint8({size, size, 3}, std::vector<uint8_t>(static_cast<size_t>(size) * size * 3, 0));
  };
  const int64_t patches = options.kind == ScenesKind::kVqaText ? 0 : int64_t{options.size / 16} * (options.size / 16);
  for (int i = 0; i < options.episodes; ++i) {
    const uint64_t seed = options.first_seed + static_cast<uint64_t>(i) * options.pairs;
    const std::string task = TaskOfEpisode(options.kind, i);
    // A text piece covers at least one byte, so an episode whose longest step text in
    // bytes (plus the dummy prefix, EOS and a margin) fits beside the patches fits
    // whatever the tokenizer does, and is not counted (most episodes at 64x64).
    size_t longest = 0;
    for (int j = 0; j < options.pairs; ++j) {
      const Scene scene = SampleScene(seed + j);
      longest = std::max(longest, (task == kScenesCaptionTask ? CaptionStepText(scene)
                                                              : VqaStepText(scene, options.workings)).size());
    }
    if (patches + static_cast<int64_t>(longest) + 16 <= kMaxLocalPositions) continue;
    ASSIGN_OR_RETURN(Episode episode, BuildScenesEpisode(blank, options.size, options.size, task, seed, options.pairs,
                                                                 options.workings));
    absl::StatusOr<int64_t> tokens = count(episode);
    if (!tokens.ok()) {
      return absl::Status(tokens.status().code(),
                          absl::StrCat(task, " episode ", i, " (scene seeds from ", seed, "), checked before writing: ",
                                       tokens.status().message(), "; nothing was written"));
    }
  }
  return absl::OkStatus();
}

// An append's scene seeds against those of the scene tasks already in the dataset: held-out
// and training scenes never share a dataset (training refuses held-out scenes, so the
// mixed dataset could not be used), and scenes the dataset holds again get a warning.
absl::Status CheckAppendSeeds(const ScenesDatasetOptions& options, const DatasetManifest& manifest,
                              std::ostream* progress) {
  const uint64_t first = options.first_seed;
  const uint64_t last = first + static_cast<uint64_t>(options.episodes) * options.pairs - 1;
  for (const char* task : {kScenesCaptionTask, kScenesVqaTask, kScenesVqaTextTask}) {
    const std::optional<std::pair<uint64_t, uint64_t>> held = RecordedSeedRange(manifest, task);
    if (!held.has_value()) continue;
    const auto [low, high] = *held;  // the first scene seeds of its episodes
    // A task's images keep one size: say so before any scene is rendered.
    const bool written = TaskOfEpisode(options.kind, 0) == task ||
                         (options.episodes > 1 && TaskOfEpisode(options.kind, 1) == task);
    for (const TaskSummary& summary : manifest.tasks()) {
      if (!written || summary.task() != task) continue;
      for (const ArraySpecProto& spec : summary.observation_spec()) {
        if (spec.name() != "image" || spec.shape_size() < 2) continue;
        if ((spec.shape(0) != options.size || spec.shape(1) != options.size)) {
          return absl::FailedPreconditionError(absl::StrCat(
              "'", options.directory, "' holds ", task, " scenes of ", spec.shape(0), "x", spec.shape(1),
              " pixels; --size=", options.size, " would add others to the same task: use --size=", spec.shape(0),
              " or another directory"));
        }
      }
    }
    if (options.eval_set && !IsEvalSeed(low)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "'", options.directory, "' holds training scenes (", task, " episodes from seed ", low,
          "); an evaluation set (--eval_set) goes in a directory of its own"));
    }
    if (!options.eval_set && IsEvalSeed(high)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "'", options.directory, "' holds held-out scenes (", task, " episodes up to seed ", high,
          "); a training set goes in a directory of its own"));
    }
    if (progress != nullptr && first <= high + options.pairs - 1 && low <= last) {
      *progress << "warning: scene seeds " << first << ".." << last << " meet those of the " << task
                << " episodes already in " << options.directory << " (starting at seeds " << low << ".." << high
                << "): scenes that repeat count twice in training; --first_seed=" << high + 64
                << " starts past them\n";
    }
  }
  return absl::OkStatus();
}

// The form of a VQA step text's colour answers (WorkingOptions::Colour): nullopt when it
// asks no colour question (or is not a VQA text).
std::optional<WorkingOptions::Colour> ColourAnswerForm(absl::string_view text) {
  absl::StatusOr<std::vector<PromptAndAnswer>> parts = StepTextPrompts(text);
  if (!parts.ok()) return std::nullopt;
  for (const PromptAndAnswer& part : *parts) {
    if (!absl::StartsWith(part.question, "what colour is the ")) continue;
    const std::string working = SplitAnswer(part.answer).working;
    if (working.empty()) return WorkingOptions::Colour::kNone;
    // A caption starts with an article; a shape-colour pair with a shape.
    if (absl::StartsWith(working, "a ") || absl::StartsWith(working, "an ")) {
      return WorkingOptions::Colour::kCaptionPrefix;
    }
    return absl::StrContains(working, ",") ? WorkingOptions::Colour::kShapeColourLookup
                                            : WorkingOptions::Colour::kShapeColourPairs;
  }
  return std::nullopt;
}

// The form of a VQA step text's count and existence answers (WorkingOptions::
// CountExistence): nullopt when it asks neither (or is not a VQA text).
std::optional<WorkingOptions::CountExistence> CountExistenceAnswerForm(absl::string_view text) {
  absl::StatusOr<std::vector<PromptAndAnswer>> parts = StepTextPrompts(text);
  if (!parts.ok()) return std::nullopt;
  for (const PromptAndAnswer& part : *parts) {
    if (!absl::StartsWith(part.question, "how many ") && !absl::StartsWith(part.question, "is there ")) continue;
    return SplitAnswer(part.answer).working.empty() ? WorkingOptions::CountExistence::kNone
                                                    : WorkingOptions::CountExistence::kShapeLookup;
  }
  return std::nullopt;
}

// An append's workings against those of the VQA episodes already in the dataset: one task
// with two forms would teach the model two answers to one prompt, so an append whose
// colour answer form, colour questions (every_colour_question) or count and existence
// answer form differs is refused. Each is decided by the first stored steps of the task
// (at most 64 episodes) that show it; one none of them shows is not checked.
absl::Status CheckAppendWorkings(const ScenesDatasetOptions& options, const DatasetManifest& manifest) {
  for (const char* task : {kScenesVqaTask, kScenesVqaTextTask}) {
    const bool written = TaskOfEpisode(options.kind, 0) == task ||
                         (options.episodes > 1 && TaskOfEpisode(options.kind, 1) == task);
    if (!written) continue;
    for (const ShardInfo& shard : manifest.shards()) {
      if (shard.task() != task) continue;
      const std::string path = absl::StrCat(options.directory, "/", shard.file());
      ASSIGN_OR_RETURN(std::unique_ptr<RecordReader> reader, RecordReader::Open(path));
      std::string record;
      std::optional<WorkingOptions::Colour> stored;
      // The stored episodes' every_colour_question: the first step whose text exactly one
      // of the two settings regenerates from its scene's seed decides (a step both or
      // neither reproduce decides nothing, e.g. one written by an older generator).
      std::optional<bool> stored_every;
      std::optional<WorkingOptions::CountExistence> stored_count;
      for (int read = 0; read < 64 && !(stored.has_value() && stored_every.has_value() && stored_count.has_value());
           ++read) {
        ASSIGN_OR_RETURN(const bool more, reader->Next(&record));
        if (!more) break;
        ASSIGN_OR_RETURN(const Episode episode, ParseEpisode(record, path));
        for (size_t j = 0; j < episode.steps.size(); ++j) {
          const auto text = episode.steps[j].observation.find("text");
          if (text == episode.steps[j].observation.end()) continue;
          if (!stored.has_value()) stored = ColourAnswerForm(text->second.text);
          if (!stored_count.has_value()) stored_count = CountExistenceAnswerForm(text->second.text);
          if (stored_every.has_value() || !stored.has_value()) continue;
          const Scene scene = SampleScene(episode.seed + j);
          WorkingOptions as_stored = options.workings;
          as_stored.colour = *stored;
          if (stored_count.has_value()) as_stored.count_existence = *stored_count;
          as_stored.every_colour_question = true;
          const bool every = VqaStepText(scene, as_stored) == text->second.text;
          as_stored.every_colour_question = false;
          const bool sampled = VqaStepText(scene, as_stored) == text->second.text;
          if (every != sampled) stored_every = every;
        }
      }
      if (stored_every.has_value() && *stored_every != options.workings.every_colour_question) {
        return absl::FailedPreconditionError(absl::StrCat(
            "'", options.directory, "' holds ", task, " episodes written with --colour_questions=",
            ColourQuestionsName(*stored_every), "; this append's --colour_questions=",
            ColourQuestionsName(options.workings.every_colour_question),
            " would mix the two in one task: use --colour_questions=", ColourQuestionsName(*stored_every),
            " or another directory"));
      }
      if (stored_count.has_value() && *stored_count != options.workings.count_existence) {
        return absl::FailedPreconditionError(absl::StrCat(
            "'", options.directory, "' holds ", task, " episodes written with --count_existence_working=",
            CountExistenceWorkingName(*stored_count), "; this append's --count_existence_working=",
            CountExistenceWorkingName(options.workings.count_existence),
            " would add other count and existence answers to the same task, so the model would learn two answers "
            "to one question: use --count_existence_working=",
            CountExistenceWorkingName(*stored_count), " or another directory"));
      }
      if (!stored.has_value()) break;  // only the task's first shard is read
      if (*stored != options.workings.colour) {
        return absl::FailedPreconditionError(absl::StrCat(
            "'", options.directory, "' holds ", task, " episodes whose colour answers have the working form '",
            ColourWorkingName(*stored), "'; this append's --colour_working=", ColourWorkingName(options.workings.colour),
            " would add others to the same task, so the model would learn two answers to one question: use "
            "--colour_working=", ColourWorkingName(*stored), " or another directory"));
      }
      break;
    }
  }
  return absl::OkStatus();
}

// The entries of an index.tsv an earlier run wrote into the PNG directory (seed -> line),
// so appending to it keeps them; an index.tsv of another form is refused.
absl::StatusOr<std::map<uint64_t, std::string>> ReadPngIndex(const std::string& path) {
  std::map<uint64_t, std::string> entries;
  if (!PathExists(path)) return entries;
  ASSIGN_OR_RETURN(std::string contents, ReadFile(path));
  std::vector<std::string> lines = absl::StrSplit(contents, '\n', absl::SkipEmpty());
  if (lines.empty() || lines[0] != kPngIndexHeader) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, " exists and is not an index calico scenes wrote (its first line is not 'file<TAB>seed<TAB>text'); "
              "choose another --png directory"));
  }
  for (size_t k = 1; k < lines.size(); ++k) {
    const std::vector<std::string> fields = absl::StrSplit(lines[k], absl::MaxSplits('\t', 2));
    uint64_t seed = 0;
    if (fields.size() != 3 || !absl::SimpleAtoi(fields[1], &seed)) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, " line ", k + 1, " is not 'file<TAB>seed<TAB>text'; choose another --png directory"));
    }
    entries[seed] = lines[k];
  }
  return entries;
}

// Every PNG path the run will write, checked before any scene is rendered: a PNG there
// (an earlier run's, of the same seed and so the same scene) is replaced; anything else
// (a file of another kind, a directory) is refused, so nothing of the user's is lost and
// no run stops halfway with a partial dataset.
absl::Status CheckPngPaths(const ScenesDatasetOptions& options) {
  static constexpr char kPngSignature[] = "\x89PNG\r\n\x1a\n";
  for (int i = 0; i < options.episodes; ++i) {
    for (int j = 0; j < options.pairs; ++j) {
      const uint64_t seed = options.first_seed + static_cast<uint64_t>(i) * options.pairs + j;
      const std::string path = absl::StrCat(options.png_directory, "/scene-", seed, ".png");
      struct stat info;
      if (::lstat(path.c_str(), &info) != 0) {
        if (errno == ENOENT) continue;
        return absl::PermissionDeniedError(absl::StrCat("--png: cannot inspect '", path, "': ", std::strerror(errno)));
      }
      if (!S_ISREG(info.st_mode)) {
        return absl::FailedPreconditionError(
            absl::StrCat("--png: '", path, "' exists and is not a regular file; refusing to replace it"));
      }
      ASSIGN_OR_RETURN(const std::string start, ReadFilePrefix(path, 8));
      if (start != absl::string_view(kPngSignature, 8)) {
        return absl::FailedPreconditionError(absl::StrCat(
            "--png: '", path, "' exists and is not a PNG; refusing to replace it (choose another --png directory)"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Episode> MakeScenesEpisode(SceneRenderer* renderer, const std::string& task, uint64_t first_seed,
                                          int pairs, const WorkingOptions& workings) {
  SceneImage image;
  if (renderer != nullptr) image = [renderer](const Scene& scene) { return renderer->Render(scene); };
  return BuildScenesEpisode(image, renderer != nullptr ? renderer->options().height : 0,
                            renderer != nullptr ? renderer->options().width : 0, task, first_seed, pairs, workings);
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
  if (options.append && PathExists(absl::StrCat(options.directory, "/", kManifestFile))) {
    ASSIGN_OR_RETURN(const DatasetManifest manifest, ReadManifest(options.directory));
    RETURN_IF_ERROR(CheckAppendSeeds(options, manifest, progress));
    RETURN_IF_ERROR(CheckAppendWorkings(options, manifest));
  }
  if (writer_options.count_tokens) RETURN_IF_ERROR(CheckStepsFit(options, writer_options.count_tokens));
  std::map<uint64_t, std::string> png_index;  // seed -> "file\tseed\ttext", guarded by mu below
  const std::string png_index_path = absl::StrCat(options.png_directory, "/index.tsv");
  if (!options.png_directory.empty()) {
    ASSIGN_OR_RETURN(png_index, ReadPngIndex(png_index_path));
  }
  auto write_png_index = [&]() {  // with mu held once the workers run
    std::string index = absl::StrCat(kPngIndexHeader, "\n");
    for (const auto& [seed, line] : png_index) absl::StrAppend(&index, line, "\n");
    return WriteFileAtomically(png_index_path, index);
  };
  // The PNG directory first: one that cannot be made or written must not leave a new,
  // empty dataset directory behind.
  if (!options.png_directory.empty()) {
    RETURN_IF_ERROR(MakeDirectories(options.png_directory));
    if (absl::Status writable = CheckFileWritable(png_index_path); !writable.ok()) {
      return absl::Status(writable.code(), absl::StrCat("--png: ", writable.message()));
    }
    RETURN_IF_ERROR(CheckPngPaths(options));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<DatasetWriter> writer, DatasetWriter::Open(writer_options));

  const auto start = std::chrono::steady_clock::now();
  std::atomic<int> next{0};
  std::mutex mu;
  absl::Status failure;                       // guarded by mu
  int done = 0;                               // guarded by mu
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
      // A stop request ends the run after the episodes under way.
      if (options.stop != nullptr && options.stop->load()) return;
      const int i = next.fetch_add(1);
      if (i >= options.episodes) return;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (!failure.ok()) return;
      }
      const uint64_t seed = options.first_seed + static_cast<uint64_t>(i) * options.pairs;
      absl::StatusOr<Episode> episode = MakeScenesEpisode(renderer.get(), TaskOfEpisode(options.kind, i), seed, options.pairs,
                                                                options.workings);
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
      if (!options.png_directory.empty() && done % options.png_index_every == 0) {
        if (absl::Status indexed = write_png_index(); !indexed.ok() && failure.ok()) failure = indexed;
      }
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
  // Whatever ended the run, the episodes written so far stay, listed in the manifest
  // (as collect keeps them): a failure or Ctrl-C late in a long run loses nothing done.
  absl::Status closed = writer->Close();
  if (!options.png_directory.empty()) {
    absl::Status indexed = write_png_index();
    if (closed.ok()) closed = indexed;
  }
  if (!failure.ok()) {
    return absl::Status(failure.code(), absl::StrCat(failure.message(), closed.ok()
        ? absl::StrCat(" (the dataset keeps the ", next_to_write, " episodes written before it)")
        : absl::StrCat(" (and closing the dataset failed too: ", closed.message(), ")")));
  }
  RETURN_IF_ERROR(closed);
  ScenesReport report;
  report.episodes = next_to_write;
  report.stopped = next_to_write < options.episodes;
  report.scenes = static_cast<int64_t>(next_to_write) * options.pairs;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace calico
