// The rule-based player of each arcade game (see each .cc for its strategy).
#ifndef CALICO_POLICIES_ARCADE_GAME_EXPERTS_H_
#define CALICO_POLICIES_ARCADE_GAME_EXPERTS_H_

#include <memory>

#include "envs/arcade/arcade_environment.h"
#include "policies/arcade/board_expert.h"

namespace calico {

// Each reads its game's board (decoded from pixels for `ArcadeObservation::kPixels`).
std::unique_ptr<BoardExpert> MakeAsterixExpert(ArcadeObservation observation);
std::unique_ptr<BoardExpert> MakeBreakoutExpert(ArcadeObservation observation);
std::unique_ptr<BoardExpert> MakeFreewayExpert(ArcadeObservation observation);
std::unique_ptr<BoardExpert> MakeSeaquestExpert(ArcadeObservation observation);
std::unique_ptr<BoardExpert> MakeSpaceInvadersExpert(ArcadeObservation observation);

}  // namespace calico

#endif  // CALICO_POLICIES_ARCADE_GAME_EXPERTS_H_
