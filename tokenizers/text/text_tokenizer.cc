#include "tokenizers/text/text_tokenizer.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_io.h"
#include "base/fnv1a.h"
#include "tokenizers/text/sentencepiece_model.h"

namespace calico {

absl::StatusOr<std::unique_ptr<TextTokenizer>> TextTokenizer::Load(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadFile(path);
  if (!bytes.ok()) {
    // ReadFile's message already names the path.
    return absl::Status(bytes.status().code(), absl::StrCat("cannot load text tokenizer model: ",
                                                            bytes.status().message()));
  }
  absl::StatusOr<std::unique_ptr<TextTokenizer>> tokenizer = FromSerialized(*bytes);
  if (!tokenizer.ok()) {
    return absl::Status(tokenizer.status().code(),
                        absl::StrCat("cannot load text tokenizer model '", path,
                                     "': ", tokenizer.status().message()));
  }
  return tokenizer;
}

absl::StatusOr<std::unique_ptr<TextTokenizer>> TextTokenizer::FromSerialized(
    const std::string& model_bytes) {
  auto model = std::make_unique<SentencePieceModel>();
  std::string error;
  if (!model->LoadFromSerialized(model_bytes, &error)) {
    return absl::InvalidArgumentError(error);
  }
  std::string fingerprint = absl::StrFormat("%016x", Fnv1a64(model_bytes));
  return std::unique_ptr<TextTokenizer>(new TextTokenizer(std::move(model), std::move(fingerprint)));
}

TextTokenizer::TextTokenizer(std::unique_ptr<SentencePieceModel> model, std::string fingerprint)
    : model_(std::move(model)), fingerprint_(std::move(fingerprint)) {}

TextTokenizer::~TextTokenizer() = default;

int TextTokenizer::vocab_size() const { return model_->vocab_size(); }

absl::StatusOr<std::vector<int32_t>> TextTokenizer::Encode(absl::string_view text) const {
  if (text.empty()) return std::vector<int32_t>();
  std::vector<int> ids;
  std::string error;
  if (!model_->Encode(std::string(text), &ids, &error)) return absl::InternalError(error);
  return std::vector<int32_t>(ids.begin(), ids.end());
}

absl::StatusOr<std::string> TextTokenizer::Decode(absl::Span<const int32_t> ids) const {
  const int size = vocab_size();
  // Checked here (not only in the wrapper) so the message is calico's and names the text range.
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= size) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot decode text: id ", ids[i], " at index ", i,
                       " is outside the text range [0, ", size, ")"));
    }
  }
  std::string text;
  std::string error;
  if (!model_->Decode(std::vector<int>(ids.begin(), ids.end()), &text, &error)) {
    return absl::InternalError(error);
  }
  return text;
}

std::string TextTokenizer::Piece(int32_t id) const { return model_->IdToPiece(id); }

bool TextTokenizer::IsSpecial(int32_t id) const { return model_->IsSpecial(id); }

}  // namespace calico
