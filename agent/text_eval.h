// The vision-language tasks of the evaluation suite (issue 7): "scenes/vqa" and
// "scenes/caption" scored on held-out scenes rendered on the fly (no dataset needed), and
// "scenes/vqa_text": scenes/vqa's questions on the same scenes answered from the scene's
// caption given as text, without the image (whether a model reads its answers from a
// description).
//
// Scene i of a task has seed first_seed + i; suites that list these tasks must start at a
// held-out seed (>= kFirstEvalSeed, 1,000,000; ParseSuite checks), so no evaluated scene
// can be in a training set made by `calico scenes`. A VQA scene is asked the question
// QuestionForScene gives it (the first one `calico scenes --eval_set` would store); a
// caption scene is asked for its caption. The answerer is the checkpoint's TextGenerator
// (DescribeAndAnswer: the model captions the image, then answers after its caption) or,
// for `--policy=expert`, the ground truth itself (100% by construction: a check of the
// scoring path, not a measurement).
#ifndef CALICO_AGENT_TEXT_EVAL_H_
#define CALICO_AGENT_TEXT_EVAL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/scene_answers.h"
#include "agent/text_scores.h"
#include "envs/array.h"
#include "policies/text_generator.h"

namespace calico {

// True for the tasks this file evaluates ("scenes/vqa", "scenes/caption", "scenes/vqa_text").
bool IsTextTask(const std::string& task);

// One held-out scene to answer about.
struct TextQuery {
  uint64_t seed = 0;
  std::string kind;              // question type name, or "caption"
  Array image;                   // uint8 [64, 64, 3]; NoImage() for scenes/vqa_text
  std::string question;          // the question; empty for a caption scene
  std::string expected;          // the answer, or the caption of a caption scene
  std::string expected_caption;  // a VQA scene's caption (what the model should describe first)
  std::string description;       // scenes/vqa_text: the scene's caption, given to answer after
  int objects = 0;               // objects in the scene
};

// Answers queries, one SceneAnswer per query in order (a caption scene's text in
// `caption`). Called from one thread at a time.
using TextAnswerer = std::function<absl::StatusOr<std::vector<SceneAnswer>>(const std::vector<TextQuery>&)>;

// The queries of `task` for scenes first_seed .. first_seed + count - 1, rendered at
// 64 x 64 (scenes/vqa_text: not rendered; the same questions as scenes/vqa's). Errors: a
// task IsTextTask rejects, count < 1, rendering failures.
absl::StatusOr<std::vector<TextQuery>> MakeTextQueries(const std::string& task, uint64_t first_seed, int count);

// Answers with the ground truth (TextQuery::expected, and expected_caption, or the
// given description, as the description of a VQA scene).
TextAnswerer GroundTruthAnswerer();

// Answers with `generator` through DescribeAndAnswer (each query's seed is its request
// seed). The generator is owned by the answerer.
TextAnswerer GeneratorAnswerer(std::shared_ptr<TextGenerator> generator);

// Loads the checkpoint at `checkpoint_path` and the text model (`text_model_path`, empty:
// FindTextModel's default) and returns GeneratorAnswerer over a TextGenerator with
// `options`. Errors: an unreadable checkpoint, a missing text model, a model that cannot
// read or write text or hold the image (TextGenerator::Create's errors).
absl::StatusOr<TextAnswerer> MakeCheckpointTextAnswerer(const std::string& checkpoint_path,
                                                        const std::string& text_model_path,
                                                        TextGeneratorOptions options);

// Renders `scenes` held-out scenes from `first_seed`, answers them in chunks (progress
// lines to `progress` if not null) and scores them (ScoreTextTask, `samples` bootstrap
// resamples from `bootstrap_seed`). Errors: as MakeTextQueries, the answerer's, an
// answerer returning the wrong number of texts.
absl::StatusOr<TextTaskScore> EvaluateTextTask(const std::string& task, int scenes, uint64_t first_seed,
                                               const TextAnswerer& answer, int samples, uint64_t bootstrap_seed,
                                               std::ostream* progress);

}  // namespace calico

#endif  // CALICO_AGENT_TEXT_EVAL_H_
