#include "envs/scenes/scene_language.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

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

// The caption of the scene's first `count` objects (Caption is all of them).
std::string CaptionOfFirst(const Scene& scene, size_t count) {
  std::vector<std::string> parts;
  for (size_t k = 0; k < count && k < scene.objects.size(); ++k) {
    parts.push_back(WithArticle(DescribeObject(scene.objects[k])));
  }
  return absl::StrJoin(parts, " left of ");
}

// Every object's shape and colour in the caption's order: "capsule blue box white".
std::string ShapeColourPairs(const Scene& scene) {
  std::vector<std::string> pairs;
  for (const SceneObject& object : scene.objects) {
    pairs.push_back(absl::StrCat(ShapeName(object.shape), " ", ColourName(object.colour)));
  }
  return absl::StrJoin(pairs, " ");
}

// The lookup working about `shape` (kShapeColourLookup, CountExistence::kShapeLookup):
// every object's pair, then the pairs of the objects of `shape` ("capsule blue box white,
// box white"), or "no <shape>" when there is none.
std::string ShapeLookupWorking(const Scene& scene, Shape shape) {
  std::vector<std::string> matches;
  for (const SceneObject& object : scene.objects) {
    if (object.shape == shape) matches.push_back(absl::StrCat(ShapeName(shape), " ", ColourName(object.colour)));
  }
  if (matches.empty()) matches.push_back(absl::StrCat("no ", ShapeName(shape)));
  return absl::StrCat(ShapeColourPairs(scene), ", ", absl::StrJoin(matches, " "));
}

// About object `i`, whose shape is unique in the scene.
QuestionAnswer ColourQuestion(const Scene& scene, int i, const WorkingOptions& workings) {
  const SceneObject& o = scene.objects[i];
  std::string working;
  switch (workings.colour) {
    case WorkingOptions::Colour::kNone:
      break;
    case WorkingOptions::Colour::kCaptionPrefix:
      // The caption up to object i: copying from the caption's start is what transformers
      // learn first, and the answer is then the word before the last one written.
      working = CaptionOfFirst(scene, static_cast<size_t>(i) + 1);
      break;
    case WorkingOptions::Colour::kShapeColourPairs:
      // Every object's shape, then its colour: the answer follows the shape asked about.
      working = ShapeColourPairs(scene);
      break;
    case WorkingOptions::Colour::kShapeColourLookup:
      // The pairs, then the shape asked about and the colour that follows it in them: the
      // colour is read with the shape as the token before it (a copy from a match).
      working = ShapeLookupWorking(scene, o.shape);
      break;
  }
  return {QuestionType::kColour, absl::StrCat("what colour is the ", ShapeName(o.shape), "?"),
          std::string(ColourName(o.colour)), std::move(working)};
}

QuestionAnswer ShapeQuestion(const SceneObject& o) {
  return {QuestionType::kShape, absl::StrCat("what shape is the ", ColourName(o.colour), " object?"),
          std::string(ShapeName(o.shape)), /*working=*/""};
}

bool ShapeLookup(const WorkingOptions& workings) {
  return workings.count_existence == WorkingOptions::CountExistence::kShapeLookup;
}

QuestionAnswer CountObjectsQuestion(const Scene& scene, const WorkingOptions& workings) {
  return {QuestionType::kCount, "how many objects are there?",
          std::string(NumberWord(static_cast<int>(scene.objects.size()))),
          ShapeLookup(workings) ? ShapeColourPairs(scene) : ""};
}

QuestionAnswer CountShapeQuestion(const Scene& scene, Shape shape, const WorkingOptions& workings) {
  return {QuestionType::kCount, absl::StrCat("how many ", ShapePluralName(shape), " are there?"),
          std::string(NumberWord(CountShape(scene, shape))),
          ShapeLookup(workings) ? ShapeLookupWorking(scene, shape) : ""};
}

// Objects are sorted left to right, so index order is left-right order.
QuestionAnswer PositionQuestion(const Scene& scene, int a, int b, bool left) {
  const bool holds = left ? a < b : a > b;
  // The working reads the caption on from the first object named until it reaches the
  // second (then the first is left of it) or the caption ends (then it is right of it).
  std::string working = Named(scene.objects[a]);
  for (int k = a + 1; k < static_cast<int>(scene.objects.size()); ++k) {
    absl::StrAppend(&working, " left of ", WithArticle(DescribeObject(scene.objects[k])));
    if (k == b) break;
  }
  return {QuestionType::kPosition,
          absl::StrCat("is the ", Named(scene.objects[a]), left ? " left of the " : " right of the ",
                       Named(scene.objects[b]), "?"),
          holds ? "yes" : "no", std::move(working)};
}

QuestionAnswer ExistenceQuestion(const Scene& scene, int colour, Shape shape, const WorkingOptions& workings) {
  const std::string named = WithArticle(absl::StrCat(ColourName(colour), " ", ShapeName(shape)));
  return {QuestionType::kExistence, absl::StrCat("is there ", named, "?"),
          Present(scene, colour, shape) ? "yes" : "no",
          ShapeLookup(workings) ? ShapeLookupWorking(scene, shape) : ""};
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

QuestionAnswer SampleOfType(const Scene& scene, QuestionType type, Rng* rng, const WorkingOptions& workings) {
  const int n = static_cast<int>(scene.objects.size());
  switch (type) {
    case QuestionType::kColour: {
      const std::vector<int> objects = UniqueShapeObjects(scene);
      return ColourQuestion(scene, objects[rng->UniformInt(0, objects.size())], workings);
    }
    case QuestionType::kShape: {
      const std::vector<int> objects = UniqueColourObjects(scene);
      return ShapeQuestion(scene.objects[objects[rng->UniformInt(0, objects.size())]]);
    }
    case QuestionType::kCount:
      if (rng->UniformInt(0, 2) == 0) return CountObjectsQuestion(scene, workings);
      return CountShapeQuestion(scene, static_cast<Shape>(rng->UniformInt(0, kNumShapes)), workings);
    case QuestionType::kPosition: {
      const int a = static_cast<int>(rng->UniformInt(0, n));
      int b = static_cast<int>(rng->UniformInt(0, n - 1));
      if (b >= a) ++b;
      return PositionQuestion(scene, a, b, rng->UniformInt(0, 2) == 0);
    }
    case QuestionType::kExistence: {
      if (rng->UniformInt(0, 2) == 0) {
        const SceneObject& o = scene.objects[rng->UniformInt(0, n)];
        return ExistenceQuestion(scene, o.colour, o.shape, workings);
      }
      std::vector<std::pair<int, Shape>> absent;
      for (int c = 0; c < kNumColours; ++c) {
        for (int s = 0; s < kNumShapes; ++s) {
          if (!Present(scene, c, static_cast<Shape>(s))) absent.push_back({c, static_cast<Shape>(s)});
        }
      }
      const auto& [colour, shape] = absent[rng->UniformInt(0, absent.size())];
      return ExistenceQuestion(scene, colour, shape, workings);
    }
  }
  return CountObjectsQuestion(scene, workings);
}

}  // namespace

absl::StatusOr<WorkingOptions::Colour> ParseColourWorking(absl::string_view name) {
  for (WorkingOptions::Colour colour : {WorkingOptions::Colour::kNone, WorkingOptions::Colour::kCaptionPrefix,
                                        WorkingOptions::Colour::kShapeColourPairs,
                                        WorkingOptions::Colour::kShapeColourLookup}) {
    if (name == ColourWorkingName(colour)) return colour;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("colour working '", name, "'; expected none, caption_prefix, shape_colour_pairs or shape_colour_lookup"));
}

absl::string_view ColourWorkingName(WorkingOptions::Colour colour) {
  switch (colour) {
    case WorkingOptions::Colour::kNone:
      return "none";
    case WorkingOptions::Colour::kCaptionPrefix:
      return "caption_prefix";
    case WorkingOptions::Colour::kShapeColourPairs:
      return "shape_colour_pairs";
    case WorkingOptions::Colour::kShapeColourLookup:
      return "shape_colour_lookup";
  }
  return "?";
}

absl::StatusOr<bool> ParseColourQuestions(absl::string_view name) {
  for (bool every : {false, true}) {
    if (name == ColourQuestionsName(every)) return every;
  }
  return absl::InvalidArgumentError(absl::StrCat("colour questions '", name, "'; expected sampled or every"));
}

absl::string_view ColourQuestionsName(bool every_colour_question) {
  return every_colour_question ? "every" : "sampled";
}

absl::StatusOr<WorkingOptions::CountExistence> ParseCountExistenceWorking(absl::string_view name) {
  for (WorkingOptions::CountExistence form :
       {WorkingOptions::CountExistence::kNone, WorkingOptions::CountExistence::kShapeLookup}) {
    if (name == CountExistenceWorkingName(form)) return form;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("count and existence working '", name, "'; expected none or shape_lookup"));
}

absl::string_view CountExistenceWorkingName(WorkingOptions::CountExistence form) {
  switch (form) {
    case WorkingOptions::CountExistence::kNone:
      return "none";
    case WorkingOptions::CountExistence::kShapeLookup:
      return "shape_lookup";
  }
  return "?";
}

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

std::string WithArticle(absl::string_view phrase) {
  // Every word of the scene language that starts with a vowel letter starts with a vowel
  // sound ("orange"), so the letter decides.
  const bool vowel = !phrase.empty() && absl::string_view("aeiou").find(phrase[0]) != absl::string_view::npos;
  return absl::StrCat(vowel ? "an " : "a ", phrase);
}

std::string DescribeObject(const SceneObject& object) {
  return absl::StrCat(SizeName(object.size), " ", ColourName(object.colour), " ", ShapeName(object.shape));
}

std::string Caption(const Scene& scene) { return CaptionOfFirst(scene, scene.objects.size()); }

std::vector<QuestionAnswer> AllQuestions(const Scene& scene, const WorkingOptions& workings) {
  std::vector<QuestionAnswer> out;
  const int n = static_cast<int>(scene.objects.size());
  for (int i : UniqueShapeObjects(scene)) out.push_back(ColourQuestion(scene, i, workings));
  for (int i : UniqueColourObjects(scene)) out.push_back(ShapeQuestion(scene.objects[i]));
  out.push_back(CountObjectsQuestion(scene, workings));
  for (int s = 0; s < kNumShapes; ++s) out.push_back(CountShapeQuestion(scene, static_cast<Shape>(s), workings));
  for (int a = 0; a < n; ++a) {
    for (int b = 0; b < n; ++b) {
      if (a == b) continue;
      out.push_back(PositionQuestion(scene, a, b, true));
      out.push_back(PositionQuestion(scene, a, b, false));
    }
  }
  for (int c = 0; c < kNumColours; ++c) {
    for (int s = 0; s < kNumShapes; ++s) out.push_back(ExistenceQuestion(scene, c, static_cast<Shape>(s), workings));
  }
  return out;
}

QuestionAnswer SampleQuestion(const Scene& scene, Rng* rng, const WorkingOptions& workings) {
  const std::vector<QuestionType> types = AllowedTypes(scene);
  return SampleOfType(scene, types[rng->UniformInt(0, types.size())], rng, workings);
}

QuestionAnswer QuestionForScene(const Scene& scene, const WorkingOptions& workings) {
  Rng rng(Rng(scene.seed ^ 0x71E57A0E5EEDULL).Next());
  return SampleQuestion(scene, &rng, workings);
}

std::string CaptionStepText(const Scene& scene) { return absl::StrCat(kCaptionPrompt, " ", Caption(scene)); }

std::vector<QuestionAnswer> QuestionsForScene(const Scene& scene, const WorkingOptions& workings) {
  std::vector<QuestionAnswer> out = {QuestionForScene(scene, workings)};
  // Appends `qa` unless its question is asked already.
  auto add_if_new = [&out](QuestionAnswer qa) {
    const bool asked = std::any_of(out.begin(), out.end(),
                                   [&](const QuestionAnswer& before) { return before.question == qa.question; });
    if (!asked) out.push_back(std::move(qa));
  };
  Rng rng(Rng(scene.seed ^ 0x3A5C0DE5EEDULL).Next());
  for (int draw = 0; draw < 64 && static_cast<int>(out.size()) < kQuestionsPerVqaStep; ++draw) {
    add_if_new(SampleQuestion(scene, &rng, workings));
  }
  if (workings.every_colour_question) {
    for (int i : UniqueShapeObjects(scene)) add_if_new(ColourQuestion(scene, i, workings));
  }
  return out;
}

std::string VqaPrompt(absl::string_view caption, absl::string_view question) {
  return absl::StrCat(kCaptionPrompt, " ", caption, " ", kQuestionPrefix, " ", question, " ", kAnswerMarker);
}

std::string JoinAnswer(absl::string_view working, absl::string_view answer) {
  if (working.empty()) return std::string(answer);
  return absl::StrCat(working, kWorkingSeparator, answer);
}

std::string AnswerText(const QuestionAnswer& qa) { return JoinAnswer(qa.working, qa.answer); }

WrittenAnswer SplitAnswer(absl::string_view text) {
  WrittenAnswer out;
  const size_t at = text.rfind(kWorkingSeparator);
  if (at == absl::string_view::npos) {
    out.answer = std::string(absl::StripAsciiWhitespace(text));
    return out;
  }
  out.working = std::string(absl::StripAsciiWhitespace(text.substr(0, at)));
  out.answer = std::string(absl::StripAsciiWhitespace(text.substr(at + std::strlen(kWorkingSeparator))));
  return out;
}

std::string VqaStepText(absl::string_view caption, const std::vector<QuestionAnswer>& questions) {
  std::string text = absl::StrCat(kCaptionPrompt, " ", caption);
  for (const QuestionAnswer& qa : questions) {
    absl::StrAppend(&text, " ", kQuestionPrefix, " ", qa.question, " ", kAnswerMarker, " ", AnswerText(qa));
  }
  return text;
}

std::string VqaStepText(const Scene& scene, const WorkingOptions& workings) {
  return VqaStepText(Caption(scene), QuestionsForScene(scene, workings));
}

std::string DirectVqaStepText(const QuestionAnswer& qa) {
  return absl::StrCat(kQuestionPrefix, " ", qa.question, " ", kAnswerMarker, " ", qa.answer);
}

absl::StatusOr<std::vector<PromptAndAnswer>> StepTextPrompts(absl::string_view text) {
  const std::string caption_head = absl::StrCat(kCaptionPrompt, " ");
  const std::string question_head = absl::StrCat(kQuestionPrefix, " ");
  const std::string question_marker = absl::StrCat(" ", kQuestionPrefix, " ");
  const std::string answer_marker = absl::StrCat(" ", kAnswerMarker, " ");
  auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("step text '", text, "' ", why));
  };
  std::vector<PromptAndAnswer> out;
  // After the caption (if any) the text is question parts, " q: <question> a: <answer>"
  // (the first without its leading space in a direct text); `at` is where the next starts.
  size_t at = 0;
  if (absl::StartsWith(text, caption_head)) {
    // An empty caption puts " q: " right at the head's space.
    const size_t end = std::min(text.size(), text.find(question_marker, caption_head.size() - 1));
    PromptAndAnswer caption;
    caption.prompt = kCaptionPrompt;
    if (end > caption_head.size()) caption.answer = std::string(text.substr(caption_head.size(), end - caption_head.size()));
    if (caption.answer.empty()) return invalid("has an empty caption");
    out.push_back(std::move(caption));
    at = end;
  } else if (!absl::StartsWith(text, question_head)) {
    return invalid("starts with neither 'caption: ' nor 'q: '");
  }
  while (at < text.size()) {
    // A question part starts with "q: " (a direct text) or " q: ".
    const size_t question_begin = at == 0 ? question_head.size() : at + question_marker.size();
    const size_t marker = text.find(answer_marker, question_begin);
    if (marker == absl::string_view::npos) return invalid("has a question without the answer marker ' a: '");
    const size_t answer_begin = marker + answer_marker.size();
    const size_t answer_end = std::min(text.size(), text.find(question_marker, answer_begin));
    PromptAndAnswer part;
    part.prompt = std::string(text.substr(0, marker + answer_marker.size() - 1));
    part.question = std::string(text.substr(question_begin, marker - question_begin));
    part.answer = std::string(text.substr(answer_begin, answer_end - answer_begin));
    if (part.question.empty()) return invalid("has an empty question");
    if (part.answer.empty()) return invalid("has an empty answer");
    out.push_back(std::move(part));
    at = answer_end;
  }
  return out;
}

std::string UpToNextQuestion(absl::string_view generated) {
  const std::string question_marker = absl::StrCat(" ", kQuestionPrefix);
  absl::string_view text = absl::StripAsciiWhitespace(generated);
  if (absl::StartsWith(text, kQuestionPrefix)) return "";
  return std::string(absl::StripAsciiWhitespace(text.substr(0, text.find(question_marker))));
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
  if (out.size() > kMaxQuestionLength) {
    return absl::InvalidArgumentError(absl::StrCat("the question is ", out.size(), " characters long; at most ",
                                                   kMaxQuestionLength, " (the scene language's are under 50)"));
  }
  // The markers of a step text would make the prompt a different text than the one asked.
  for (absl::string_view marker : {kCaptionPrompt, kQuestionPrefix, kAnswerMarker}) {
    for (absl::string_view word : absl::StrSplit(out, ' ')) {
      if (word == marker) {
        return absl::InvalidArgumentError(absl::StrCat("the question has the word '", marker,
                                                       "', which marks a part of a scene text; ask one question without it"));
      }
    }
  }
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
  // Direct prompts, "q: <question> a:".
  auto direct_prompt = [](const std::string& question) {
    return absl::StrCat(kQuestionPrefix, " ", question, " ", kAnswerMarker);
  };
  for (const std::string& shape : shapes) lines.push_back(direct_prompt(absl::StrCat("what colour is the ", shape, "?")));
  for (const std::string& colour : colours) lines.push_back(direct_prompt(absl::StrCat("what shape is the ", colour, " object?")));
  lines.push_back(direct_prompt("how many objects are there?"));
  for (const std::string& plural : plurals) lines.push_back(direct_prompt(absl::StrCat("how many ", plural, " are there?")));
  for (const std::string& colour : colours) {
    for (const std::string& shape : shapes) {
      lines.push_back(direct_prompt(absl::StrCat("is there ", WithArticle(absl::StrCat(colour, " ", shape)), "?")));
    }
  }
  // Scenes: the caption and one question of each type the scene allows.
  for (int seed = 0; seed < num_scenes; ++seed) {
    const Scene scene = SampleScene(static_cast<uint64_t>(seed));
    lines.push_back(CaptionStepText(scene));
    Rng rng(static_cast<uint64_t>(seed));
    for (QuestionType type : AllowedTypes(scene)) lines.push_back(DirectVqaStepText(SampleOfType(scene, type, &rng, {})));
  }
  return lines;
}

}  // namespace calico
