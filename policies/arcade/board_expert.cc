#include "policies/arcade/board_expert.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace calico {

void BoardExpert::Reset(uint64_t seed) {
  frame_ = 0;
  ResetGame();
}

absl::StatusOr<NamedArrays> BoardExpert::Act(const TimeStep& timestep) {
  const char* key = observation_ == ArcadeObservation::kBoard ? "board" : "pixels";
  auto it = timestep.observation.find(key);
  if (it == timestep.observation.end()) {
    return absl::InvalidArgumentError(absl::StrCat("arcade expert: the observation has no '", key, "' array"));
  }
  absl::StatusOr<Board> board = observation_ == ArcadeObservation::kBoard
                                    ? BoardFromArray(it->second, num_channels_)
                                    : BoardFromPixels(it->second, num_channels_);
  if (!board.ok()) return board.status();
  if (timestep.first()) {  // a new episode even if Reset was not called
    frame_ = 0;
    ResetGame();
  }
  const int action = Choose(*board, timestep.reward, frame_++);
  NamedArrays out;
  out["action"] = Array::Int({}, {action});
  return out;
}

}  // namespace calico
