#include "agent/text_scores.h"

#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/scenes_data.h"
#include "base/random.h"
#include "base/status_macros.h"
#include "envs/scenes/scene_language.h"

namespace calico {

std::string NormalizeAnswer(absl::string_view text) {
  std::vector<absl::string_view> words = absl::StrSplit(text, absl::ByAnyChar(" \t\n\r\f\v"), absl::SkipEmpty());
  std::string out;
  for (absl::string_view word : words) {
    if (!out.empty()) out.push_back(' ');
    absl::StrAppend(&out, word);
  }
  absl::AsciiStrToLower(&out);
  return out;
}

double TokenF1(absl::string_view answer, absl::string_view expected) {
  const std::string a = NormalizeAnswer(answer), e = NormalizeAnswer(expected);
  std::vector<std::string> a_words = absl::StrSplit(a, ' ', absl::SkipEmpty());
  std::vector<std::string> e_words = absl::StrSplit(e, ' ', absl::SkipEmpty());
  if (a_words.empty() || e_words.empty()) return a_words.empty() && e_words.empty() ? 1.0 : 0.0;
  std::map<std::string, int> counts;
  for (const std::string& w : e_words) ++counts[w];
  int overlap = 0;
  for (const std::string& w : a_words) {
    auto it = counts.find(w);
    if (it != counts.end() && it->second > 0) {
      --it->second;
      ++overlap;
    }
  }
  if (overlap == 0) return 0.0;
  const double precision = static_cast<double>(overlap) / a_words.size();
  const double recall = static_cast<double>(overlap) / e_words.size();
  return 2 * precision * recall / (precision + recall);
}

absl::StatusOr<TextTaskScore> ScoreTextTask(const std::string& task, std::vector<TextExample> examples,
                                            int samples, uint64_t seed) {
  const bool vqa = task == kScenesVqaTask;
  if (!vqa && task != kScenesCaptionTask) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot score task '", task, "' as text; expected ", kScenesVqaTask, " or ", kScenesCaptionTask));
  }
  if (examples.empty()) return absl::InvalidArgumentError(absl::StrCat("task '", task, "' has no examples"));
  if (samples < 1) return absl::InvalidArgumentError(absl::StrCat("bootstrap samples is ", samples, "; expected >= 1"));
  TextTaskScore score;
  score.task = task;
  for (TextExample& example : examples) {
    example.exact = NormalizeAnswer(example.answer) == NormalizeAnswer(example.expected);
    example.f1 = TokenF1(example.answer, example.expected);
  }
  Rng rng(seed);
  auto add = [&](const std::string& name, const std::vector<double>& values) -> absl::Status {
    TextMetric metric;
    metric.name = name;
    metric.count = static_cast<int64_t>(values.size());
    ASSIGN_OR_RETURN(metric.value, BootstrapMean(values, samples, &rng));
    score.metrics.push_back(std::move(metric));
    return absl::OkStatus();
  };
  std::vector<double> exact, f1;
  for (const TextExample& example : examples) {
    exact.push_back(example.exact ? 100.0 : 0.0);
    f1.push_back(100.0 * example.f1);
  }
  if (vqa) {
    RETURN_IF_ERROR(add("accuracy", exact));
    for (int t = 0; t < kNumQuestionTypes; ++t) {
      const std::string kind(QuestionTypeName(static_cast<QuestionType>(t)));
      std::vector<double> of_kind;
      for (size_t i = 0; i < examples.size(); ++i) {
        if (examples[i].kind == kind) of_kind.push_back(exact[i]);
      }
      if (!of_kind.empty()) RETURN_IF_ERROR(add(absl::StrCat("accuracy (", kind, ")"), of_kind));
    }
  } else {
    RETURN_IF_ERROR(add("exact match", exact));
    RETURN_IF_ERROR(add("token F1", f1));
  }
  score.examples = std::move(examples);
  return score;
}

}  // namespace calico
