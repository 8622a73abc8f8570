#include "policies/arcade_experts.h"

#include "base/status_macros.h"
#include "envs/arcade/arcade_tasks.h"
#include "policies/arcade/game_experts.h"

namespace calico {

absl::StatusOr<std::unique_ptr<Policy>> MakeArcadeExpert(const std::string& task) {
  ASSIGN_OR_RETURN(ArcadeTask parsed, ParseArcadeTask(task));
  std::unique_ptr<BoardExpert> expert;
  if (parsed.game == "asterix") expert = MakeAsterixExpert(parsed.observation);
  if (parsed.game == "breakout") expert = MakeBreakoutExpert(parsed.observation);
  if (parsed.game == "freeway") expert = MakeFreewayExpert(parsed.observation);
  if (parsed.game == "seaquest") expert = MakeSeaquestExpert(parsed.observation);
  if (parsed.game == "space_invaders") expert = MakeSpaceInvadersExpert(parsed.observation);
  // ParseArcadeTask only accepts the games above, so `expert` is set.
  return std::unique_ptr<Policy>(std::move(expert));
}

}  // namespace calico
