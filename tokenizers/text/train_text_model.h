// Training calico's text model (tokenizers/text/calico_text.model) from CalicoTextCorpus().
#ifndef CALICO_TOKENIZERS_TEXT_TRAIN_TEXT_MODEL_H_
#define CALICO_TOKENIZERS_TEXT_TRAIN_TEXT_MODEL_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace calico {

// Text vocabulary size (V_text) of the committed model tokenizers/text/calico_text.model.
inline constexpr int kCalicoTextVocabSize = 512;

// Path of the committed model relative to the workspace root, which is also the working
// directory of `bazel test` (with `data = ["//tokenizers/text:calico_text_model"]`).
inline constexpr char kCalicoTextModelPath[] = "tokenizers/text/calico_text.model";

// Every printable ASCII character except space (space is SentencePiece's "▁"). The model
// always holds a piece for each, so any ASCII text encodes without <unk>.
std::string PrintableAsciiChars();

// Trains calico's text model with `vocab_size` pieces from CalicoTextCorpus() and returns
// the serialized model. BPE, <unk> = 0, no BOS/EOS/pad, a piece for every printable
// ASCII character; deterministic (same vocab_size, same bytes). InvalidArgument when
// `vocab_size` is not positive or larger than the corpus supports. Thread-safe.
absl::StatusOr<std::string> TrainCalicoTextModelBytes(int vocab_size);

// TrainCalicoTextModelBytes(vocab_size), written to `out_path` atomically. With
// kCalicoTextVocabSize this reproduces the committed model byte for byte. Errors name
// `out_path` when it cannot be written. Thread-safe for distinct `out_path`s.
absl::Status TrainCalicoTextModel(int vocab_size, const std::string& out_path);

}  // namespace calico

#endif  // CALICO_TOKENIZERS_TEXT_TRAIN_TEXT_MODEL_H_
