// `calico scenes`: vision-language datasets of rendered scenes (envs/scenes/).
//
// An episode is `pairs` (default 5, as in Gato) image-text steps, each step its own
// scene; no actions, rewards 0, discounts 1. Observations: "image" uint8 [size, size, 3]
// (not in scenes/vqa_text) and "text" (scene_language.h formats). Tasks:
//   scenes/caption  every step's text is CaptionStepText ("caption: a small red ...")
//   scenes/vqa      every step's text is VqaStepText(scene, workings): the caption, then kQuestionsPerVqaStep
//                   questions and answers ("caption: a small red ... q: ... a: ... q: ...")
//   scenes/vqa_text the same texts as scenes/vqa without the images (text only)
// Scene seeds: episode i (0-based) of a run uses seeds first_seed + i * pairs + j for its
// steps j = 0..pairs-1, and records first_seed + i * pairs as its seed. Training sets must
// stay below kFirstEvalSeed (1,000,000); evaluation sets (eval_set) must start at or
// above it, so held-out scenes never leak into training by accident.
#ifndef CALICO_AGENT_SCENES_DATA_H_
#define CALICO_AGENT_SCENES_DATA_H_

#include <atomic>
#include <cstdint>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "envs/scenes/scene_language.h"
#include "envs/scenes/scene_renderer.h"
#include "replay/dataset.h"
#include "replay/episode.h"

namespace calico {

inline constexpr char kScenesCaptionTask[] = "scenes/caption";
inline constexpr char kScenesVqaTask[] = "scenes/vqa";
// A VQA step's text without its image: answering from the caption alone.
inline constexpr char kScenesVqaTextTask[] = "scenes/vqa_text";

enum class ScenesKind { kCaption, kVqa, kMixed, kVqaText };

// "caption", "vqa", "mixed", "vqa_text" to the kind; InvalidArgument naming them otherwise.
absl::StatusOr<ScenesKind> ParseScenesKind(const std::string& name);

struct ScenesDatasetOptions {
  std::string directory;
  int episodes = 100;
  uint64_t first_seed = 0;
  int size = 64;   // image side, a multiple of 16
  int pairs = 5;   // image-text steps per episode
  // kMixed alternates: even episodes are scenes/caption, odd ones scenes/vqa.
  ScenesKind kind = ScenesKind::kMixed;
  bool eval_set = false;     // seeds must be >= kFirstEvalSeed (else < kFirstEvalSeed)
  bool append = false;       // add to an existing dataset
  std::string png_directory; // if set: scene-SEED.png per scene and index.tsv (file, seed, text)
  // index.tsv is rewritten each time this many more episodes have finished, and at the
  // end, so a run killed outright (SIGKILL, a crash) leaves out of it only the PNGs of
  // the episodes finished since the last rewrite (fewer than this many) and of those
  // under way (one per thread).
  int png_index_every = 100;
  int threads = 2;
  // The answers scenes/vqa and scenes/vqa_text steps write after a working
  // (scene_language.h); the default is the format of the datasets written before. An
  // append whose colour answers take the other form than the task's stored episodes is
  // refused before anything is written, as is one whose every_colour_question
  // (--colour_questions) or count_existence (--count_existence_working) differs from
  // theirs.
  WorkingOptions workings;
  // Optional, for the manifest; with it every step is counted before anything is
  // rendered, so a text that does not fit beside a large image is refused up front.
  TokenCounter count_tokens;
  // When it becomes true (e.g. from InstallStopSignalHandlers), no further episode starts;
  // those finished are written with the manifest.
  const std::atomic<bool>* stop = nullptr;

  // Checks counts, size, the seed range against eval_set, and the directory; png_directory
  // is refused for vqa_text (no images to write).
  absl::Status Validate() const;
};

// The episode of `task` (kScenesCaptionTask, kScenesVqaTask or kScenesVqaTextTask) whose
// steps are scenes first_seed .. first_seed + pairs - 1, their images rendered by
// `renderer` (may be null for kScenesVqaTextTask, which has none).
absl::StatusOr<Episode> MakeScenesEpisode(SceneRenderer* renderer, const std::string& task, uint64_t first_seed,
                                          int pairs, const WorkingOptions& workings = {});

// The first line of the PNG directory's index.tsv; each further line is
// "scene-SEED.png<TAB>SEED<TAB>step text".
inline constexpr char kPngIndexHeader[] = "file\tseed\ttext";

struct ScenesReport {
  int64_t episodes = 0;  // written
  bool stopped = false;  // ended by the stop flag before all episodes were written
  int64_t scenes = 0;
  double seconds = 0.0;
};

// Renders and writes the dataset (progress lines to `progress` if not null). A png
// directory's existing index.tsv keeps its entries (appends add to it). On a failure the
// episodes written before it stay in the dataset with its manifest, and the error says
// how many.
absl::StatusOr<ScenesReport> WriteScenesDataset(const ScenesDatasetOptions& options, std::ostream* progress);

}  // namespace calico

#endif  // CALICO_AGENT_SCENES_DATA_H_
