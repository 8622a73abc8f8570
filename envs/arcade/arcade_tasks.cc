#include "envs/arcade/arcade_tasks.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "envs/arcade/asterix.h"
#include "envs/arcade/breakout.h"
#include "envs/arcade/freeway.h"
#include "envs/arcade/seaquest.h"
#include "envs/arcade/space_invaders.h"

namespace calico {
namespace {

constexpr char kFamily[] = "arcade/";
constexpr char kPixelsSuffix[] = "_pixels";

absl::Status UnknownGame(const std::string& what) {
  return absl::NotFoundError(
      absl::StrCat("unknown arcade game '", what, "'; known games: ", absl::StrJoin(ArcadeGameNames(), ", ")));
}

const char* Description(const std::string& game) {
  if (game == "asterix") return "collect gold and dodge enemies crossing the screen";
  if (game == "breakout") return "bounce the ball off the paddle to break the brick wall";
  if (game == "freeway") return "get the chicken across eight lanes of traffic as often as possible";
  if (game == "seaquest") return "shoot sea enemies, rescue divers and surface before the oxygen runs out";
  return "shoot the marching aliens before they shoot you or land";  // space_invaders
}

}  // namespace

const std::vector<std::string>& ArcadeGameNames() {
  static const std::vector<std::string>* names =
      new std::vector<std::string>{"asterix", "breakout", "freeway", "seaquest", "space_invaders"};
  return *names;
}

std::vector<std::string> ArcadeTaskNames() {
  std::vector<std::string> names;
  for (const std::string& game : ArcadeGameNames()) {
    names.push_back(kFamily + game);
    names.push_back(kFamily + game + kPixelsSuffix);
  }
  return names;  // "x" sorts before "x_pixels", and the games are sorted
}

absl::StatusOr<ArcadeTask> ParseArcadeTask(const std::string& task) {
  if (!absl::StartsWith(task, kFamily)) {
    return absl::InvalidArgumentError(absl::StrCat("task '", task, "' is not an arcade task (expected 'arcade/<game>')"));
  }
  ArcadeTask parsed;
  parsed.game = task.substr(sizeof(kFamily) - 1);
  parsed.observation = ArcadeObservation::kBoard;
  if (absl::EndsWith(parsed.game, kPixelsSuffix)) {
    parsed.game.resize(parsed.game.size() - (sizeof(kPixelsSuffix) - 1));
    parsed.observation = ArcadeObservation::kPixels;
  }
  for (const std::string& game : ArcadeGameNames()) {
    if (game == parsed.game) return parsed;
  }
  return UnknownGame(task);
}

absl::StatusOr<std::unique_ptr<GridGame>> MakeGridGame(const std::string& game) {
  if (game == "asterix") return std::unique_ptr<GridGame>(new Asterix());
  if (game == "breakout") return std::unique_ptr<GridGame>(new Breakout());
  if (game == "freeway") return std::unique_ptr<GridGame>(new Freeway());
  if (game == "seaquest") return std::unique_ptr<GridGame>(new Seaquest());
  if (game == "space_invaders") return std::unique_ptr<GridGame>(new SpaceInvaders());
  return UnknownGame(game);
}

absl::StatusOr<std::vector<std::string>> ArcadeChannelNames(const std::string& game) {
  ASSIGN_OR_RETURN(std::unique_ptr<GridGame> made, MakeGridGame(game));
  return made->channel_names();
}

int64_t ArcadeEpisodeSteps(const std::string& game) {
  return game == "freeway" ? kFreewayEpisodeSteps : kArcadeEpisodeCap;
}

absl::StatusOr<std::unique_ptr<ArcadeEnvironment>> MakeArcadeEnvironment(const std::string& task) {
  ASSIGN_OR_RETURN(ArcadeTask parsed, ParseArcadeTask(task));
  ASSIGN_OR_RETURN(std::unique_ptr<GridGame> game, MakeGridGame(parsed.game));
  ArcadeOptions options;
  options.observation = parsed.observation;
  options.max_steps = ArcadeEpisodeSteps(parsed.game);
  return std::make_unique<ArcadeEnvironment>(std::move(game), options);
}

absl::Status RegisterArcadeTasks(TaskRegistry* registry) {
  for (const std::string& task : ArcadeTaskNames()) {
    ASSIGN_OR_RETURN(ArcadeTask parsed, ParseArcadeTask(task));
    TaskInfo info;
    info.name = task;
    info.description = absl::StrCat(Description(parsed.game),
                                    parsed.observation == ArcadeObservation::kPixels ? " (80x80 pixels)" : " (10x10 board)");
    info.episode_steps = ArcadeEpisodeSteps(parsed.game);
    RETURN_IF_ERROR(registry->Register(std::move(info), [task]() -> absl::StatusOr<std::unique_ptr<Environment>> {
      ASSIGN_OR_RETURN(std::unique_ptr<ArcadeEnvironment> env, MakeArcadeEnvironment(task));
      return std::unique_ptr<Environment>(std::move(env));
    }));
  }
  return absl::OkStatus();
}

}  // namespace calico
