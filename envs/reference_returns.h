// Reference returns: the mean episode return of each task's random policy (score 0) and
// expert policy (score 100), measured by `calico references` and committed with the tasks.
#ifndef CALICO_ENVS_REFERENCE_RETURNS_H_
#define CALICO_ENVS_REFERENCE_RETURNS_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace calico {

struct ReferenceReturns {
  double random_mean = 0.0;
  double expert_mean = 0.0;
  int episodes = 0;  // seeded episodes behind each mean
};

using ReferenceTable = std::map<std::string, ReferenceReturns>;

// Parses lines `task random_mean expert_mean episodes` ('#' starts a comment). Errors
// name `source` and the line: a wrong field count, a bad number, a duplicate task,
// episodes < 1, or an expert mean not above the random mean (no score could be formed).
absl::StatusOr<ReferenceTable> ParseReferenceReturns(absl::string_view text, absl::string_view source);

// Renders `table` in the format ParseReferenceReturns reads, with a header comment.
std::string FormatReferenceReturns(const ReferenceTable& table, absl::string_view header);

// 100 * (R - random) / (expert - random): 0 for the random policy, 100 for the expert.
double NormalisedScore(double episode_return, const ReferenceReturns& reference);

}  // namespace calico

#endif  // CALICO_ENVS_REFERENCE_RETURNS_H_
