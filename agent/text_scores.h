// Scores of the vision-language tasks (issue 7): VQA exact-match accuracy (overall and
// per question type) and caption exact match and token-level F1, each a percentage over
// held-out scenes with a bootstrap 95% interval. These are not expert-normalised scores:
// the report keeps them out of the control suite's mean / median / IQM.
#ifndef CALICO_AGENT_TEXT_SCORES_H_
#define CALICO_AGENT_TEXT_SCORES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/scores.h"

namespace calico {

// TextExample, TextMetric and TextTaskScore are declared in agent/scores.h (SuiteScores
// holds them).

// `text` with surrounding whitespace dropped, inner runs of whitespace made one space and
// ASCII letters lower-cased (the scene language is lower case; this forgives spacing).
std::string NormalizeAnswer(absl::string_view text);

// Token-level F1 of `answer` against `expected` (SQuAD-style): both normalised and split
// on spaces, overlap counted as a multiset, F1 = 2PR / (P + R); 1 when both are empty,
// 0 when only one is.
double TokenF1(absl::string_view answer, absl::string_view expected);

// Fills each example's `exact` and `f1` and computes the task's metrics with `samples`
// bootstrap resamples drawn from `seed`: for "scenes/vqa" the accuracy (exact match) over
// all examples, then per question type present (in the order QuestionType lists them);
// for "scenes/caption" exact match, then token F1. Errors: another task, no examples,
// samples < 1.
absl::StatusOr<TextTaskScore> ScoreTextTask(const std::string& task, std::vector<TextExample> examples,
                                            int samples, uint64_t seed);

}  // namespace calico

#endif  // CALICO_AGENT_TEXT_SCORES_H_
