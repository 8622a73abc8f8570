#include "policies/text_model_match.h"

#include "absl/strings/str_cat.h"

namespace calico {

absl::Status CheckTextModelMatches(const ModelConfig& config, const TextTokenizer& text) {
  const std::string& trained_with = config.text_model_fingerprint();
  if (trained_with.empty() || trained_with == text.fingerprint()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "the checkpoint was trained with the text model whose fingerprint is ", trained_with,
      ", but the text model given has fingerprint ", text.fingerprint(),
      ": its ids stand for other pieces. Give the text model the checkpoint was trained with "
      "(--text_model or CALICO_TEXT_MODEL), or retrain"));
}

}  // namespace calico
