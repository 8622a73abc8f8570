#include "tokenizers/text/text_corpus.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "envs/scenes/scene_language.h"

namespace calico {
namespace {

struct TaskText {
  const char* name;
  std::vector<const char*> instructions;
};

// Every MuJoCo task also exists as "<name>_pixels" (same goal, image observations).
const std::vector<TaskText>& MujocoTasks() {
  static const auto* tasks = new std::vector<TaskText>{
      {"mujoco/cartpole_balance",
       {"balance the pole", "keep the pole upright", "move the cart to keep the pole balanced"}},
      {"mujoco/cartpole_swingup",
       {"swing up the pole", "swing the pole up and balance it",
        "move the cart to swing up the pole"}},
      {"mujoco/pendulum_swingup",
       {"swing up the pendulum", "hold the pendulum upright", "swing the pendulum up and hold it"}},
      {"mujoco/reacher_easy",
       {"move the fingertip to the target", "reach the large target",
        "touch the target with the fingertip"}},
      {"mujoco/reacher_hard",
       {"move the fingertip to the small target", "reach the small target",
        "touch the small target with the fingertip"}},
      {"mujoco/point_mass_easy",
       {"move the point mass to the target", "push the point mass to the center",
        "bring the mass to the target and stop"}},
      {"mujoco/acrobot_swingup",
       {"swing up the acrobot", "raise the tip of the acrobot",
        "swing the two links up and balance them"}},
      {"mujoco/cheetah_run",
       {"run forward", "make the cheetah run forward as fast as possible", "run fast"}},
  };
  return *tasks;
}

const std::vector<TaskText>& ArcadeTasks() {
  static const auto* tasks = new std::vector<TaskText>{
      {"arcade/breakout",
       {"break the bricks with the ball", "keep the ball in play with the paddle",
        "move the paddle to hit the ball"}},
      {"arcade/space_invaders",
       {"shoot the invaders", "shoot the aliens and dodge their bullets",
        "move left and right and fire at the invaders"}},
      {"arcade/freeway",
       {"cross the road", "guide the chicken across the road",
        "cross the road without getting hit by a car"}},
      {"arcade/asterix",
       {"collect the objects and avoid the enemies", "collect the treasures",
        "move between the lanes and avoid the enemies"}},
      {"arcade/seaquest",
       {"rescue the divers", "shoot the sharks and rescue the divers",
        "surface before the oxygen runs out"}},
  };
  return *tasks;
}

// Scenes whose captions and questions go into the corpus (scene_language.h); with the
// word and template lines this covers every word and question form of the language.
constexpr int kNumCorpusScenes = 400;

void AddTask(const TaskText& task, const std::string& name, std::vector<std::string>* lines) {
  lines->push_back(name);
  lines->push_back(absl::StrCat("task: ", name));
  for (const char* instruction : task.instructions) {
    lines->push_back(instruction);
    lines->push_back(absl::StrCat(name, ": ", instruction));
  }
}

}  // namespace

std::vector<std::string> CalicoTextCorpus() {
  std::vector<std::string> lines;
  for (const TaskText& task : MujocoTasks()) {
    AddTask(task, task.name, &lines);
    AddTask(task, absl::StrCat(task.name, "_pixels"), &lines);
  }
  for (const TaskText& task : ArcadeTasks()) AddTask(task, task.name, &lines);

  for (const char* line : {"describe the image", "describe the scene", "what is in the image?",
                           "answer the question about the image", "caption the image"}) {
    lines.push_back(line);
  }
  for (std::string& line : SceneLanguageCorpus(kNumCorpusScenes)) lines.push_back(std::move(line));

  // Every printable ASCII character, so the model has a piece for each (and BPE training,
  // which aborts on a required character the corpus lacks, can require them all).
  std::string lower, upper, digits, punctuation;
  for (char c = '!'; c <= '~'; ++c) {
    std::string* group = c >= 'a' && c <= 'z'   ? &lower
                         : c >= 'A' && c <= 'Z' ? &upper
                         : c >= '0' && c <= '9' ? &digits
                                                : &punctuation;
    if (!group->empty()) group->push_back(' ');
    group->push_back(c);
  }
  lines.push_back(absl::StrCat("letters: ", lower));
  lines.push_back(absl::StrCat("capital letters: ", upper));
  lines.push_back(absl::StrCat("digits: ", digits));
  lines.push_back(absl::StrCat("punctuation: ", punctuation));
  return lines;
}

}  // namespace calico
