#include "tokenizers/text/text_corpus.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

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

constexpr const char* kSizes[] = {"small", "large"};
constexpr int kNumSizes = 2;
constexpr const char* kColours[] = {"red",     "green",  "blue",   "yellow", "cyan", "magenta",
                                    "white",   "black",  "orange", "purple", "gray"};
constexpr int kNumColours = 11;
constexpr const char* kShapes[] = {"box", "sphere", "cylinder", "capsule", "ellipsoid"};
constexpr int kNumShapes = 5;
constexpr const char* kNumbers[] = {"zero", "one", "two", "three", "four"};

// 220 = 11 colours * 5 shapes * 4 object counts, so the first object of the scenes runs
// through every colour/shape pair and every count.
constexpr int kNumScenes = 220;

// One object of a scene. Colours are distinct within a scene and so are shapes, so "the
// red object" and "the sphere" always name exactly one object.
struct SceneObject {
  int size;
  int colour;
  int shape;
  int x;      // column from the left, 0 = leftmost
  int depth;  // row from the viewer, 0 = front
};

std::vector<SceneObject> MakeScene(int s) {
  const int n = 1 + s % 4;
  std::vector<SceneObject> objects;
  for (int k = 0; k < n; ++k) {
    SceneObject o;
    o.size = (s / 5 + k) % kNumSizes;
    // Steps 4 (mod 11) and 2 (mod 5) are coprime to the moduli: distinct within a scene.
    o.colour = (3 * s + 4 * k) % kNumColours;
    o.shape = (s + 2 * k) % kNumShapes;
    // Rotations of 0..n-1: a permutation of columns and of rows.
    o.x = (k + s / 4) % n;
    o.depth = (n - 1 - k + s / 8) % n;
    objects.push_back(o);
  }
  return objects;
}

std::string Describe(const SceneObject& o, bool with_size) {
  return with_size ? absl::StrCat(kSizes[o.size], " ", kColours[o.colour], " ", kShapes[o.shape])
                   : absl::StrCat(kColours[o.colour], " ", kShapes[o.shape]);
}

// "a small red sphere", or "a red sphere" without the size.
std::string WithArticle(const SceneObject& o, bool with_size) {
  return absl::StrCat("a ", Describe(o, with_size));
}

enum Relation { kLeftOf, kRightOf, kInFrontOf, kBehind };
constexpr const char* kRelations[] = {"left of", "right of", "in front of", "behind"};

bool Holds(const SceneObject& a, Relation relation, const SceneObject& b) {
  switch (relation) {
    case kLeftOf:
      return a.x < b.x;
    case kRightOf:
      return a.x > b.x;
    case kInFrontOf:
      return a.depth < b.depth;
    case kBehind:
      return a.depth > b.depth;
  }
  return false;
}

// A relation that is true of (a, b): horizontal or depth, picked by `depth`.
Relation TrueRelation(const SceneObject& a, const SceneObject& b, bool depth) {
  if (depth) return a.depth < b.depth ? kInFrontOf : kBehind;
  return a.x < b.x ? kLeftOf : kRightOf;
}

void AddQuestion(std::string question, std::string answer, std::vector<std::string>* lines) {
  lines->push_back(std::move(question));
  lines->push_back(std::move(answer));
}

void AddScene(int s, std::vector<std::string>* lines) {
  const std::vector<SceneObject> objects = MakeScene(s);
  const int n = static_cast<int>(objects.size());

  // Captions: a listing, and for two or more objects one relation between two of them.
  std::vector<std::string> listed;
  for (const SceneObject& o : objects) listed.push_back(WithArticle(o, true));
  std::string listing;
  if (n == 1) {
    listing = listed[0];
  } else {
    listing = absl::StrCat(absl::StrJoin(listed.begin(), listed.end() - 1, ", "), " and ",
                           listed.back());
  }
  if (n == 1) {
    lines->push_back(s % 2 == 0 ? listing : absl::StrCat("there is one object: ", listing));
  } else if (s % 2 == 0) {
    lines->push_back(absl::StrCat(kNumbers[n], " objects: ", listing));
  } else {
    lines->push_back(absl::StrCat("there are ", kNumbers[n], " objects: ", listing));
  }
  if (n >= 2) {
    const SceneObject& a = objects[s % n];
    const SceneObject& b = objects[(s + 1) % n];
    const Relation relation = TrueRelation(a, b, (s / 2) % 2 == 1);
    lines->push_back(absl::StrCat(WithArticle(a, true), " ", kRelations[relation], " ",
                                  WithArticle(b, (s / 3) % 2 == 0)));
  }

  // Questions, each followed by its answer.
  const SceneObject& subject = objects[(s / 4) % n];
  AddQuestion(absl::StrCat("what colour is the ", kShapes[subject.shape], "?"),
              kColours[subject.colour], lines);
  AddQuestion(absl::StrCat("what shape is the ", kColours[subject.colour], " object?"),
              kShapes[subject.shape], lines);
  AddQuestion(absl::StrCat("what size is the ", Describe(subject, false), "?"),
              kSizes[subject.size], lines);
  AddQuestion("how many objects are there?", kNumbers[n], lines);

  // "how many <size> objects are there?" can be zero.
  const int asked_size = (s / 3) % kNumSizes;
  int same_size = 0;
  for (const SceneObject& o : objects) same_size += o.size == asked_size ? 1 : 0;
  AddQuestion(absl::StrCat("how many ", kSizes[asked_size], " objects are there?"),
              kNumbers[same_size], lines);

  if (n >= 2) {
    const SceneObject& a = objects[(s / 2) % n];
    const SceneObject& b = objects[(s / 2 + 1) % n];
    const Relation relation = static_cast<Relation>((s / 5) % 4);
    AddQuestion(absl::StrCat("is the ", Describe(a, false), " ", kRelations[relation], " the ",
                             Describe(b, false), "?"),
                Holds(a, relation, b) ? "yes" : "no", lines);
  }

  // Existence: every other scene asks about an object that is there, the rest about a
  // pattern-chosen colour and shape (usually absent).
  int colour, shape;
  if (s % 2 == 0) {
    colour = objects[(s / 2) % n].colour;
    shape = objects[(s / 2) % n].shape;
  } else {
    colour = (5 * s + 1) % kNumColours;
    shape = (3 * s + 2) % kNumShapes;
  }
  bool present = false;
  for (const SceneObject& o : objects) present |= o.colour == colour && o.shape == shape;
  AddQuestion(absl::StrCat("is there a ", kColours[colour], " ", kShapes[shape], "?"),
              present ? "yes" : "no", lines);
}

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
  for (int s = 0; s < kNumScenes; ++s) AddScene(s, &lines);

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
