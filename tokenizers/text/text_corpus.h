// The text calico's tokenizer is trained on: task names, control instructions, image
// captions and question/answer pairs, generated combinatorially (no randomness).
#ifndef CALICO_TOKENIZERS_TEXT_TEXT_CORPUS_H_
#define CALICO_TOKENIZERS_TEXT_TEXT_CORPUS_H_

#include <string>
#include <vector>

namespace calico {

// The training sentences for calico's text model, one per element, in a fixed order; the
// same on every call and every machine. ASCII, single spaces, no leading or trailing space,
// none empty. Covers every task name (mujoco/..., its _pixels variant, arcade/...) with its
// instructions; captions of one to four objects (sizes small/large, 11 colours, 5 shapes,
// relations left of / right of / in front of / behind); for each caption's scene,
// questions about colour, shape, size, count, position and existence, each question line
// followed by its answer line ("red", "sphere", "three", "yes", ...); and four lines that
// list every printable ASCII character. A few thousand lines. Thread-safe.
std::vector<std::string> CalicoTextCorpus();

}  // namespace calico

#endif  // CALICO_TOKENIZERS_TEXT_TEXT_CORPUS_H_
