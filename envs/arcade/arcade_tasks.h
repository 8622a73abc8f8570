// The arcade task table: the five games, each as "arcade/<game>" (board observation) and
// "arcade/<game>_pixels" (pixels observation), and their registration.
#ifndef CALICO_ENVS_ARCADE_ARCADE_TASKS_H_
#define CALICO_ENVS_ARCADE_ARCADE_TASKS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "envs/arcade/arcade_environment.h"
#include "envs/arcade/grid_game.h"
#include "envs/task_registry.h"

namespace calico {

// Agent steps in a freeway episode (its timer) and the cap on every other game.
inline constexpr int64_t kFreewayEpisodeSteps = 2500;
inline constexpr int64_t kArcadeEpisodeCap = 10000;

// What a task name means.
struct ArcadeTask {
  std::string game;                 // "breakout"
  ArcadeObservation observation = ArcadeObservation::kBoard;
};

// The game names: asterix, breakout, freeway, seaquest, space_invaders.
const std::vector<std::string>& ArcadeGameNames();

// The 10 task names, sorted.
std::vector<std::string> ArcadeTaskNames();

// Parses "arcade/<game>" or "arcade/<game>_pixels"; NotFound names the known games.
absl::StatusOr<ArcadeTask> ParseArcadeTask(const std::string& task);

// A new game by name; NotFound names the known games.
absl::StatusOr<std::unique_ptr<GridGame>> MakeGridGame(const std::string& game);

// Channel names of `game` in bit order (bit k of a board cell is channel k).
absl::StatusOr<std::vector<std::string>> ArcadeChannelNames(const std::string& game);

// The time limit of `game`'s episodes: kFreewayEpisodeSteps or kArcadeEpisodeCap.
int64_t ArcadeEpisodeSteps(const std::string& game);

// A fresh environment for a task name, with MinAtar's sticky actions (0.1) and the
// game's time limit.
absl::StatusOr<std::unique_ptr<ArcadeEnvironment>> MakeArcadeEnvironment(const std::string& task);

// Registers the 10 arcade tasks with one-line descriptions and episode_steps = the cap.
absl::Status RegisterArcadeTasks(TaskRegistry* registry);

}  // namespace calico

#endif  // CALICO_ENVS_ARCADE_ARCADE_TASKS_H_
