// TextTokenizer: calico's text modality, SentencePiece subwords as ids [0, vocab_size())
// of the shared id space (DESIGN.md "The token stream").
#ifndef CALICO_TOKENIZERS_TEXT_TEXT_TOKENIZER_H_
#define CALICO_TOKENIZERS_TEXT_TEXT_TOKENIZER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace calico {

class SentencePieceModel;

// Turns text into SentencePiece ids and back. Thread-safe after construction (all methods
// are const).
//
// With calico's model (tokenizers/text/calico_text.model) id 0 is <unk> and there are no
// BOS/EOS/pad pieces: the vocabulary adds those after the text range. Encoding normalises
// text the SentencePiece way (NFKC, runs of whitespace collapsed, leading and trailing
// whitespace dropped), so Decode(Encode(text)) == text for text already in that form whose
// characters the model knows (calico's model knows all printable ASCII).
class TextTokenizer {
 public:
  // Loads a SentencePiece `.model` file. Errors name `path`: NotFound for a missing file,
  // InvalidArgument for an empty, truncated or corrupt file or one that is not a
  // SentencePiece model.
  static absl::StatusOr<std::unique_ptr<TextTokenizer>> Load(const std::string& path);

  // Same as Load, from the file's contents (a serialized sentencepiece.ModelProto).
  // InvalidArgument when the bytes are not a complete, valid model.
  static absl::StatusOr<std::unique_ptr<TextTokenizer>> FromSerialized(
      const std::string& model_bytes);

  ~TextTokenizer();
  TextTokenizer(const TextTokenizer&) = delete;
  TextTokenizer& operator=(const TextTokenizer&) = delete;

  // Number of text ids; every id Encode returns is in [0, vocab_size()).
  int vocab_size() const;

  // The ids of `text`; "" gives no ids. Characters the model does not know become id 0
  // (<unk>). Errors only if SentencePiece itself fails.
  absl::StatusOr<std::vector<int32_t>> Encode(absl::string_view text) const;

  // The text of `ids`. InvalidArgument naming the index, the id and the valid range when
  // an id is outside [0, vocab_size()).
  absl::StatusOr<std::string> Decode(absl::Span<const int32_t> ids) const;

  // The SentencePiece piece of `id` (e.g. "▁the", with "▁" for a leading space); "" when
  // `id` is outside [0, vocab_size()).
  std::string Piece(int32_t id) const;

  // FNV-1a 64 of the model file's bytes, as 16 lowercase hex digits. Checkpoints record
  // the fingerprint of the text model they were trained with (ModelConfig's
  // text_model_fingerprint): another model's ids stand for other pieces.
  const std::string& fingerprint() const { return fingerprint_; }

  // True for an id no generated text should hold: <unk> (decodes as " ⁇ "), control and
  // unused pieces, and ids outside [0, vocab_size()).
  bool IsSpecial(int32_t id) const;

 private:
  TextTokenizer(std::unique_ptr<SentencePieceModel> model, std::string fingerprint);

  std::unique_ptr<SentencePieceModel> model_;
  std::string fingerprint_;
};

}  // namespace calico

#endif  // CALICO_TOKENIZERS_TEXT_TEXT_TOKENIZER_H_
