#include "envs/scenes/scene_language.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace calico {
namespace {

std::string Named(const SceneObject& object) {
  return absl::StrCat(ColourName(object.colour), " ", ShapeName(object.shape));
}

int CountShape(const Scene& scene, Shape shape) {
  return static_cast<int>(std::count_if(scene.objects.begin(), scene.objects.end(),
                                        [&](const SceneObject& o) { return o.shape == shape; }));
}

int CountColour(const Scene& scene, int colour) {
  return static_cast<int>(std::count_if(scene.objects.begin(), scene.objects.end(),
                                        [&](const SceneObject& o) { return o.colour == colour; }));
}

bool Present(const Scene& scene, int colour, Shape shape) {
  return std::any_of(scene.objects.begin(), scene.objects.end(),
                     [&](const SceneObject& o) { return o.colour == colour && o.shape == shape; });
}

QuestionAnswer ColourQuestion(const SceneObject& o) {
  return {QuestionType::kColour, absl::StrCat("what colour is the ", ShapeName(o.shape), "?"),
          std::string(ColourName(o.colour))};
}

QuestionAnswer ShapeQuestion(const SceneObject& o) {
  return {QuestionType::kShape, absl::StrCat("what shape is the ", ColourName(o.colour), " object?"),
          std::string(ShapeName(o.shape))};
}

QuestionAnswer CountObjectsQuestion(const Scene& scene) {
  return {QuestionType::kCount, "how many objects are there?",
          std::string(NumberWord(static_cast<int>(scene.objects.size())))};
}

QuestionAnswer CountShapeQuestion(const Scene& scene, Shape shape) {
  return {QuestionType::kCount, absl::StrCat("how many ", ShapePluralName(shape), " are there?"),
          std::string(NumberWord(CountShape(scene, shape)))};
}

// Objects are sorted left to right, so index order is left-right order.
QuestionAnswer PositionQuestion(const Scene& scene, int a, int b, bool left) {
  const bool holds = left ? a < b : a > b;
  return {QuestionType::kPosition,
          absl::StrCat("is the ", Named(scene.objects[a]), left ? " left of the " : " right of the ",
                       Named(scene.objects[b]), "?"),
          holds ? "yes" : "no"};
}

QuestionAnswer ExistenceQuestion(const Scene& scene, int colour, Shape shape) {
  return {QuestionType::kExistence, absl::StrCat("is there a ", ColourName(colour), " ", ShapeName(shape), "?"),
          Present(scene, colour, shape) ? "yes" : "no"};
}

// Objects whose shape / colour is unique in the scene (colour and shape questions).
std::vector<int> UniqueShapeObjects(const Scene& scene) {
  std::vector<int> out;
  for (size_t i = 0; i < scene.objects.size(); ++i) {
    if (CountShape(scene, scene.objects[i].shape) == 1) out.push_back(static_cast<int>(i));
  }
  return out;
}

std::vector<int> UniqueColourObjects(const Scene& scene) {
  std::vector<int> out;
  for (size_t i = 0; i < scene.objects.size(); ++i) {
    if (CountColour(scene, scene.objects[i].colour) == 1) out.push_back(static_cast<int>(i));
  }
  return out;
}

// Question types `scene` allows, in enum order.
std::vector<QuestionType> AllowedTypes(const Scene& scene) {
  std::vector<QuestionType> types;
  if (!UniqueShapeObjects(scene).empty()) types.push_back(QuestionType::kColour);
  if (!UniqueColourObjects(scene).empty()) types.push_back(QuestionType::kShape);
  types.push_back(QuestionType::kCount);
  if (scene.objects.size() >= 2) types.push_back(QuestionType::kPosition);
  types.push_back(QuestionType::kExistence);
  return types;
}

QuestionAnswer SampleOfType(const Scene& scene, QuestionType type, Rng* rng) {
  const int n = static_cast<int>(scene.objects.size());
  switch (type) {
    case QuestionType::kColour: {
      const std::vector<int> objects = UniqueShapeObjects(scene);
      return ColourQuestion(scene.objects[objects[rng->UniformInt(0, objects.size())]]);
    }
    case QuestionType::kShape: {
      const std::vector<int> objects = UniqueColourObjects(scene);
      return ShapeQuestion(scene.objects[objects[rng->UniformInt(0, objects.size())]]);
    }
    case QuestionType::kCount:
      if (rng->UniformInt(0, 2) == 0) return CountObjectsQuestion(scene);
      return CountShapeQuestion(scene, static_cast<Shape>(rng->UniformInt(0, kNumShapes)));
    case QuestionType::kPosition: {
      const int a = static_cast<int>(rng->UniformInt(0, n));
      int b = static_cast<int>(rng->UniformInt(0, n - 1));
      if (b >= a) ++b;
      return PositionQuestion(scene, a, b, rng->UniformInt(0, 2) == 0);
    }
    case QuestionType::kExistence: {
      if (rng->UniformInt(0, 2) == 0) {
        const SceneObject& o = scene.objects[rng->UniformInt(0, n)];
        return ExistenceQuestion(scene, o.colour, o.shape);
      }
      std::vector<std::pair<int, Shape>> absent;
      for (int c = 0; c < kNumColours; ++c) {
        for (int s = 0; s < kNumShapes; ++s) {
          if (!Present(scene, c, static_cast<Shape>(s))) absent.push_back({c, static_cast<Shape>(s)});
        }
      }
      const auto& [colour, shape] = absent[rng->UniformInt(0, absent.size())];
      return ExistenceQuestion(scene, colour, shape);
    }
  }
  return CountObjectsQuestion(scene);
}

}  // namespace

absl::string_view QuestionTypeName(QuestionType type) {
  switch (type) {
    case QuestionType::kColour:
      return "colour";
    case QuestionType::kShape:
      return "shape";
    case QuestionType::kCount:
      return "count";
    case QuestionType::kPosition:
      return "position";
    case QuestionType::kExistence:
      return "existence";
  }
  return "?";
}

absl::string_view NumberWord(int n) {
  static constexpr std::array<const char*, 5> kWords = {"zero", "one", "two", "three", "four"};
  if (n < 0 || n >= static_cast<int>(kWords.size())) {  // a programmer error: scenes hold 1 to 4 objects
    std::fprintf(stderr, "NumberWord(%d): no number word outside [0, 4]\n", n);
    std::abort();
  }
  return kWords[n];
}

std::string DescribeObject(const SceneObject& object) {
  return absl::StrCat(SizeName(object.size), " ", ColourName(object.colour), " ", ShapeName(object.shape));
}

std::string Caption(const Scene& scene) {
  std::vector<std::string> parts;
  for (const SceneObject& object : scene.objects) parts.push_back(absl::StrCat("a ", DescribeObject(object)));
  return absl::StrJoin(parts, " left of ");
}

std::vector<QuestionAnswer> AllQuestions(const Scene& scene) {
  std::vector<QuestionAnswer> out;
  const int n = static_cast<int>(scene.objects.size());
  for (int i : UniqueShapeObjects(scene)) out.push_back(ColourQuestion(scene.objects[i]));
  for (int i : UniqueColourObjects(scene)) out.push_back(ShapeQuestion(scene.objects[i]));
  out.push_back(CountObjectsQuestion(scene));
  for (int s = 0; s < kNumShapes; ++s) out.push_back(CountShapeQuestion(scene, static_cast<Shape>(s)));
  for (int a = 0; a < n; ++a) {
    for (int b = 0; b < n; ++b) {
      if (a == b) continue;
      out.push_back(PositionQuestion(scene, a, b, true));
      out.push_back(PositionQuestion(scene, a, b, false));
    }
  }
  for (int c = 0; c < kNumColours; ++c) {
    for (int s = 0; s < kNumShapes; ++s) out.push_back(ExistenceQuestion(scene, c, static_cast<Shape>(s)));
  }
  return out;
}

QuestionAnswer SampleQuestion(const Scene& scene, Rng* rng) {
  const std::vector<QuestionType> types = AllowedTypes(scene);
  return SampleOfType(scene, types[rng->UniformInt(0, types.size())], rng);
}

QuestionAnswer QuestionForScene(const Scene& scene) {
  Rng rng(Rng(scene.seed ^ 0x71E57A0E5EEDULL).Next());
  return SampleQuestion(scene, &rng);
}

std::string CaptionStepText(const Scene& scene) { return absl::StrCat(kCaptionPrompt, " ", Caption(scene)); }

std::string VqaPrompt(absl::string_view question) {
  return absl::StrCat(kQuestionPrefix, " ", question, " ", kAnswerMarker);
}

std::string VqaStepText(const QuestionAnswer& qa) { return absl::StrCat(VqaPrompt(qa.question), " ", qa.answer); }

absl::StatusOr<PromptAndAnswer> SplitStepText(absl::string_view text) {
  PromptAndAnswer out;
  const std::string caption_head = absl::StrCat(kCaptionPrompt, " ");
  const std::string question_head = absl::StrCat(kQuestionPrefix, " ");
  const std::string answer_marker = absl::StrCat(" ", kAnswerMarker, " ");
  if (absl::StartsWith(text, caption_head)) {
    out.prompt = kCaptionPrompt;
    out.answer = std::string(text.substr(caption_head.size()));
  } else if (absl::StartsWith(text, question_head)) {
    const size_t marker = text.rfind(answer_marker);
    if (marker == absl::string_view::npos || marker < question_head.size()) {
      return absl::InvalidArgumentError(absl::StrCat("step text '", text, "' has no answer marker ' a: '"));
    }
    out.prompt = std::string(text.substr(0, marker + answer_marker.size() - 1));
    out.answer = std::string(text.substr(marker + answer_marker.size()));
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("step text '", text, "' starts with neither 'caption: ' nor 'q: '"));
  }
  if (out.answer.empty()) return absl::InvalidArgumentError(absl::StrCat("step text '", text, "' has an empty answer"));
  return out;
}

absl::StatusOr<std::string> NormalizeQuestion(absl::string_view question) {
  for (char c : question) {
    if (!(c >= ' ' && c <= '~') && c != '\t' && c != '\n' && c != '\r') {
      return absl::InvalidArgumentError(absl::StrCat("the question has the byte ", static_cast<int>(static_cast<uint8_t>(c)),
                                                     "; expected printable ASCII"));
    }
  }
  std::vector<absl::string_view> words = absl::StrSplit(question, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
  std::string out = absl::AsciiStrToLower(absl::StrJoin(words, " "));
  // Question marks end the question as in training ("... the box?"), however typed
  // ("the box ?", "the box??").
  while (!out.empty() && (out.back() == '?' || out.back() == ' ')) out.pop_back();
  if (out.empty()) return absl::InvalidArgumentError("the question is empty");
  out.push_back('?');
  return out;
}

std::vector<std::string> SceneLanguageCorpus(int num_scenes) {
  std::vector<std::string> lines;
  // The words, then every question template with every word it takes.
  std::vector<std::string> colours, shapes, plurals;
  for (int c = 0; c < kNumColours; ++c) colours.emplace_back(ColourName(c));
  for (int s = 0; s < kNumShapes; ++s) {
    shapes.emplace_back(ShapeName(static_cast<Shape>(s)));
    plurals.emplace_back(ShapePluralName(static_cast<Shape>(s)));
  }
  lines.push_back(absl::StrCat("colours: ", absl::StrJoin(colours, " ")));
  lines.push_back(absl::StrCat("shapes: ", absl::StrJoin(shapes, " "), " ", absl::StrJoin(plurals, " ")));
  lines.push_back("sizes: small large");
  lines.push_back("numbers: zero one two three four");
  lines.push_back("answers: yes no");
  for (const std::string& shape : shapes) lines.push_back(VqaPrompt(absl::StrCat("what colour is the ", shape, "?")));
  for (const std::string& colour : colours) lines.push_back(VqaPrompt(absl::StrCat("what shape is the ", colour, " object?")));
  lines.push_back(VqaPrompt("how many objects are there?"));
  for (const std::string& plural : plurals) lines.push_back(VqaPrompt(absl::StrCat("how many ", plural, " are there?")));
  for (const std::string& colour : colours) {
    for (const std::string& shape : shapes) lines.push_back(VqaPrompt(absl::StrCat("is there a ", colour, " ", shape, "?")));
  }
  // Scenes: the caption and one question of each type the scene allows.
  for (int seed = 0; seed < num_scenes; ++seed) {
    const Scene scene = SampleScene(static_cast<uint64_t>(seed));
    lines.push_back(CaptionStepText(scene));
    Rng rng(static_cast<uint64_t>(seed));
    for (QuestionType type : AllowedTypes(scene)) lines.push_back(VqaStepText(SampleOfType(scene, type, &rng)));
  }
  return lines;
}

}  // namespace calico
