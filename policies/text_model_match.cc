#include "policies/text_model_match.h"

#include <algorithm>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

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

absl::Status CheckTrainedOnVisionLanguage(const ModelConfig& config) {
  // scenes/vqa_text holds the questions without their images: it teaches no image.
  if (config.trained_tasks().empty() ||
      std::any_of(config.trained_tasks().begin(), config.trained_tasks().end(), [](const std::string& task) {
        return absl::StartsWith(task, "scenes/") && task != "scenes/vqa_text";
      })) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "this checkpoint was trained on ", absl::StrJoin(config.trained_tasks(), ", "),
      " and on no vision-language task with images (scenes/caption, scenes/vqa), so it never learned to describe "
      "images or answer questions about them; train with `calico scenes` data (see agent/configs/scenes.textproto)"));
}

std::vector<std::string> UntrainedTasks(const ModelConfig& config, const std::vector<std::string>& tasks) {
  std::vector<std::string> untrained;
  if (config.trained_tasks().empty()) return untrained;
  for (const std::string& task : tasks) {
    if (std::find(config.trained_tasks().begin(), config.trained_tasks().end(), task) == config.trained_tasks().end()) {
      untrained.push_back(task);
    }
  }
  return untrained;
}

std::string ShortTaskList(const std::vector<std::string>& tasks, size_t shown) {
  if (tasks.size() <= shown) return absl::StrJoin(tasks, ", ");
  return absl::StrCat(absl::StrJoin(tasks.begin(), tasks.begin() + shown, ", "), " and ", tasks.size() - shown,
                      " more");
}

}  // namespace calico
