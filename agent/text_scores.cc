#include "agent/text_scores.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/scenes_data.h"
#include "base/random.h"
#include "base/status_macros.h"
#include "envs/scenes/scene.h"
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

double AttributeF1(absl::string_view answer, absl::string_view expected) {
  auto content = [](absl::string_view text) {
    static const std::set<std::string>* filler = new std::set<std::string>{"a", "left", "of"};
    std::string out;
    for (absl::string_view word : absl::StrSplit(NormalizeAnswer(text), ' ', absl::SkipEmpty())) {
      if (filler->count(std::string(word)) == 0) absl::StrAppend(&out, out.empty() ? "" : " ", word);
    }
    return out;
  };
  return TokenF1(content(answer), content(expected));
}

absl::StatusOr<Estimate> WilsonPercent(int64_t successes, int64_t trials) {
  if (trials <= 0 || successes < 0 || successes > trials) {
    return absl::InvalidArgumentError(
        absl::StrCat("Wilson interval of ", successes, " successes in ", trials, " trials; expected 0 <= successes <= trials, trials > 0"));
  }
  constexpr double kZ = 1.959963984540054;  // the normal's 97.5% quantile
  const double n = static_cast<double>(trials);
  const double p = successes / n;
  const double z2 = kZ * kZ;
  const double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = kZ * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
  Estimate estimate;
  estimate.value = 100.0 * p;
  estimate.low = 100.0 * std::max(0.0, centre - half);
  estimate.high = 100.0 * std::min(1.0, centre + half);
  return estimate;
}

absl::StatusOr<TextTaskScore> ScoreTextTask(const std::string& task, std::vector<TextExample> examples,
                                            int samples, uint64_t seed) {
  const bool vqa = task == kScenesVqaTask || task == kScenesVqaTextTask;
  if (!vqa && task != kScenesCaptionTask) {
    return absl::InvalidArgumentError(absl::StrCat("cannot score task '", task, "' as text; expected ", kScenesVqaTask,
                                                   ", ", kScenesVqaTextTask, " or ", kScenesCaptionTask));
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
  // An F1: the mean of per-example values with a bootstrap interval.
  auto add_mean = [&](const std::string& name, const std::vector<double>& values) -> absl::Status {
    TextMetric metric;
    metric.name = name;
    metric.count = static_cast<int64_t>(values.size());
    ASSIGN_OR_RETURN(metric.value, BootstrapMean(values, samples, &rng));
    score.metrics.push_back(std::move(metric));
    return absl::OkStatus();
  };
  // The share of the examples `keep` accepts that `hit` accepts (none kept: no metric).
  auto add_share = [&](const std::string& name, auto keep, auto hit) -> absl::Status {
    int64_t right = 0, count = 0;
    for (const TextExample& example : examples) {
      if (!keep(example)) continue;
      ++count;
      right += hit(example) ? 1 : 0;
    }
    if (count == 0) return absl::OkStatus();
    TextMetric metric;
    metric.name = name;
    metric.count = count;
    ASSIGN_OR_RETURN(metric.value, WilsonPercent(right, count));
    score.metrics.push_back(std::move(metric));
    return absl::OkStatus();
  };
  // An exact-match rate over the examples `keep` accepts.
  auto add_rate = [&](const std::string& name, auto keep) -> absl::Status {
    return add_share(name, keep, [](const TextExample& example) { return example.exact; });
  };
  auto all = [](const TextExample&) { return true; };
  if (vqa) {
    RETURN_IF_ERROR(add_rate("accuracy", all));
    for (int t = 0; t < kNumQuestionTypes; ++t) {
      const std::string kind(QuestionTypeName(static_cast<QuestionType>(t)));
      RETURN_IF_ERROR(add_rate(absl::StrCat("accuracy (", kind, ")"),
                               [&](const TextExample& example) { return example.kind == kind; }));
    }
    // With one object any colour or shape seen is the answer; with more, the one asked about
    // has to be found first.
    for (QuestionType type : {QuestionType::kColour, QuestionType::kShape}) {
      const std::string kind(QuestionTypeName(type));
      RETURN_IF_ERROR(add_rate(absl::StrCat("accuracy (", kind, ", 2+ objects)"), [&](const TextExample& example) {
        return example.kind == kind && example.objects >= 2;
      }));
    }
    // Yes/no types: how often the model says "yes" against how often "yes" is right. A
    // model that has not learned a type says the same word to all of it, and its accuracy
    // alone (about 50%) does not show that.
    for (int t = 0; t < kNumQuestionTypes; ++t) {
      const std::string kind(QuestionTypeName(static_cast<QuestionType>(t)));
      auto of_kind = [&](const TextExample& example) { return example.kind == kind; };
      auto is_yes = [](const std::string& text) { return NormalizeAnswer(text) == "yes"; };
      const bool yes_no = std::all_of(examples.begin(), examples.end(), [&](const TextExample& example) {
        return !of_kind(example) || is_yes(example.expected) || NormalizeAnswer(example.expected) == "no";
      });
      if (!yes_no) continue;
      RETURN_IF_ERROR(add_share(absl::StrCat("answered yes (", kind, ")"), of_kind,
                                [&](const TextExample& example) { return is_yes(example.answer); }));
      RETURN_IF_ERROR(add_share(absl::StrCat("yes expected (", kind, ")"), of_kind,
                                [&](const TextExample& example) { return is_yes(example.expected); }));
    }
    // The description written before the answer: how often it is the scene's caption, and
    // the accuracy when it is (what answering from a right description gives).
    auto described = [](const TextExample& example) {
      return !example.expected_caption.empty() &&
             NormalizeAnswer(example.caption) == NormalizeAnswer(example.expected_caption);
    };
    RETURN_IF_ERROR(add_share(
        "described exactly", [](const TextExample& example) { return !example.expected_caption.empty(); },
        described));
    RETURN_IF_ERROR(add_rate("accuracy (described exactly)", described));
  } else {
    std::vector<double> f1, attribute_f1;
    for (const TextExample& example : examples) {
      f1.push_back(100.0 * example.f1);
      attribute_f1.push_back(100.0 * AttributeF1(example.answer, example.expected));
    }
    RETURN_IF_ERROR(add_rate("exact match", all));
    RETURN_IF_ERROR(add_mean("token F1", f1));
    RETURN_IF_ERROR(add_mean("attribute F1", attribute_f1));
    for (int objects = 1; objects <= kMaxObjects; ++objects) {
      RETURN_IF_ERROR(add_rate(absl::StrCat("exact match (", objects, objects == 1 ? " object)" : " objects)"),
                               [&](const TextExample& example) { return example.objects == objects; }));
    }
  }
  score.examples = std::move(examples);
  return score;
}

}  // namespace calico
