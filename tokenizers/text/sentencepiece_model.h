// A thin wrapper over libsentencepiece behind an interface of std types only.
//
// SentencePiece's public header declares its own `absl::string_view` (an alias of
// std::string_view) that clashes with Abseil's, so no translation unit may include both.
// This header therefore names no Abseil and no SentencePiece type; sentencepiece_model.cc
// is the only file that includes SentencePiece and it includes no Abseil. Errors come back
// as `false` plus a message in `*error`; text_tokenizer.cc turns them into absl::Status.
#ifndef CALICO_TOKENIZERS_TEXT_SENTENCEPIECE_MODEL_H_
#define CALICO_TOKENIZERS_TEXT_SENTENCEPIECE_MODEL_H_

#include <memory>
#include <string>
#include <vector>

namespace sentencepiece {
class SentencePieceProcessor;
}  // namespace sentencepiece

namespace calico {

// A loaded SentencePiece model. Thread-safe after a successful LoadFromSerialized: the
// remaining methods are const and SentencePieceProcessor's const methods are safe to
// call concurrently. Not copyable.
class SentencePieceModel {
 public:
  SentencePieceModel();
  ~SentencePieceModel();
  SentencePieceModel(const SentencePieceModel&) = delete;
  SentencePieceModel& operator=(const SentencePieceModel&) = delete;

  // Parses `model_bytes` (a serialized sentencepiece.ModelProto, i.e. the contents of a
  // `.model` file). Returns false and sets `*error` when the bytes are empty, are not a
  // complete model proto (a truncated file is caught even where protobuf alone would
  // parse it), hold a normalization trie that would make SentencePiece read out of
  // bounds, or SentencePiece rejects the model. Never crashes on any input. Call at most
  // once.
  bool LoadFromSerialized(const std::string& model_bytes, std::string* error);

  // True after a successful LoadFromSerialized.
  bool loaded() const { return loaded_; }

  // Number of pieces (ids are [0, vocab_size())); 0 before a successful load.
  int vocab_size() const;

  // Encodes `text` into piece ids. Returns false and sets `*error` on failure.
  bool Encode(const std::string& text, std::vector<int>* ids, std::string* error) const;

  // Decodes `ids` back into text. Every id must be in [0, vocab_size()); returns false and
  // sets `*error` otherwise.
  bool Decode(const std::vector<int>& ids, std::string* text, std::string* error) const;

  // The piece for `id` (e.g. "▁the"); "" when `id` is outside [0, vocab_size()).
  std::string IdToPiece(int id) const;

  // True for an id that stands for no text: the unknown piece, control pieces (<s>, </s>,
  // ...) and unused ones; also for ids outside [0, vocab_size()).
  bool IsSpecial(int id) const;

 private:
  std::unique_ptr<sentencepiece::SentencePieceProcessor> processor_;
  bool loaded_ = false;
};

// What TrainSentencePieceModel builds.
struct SentencePieceTrainOptions {
  // Exact number of pieces in the model (SentencePiece's hard_vocab_limit is kept on, so
  // training fails rather than silently producing fewer).
  int vocab_size = 512;
  // "bpe" or "unigram".
  std::string model_type = "bpe";
  // UTF-8 characters that must each get a piece, so text made of them never maps to
  // <unk>. With "bpe" every one must occur in the sentences (SentencePiece's BPE trainer
  // would abort the process otherwise; TrainSentencePieceModel returns an error instead).
  std::string required_chars;
  // Seed for SentencePiece's (process-global) random generator.
  unsigned int seed = 1;
  // Whether SentencePiece logs its training progress to stderr.
  bool verbose = false;
};

// Trains a model on `sentences` in memory and stores the serialized ModelProto in
// `*model_bytes`. The layout is calico's: <unk> is id 0 and there are no BOS, EOS or pad
// pieces (calico's vocabulary adds its own after the text range). Deterministic: one
// thread and a fixed seed, so the same sentences and options give the same bytes.
// Returns false and sets `*error` on failure (no sentences, an empty or over-long
// sentence, a required character missing from the sentences under "bpe", or a
// SentencePiece error such as a vocabulary larger than the corpus supports).
// Thread-safe: concurrent calls are serialised, since SentencePiece's trainer uses
// process-global state (random seed, log level).
bool TrainSentencePieceModel(const std::vector<std::string>& sentences,
                             const SentencePieceTrainOptions& options, std::string* model_bytes,
                             std::string* error);

}  // namespace calico

#endif  // CALICO_TOKENIZERS_TEXT_SENTENCEPIECE_MODEL_H_
