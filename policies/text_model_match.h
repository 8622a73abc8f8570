// Whether a text model is the one a checkpoint was trained with.
//
// Text ids are positions in the text model's piece list, so a model trained with one text
// model and read or written with another sees and says other words, with no error of its
// own. Checkpoints record the fingerprint of their text model (ModelConfig's
// text_model_fingerprint, set by `calico train`); this check turns a mismatch into a clear
// error before any text is read or written. Checkpoints also record the tasks they were
// trained on (trained_tasks): the checks below say when a model meets others.
#ifndef CALICO_POLICIES_TEXT_MODEL_MATCH_H_
#define CALICO_POLICIES_TEXT_MODEL_MATCH_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "model/model_config.pb.h"
#include "tokenizers/text/text_tokenizer.h"

namespace calico {

// OK when `config` records no text model (checkpoints from before the field) or records
// `text`'s fingerprint; FailedPrecondition naming both fingerprints otherwise.
absl::Status CheckTextModelMatches(const ModelConfig& config, const TextTokenizer& text);

// OK when `config` records no trained tasks (checkpoints from before the field, models
// built by hand) or a vision-language task with images ("scenes/..." other than the
// text-only "scenes/vqa_text"); FailedPrecondition naming the
// tasks otherwise: such a model never learned to write about images. `calico caption` and
// `ask` refuse it; `calico eval` warns and scores it.
absl::Status CheckTrainedOnVisionLanguage(const ModelConfig& config);

// The tasks of `tasks` that `config` records no training on, in order; empty when it
// records none at all (checkpoints from before the record, models built by hand). Such a
// model still acts (the token stream fits any task); callers warn.
std::vector<std::string> UntrainedTasks(const ModelConfig& config, const std::vector<std::string>& tasks);

// "a, b, c" for at most `shown` of `tasks`, then "and N more".
std::string ShortTaskList(const std::vector<std::string>& tasks, size_t shown = 6);

}  // namespace calico

#endif  // CALICO_POLICIES_TEXT_MODEL_MATCH_H_
