// The text calico's tokenizer is trained on: task names, control instructions, and the
// scene captions and question/answer pairs of the vision-language tasks (deterministic).
#ifndef CALICO_TOKENIZERS_TEXT_TEXT_CORPUS_H_
#define CALICO_TOKENIZERS_TEXT_TEXT_CORPUS_H_

#include <string>
#include <vector>

namespace calico {

// The training sentences for calico's text model, one per element, in a fixed order; the
// same on every call and every machine. ASCII, single spaces, no leading or trailing space,
// none empty. Covers every task name (mujoco/..., its _pixels variant, arcade/...) with its
// instructions; the scene language of the vision-language tasks
// (envs/scenes/scene_language.h: every word, every question template, and the caption
// and question/answer step texts of scene seeds 0..399, e.g. "caption: a small red box
// left of a large blue sphere", "q: how many spheres are there? a: two"); and four lines
// that list every printable ASCII character. A few thousand lines. Thread-safe.
std::vector<std::string> CalicoTextCorpus();

}  // namespace calico

#endif  // CALICO_TOKENIZERS_TEXT_TEXT_CORPUS_H_
