// Scores of the vision-language tasks (issue 7): VQA exact-match accuracy (overall and
// per question type) and caption exact match and token-level F1, each a percentage over
// held-out scenes with a 95% interval (Wilson's for exact-match rates, a bootstrap for
// F1s). These are not expert-normalised scores: the report keeps them out of the control
// suite's mean / median / IQM.
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

// Token F1 over the caption words that carry content (size, colour, shape): "a", "left"
// and "of" are dropped from both sides first. Plain token F1 gives a caption with every
// attribute wrong 0.25 (one object) to about 0.45 (four) for those filler words alone;
// this one gives it 0.
double AttributeF1(absl::string_view answer, absl::string_view expected);

// The percentage `successes` of `trials` with the Wilson score 95% interval (z = 1.96).
// Unlike a bootstrap it does not collapse to a point at 0% or 100%. trials must be > 0
// and 0 <= successes <= trials.
absl::StatusOr<Estimate> WilsonPercent(int64_t successes, int64_t trials);

// Fills each example's `exact` and `f1` and computes the task's metrics (F1 intervals from
// `samples` bootstrap resamples drawn from `seed`): for "scenes/vqa" and "scenes/vqa_text"
// the accuracy (exact match) over all examples, then per question type present (in the
// order QuestionType lists them), then for colour and shape questions about scenes of two
// or more objects ("accuracy (colour, 2+ objects)": the answer must come from the right
// one of several objects), then for each type whose expected answers are all "yes" or "no" the share
// answered "yes" and the share where "yes" is right ("answered yes (position)", "yes
// expected (position)"), which show a model that says one word to every question, then,
// over the examples with an expected_caption, the share whose description before the
// answer is that caption ("described exactly") and the accuracy on those ("accuracy
// (described exactly)"); for "scenes/caption" exact match, token F1, attribute F1, then
// exact match per object count present ("exact match (2 objects)": one-object captions
// are few and mostly seen in training, longer ones mostly new). Errors: another task, no
// examples, samples < 1.
absl::StatusOr<TextTaskScore> ScoreTextTask(const std::string& task, std::vector<TextExample> examples,
                                            int samples, uint64_t seed);

}  // namespace calico

#endif  // CALICO_AGENT_TEXT_SCORES_H_
