// The language of the scene tasks: captions and question/answer pairs generated from a
// scene's ground truth, and the text formats of vision-language steps.
//
// Words: colours (Palette(): red green blue yellow cyan magenta orange white), sizes
// (small large), shapes (box sphere cylinder capsule; plural boxes spheres cylinders
// capsules), numbers (zero one two three four), yes, no.
//
// Caption: the objects from left to right as "a <size> <colour> <shape>", joined by
// " left of ": "a small red sphere left of a large blue box left of a small green
// cylinder". One object: "a large white capsule".
//
// Questions (every one fully determined by the ground truth):
//   colour     "what colour is the <shape>?" -> "<colour>"; asked only about a shape that
//              occurs exactly once in the scene.
//   shape      "what shape is the <colour> object?" -> "<shape>"; asked only about a
//              colour that occurs exactly once.
//   count      "how many objects are there?" -> "one".."four", and
//              "how many <shape plural> are there?" -> "zero".."four" (any shape).
//   position   "is the <colour> <shape> left of the <colour> <shape>?" (or "right of")
//              -> "yes"/"no", about two different objects; (colour, shape) names one
//              object because a scene never repeats a pair.
//   existence  "is there a <colour> <shape>?" -> "yes"/"no" ("an" before "orange").
// SampleQuestion draws one: a type uniformly among those the scene allows (colour and
// shape questions need a unique shape/colour), then uniformly within the type; count
// questions are "objects" half the time; existence questions are "yes" half the time
// (an object of the scene) and "no" half the time (a uniform absent pair); position
// questions pick an ordered pair and a relation uniformly, so "yes" and "no" are equally
// likely.
//
// Step text formats (one string per vision-language step; the model reads the image
// first, then this text, then EOS, see tokenizers/sequence_builder.h):
//   caption  "caption: <caption>"
//   vqa      "caption: <caption> q: <question 1> a: <answer 1> q: <question 2> a: <answer 2> ..."
//            (kQuestionsPerVqaStep different questions, QuestionsForScene); a position
//            question's answer is written after a working (AnswerText):
//            "q: is the red sphere left of the green cylinder? a: red sphere left of a
//            large blue box left of a small green cylinder, so yes". The working copies
//            the caption from the first object named onwards and stops at the second
//            (so the first is left of it) or where the caption ends (so it is right of
//            it). WorkingOptions::colour gives colour answers a working too, in one
//            of three forms. kCaptionPrefix: the caption from its start up to the shape
//            asked about, "q: what colour is the box? a: a small blue capsule left of a
//            small white box, so white", so the colour is the word before the last one
//            written. kShapeColourPairs: every object's shape and colour, in the
//            caption's order, "q: what colour is the box? a: capsule blue box white, so
//            white", so the colour is the word after the shape asked about, a forward
//            lookup as in shape questions (which the mixed recipe's model answers), where
//            without a working it is the word before it (which it does not, README).
//            kShapeColourLookup: the pairs, then the shape asked about and its colour
//            again, "capsule blue box white, box white, so white", so the colour is read
//            with the asked shape as the token right before it (a copy from a match).
//            The first two forms did not bind the colours sooner at seed 1
//            (docs/recipe_experiments.md, "A colour working"); the lookup form did, with
//            the scenes alone ("The lookup working with images"). The default stays
//            kNone, the form of every recipe run, until the recipe is measured with it.
//            WorkingOptions::count_existence gives count and existence answers a
//            working in the lookup form's way (kShapeLookup: the pairs, then those of
//            the shape asked about, "capsule blue box white, box white, so one").
//            For position questions: comparing two places in the
//            caption in one step is what the model did not learn (position questions
//            stayed at chance, README); copying on from a match is what transformers
//            learn first (induction), and deciding yes/no at the end needs only the
//            last words written and the question.
// A VQA step describes the scene before it answers anything. Answering a question is two
// decodes: the prompt "caption:" makes the model write its caption (until EOS or " q:"),
// then "caption: <its caption> q: <question> a:" makes it answer (until EOS or " q:").
// The answer is then mostly a lookup in text the model wrote itself, and one description
// serves several questions. Measured (docs/recipe_experiments.md, "Describe, then answer"): `small` for an
// hour answers 91.0% of held-out questions this way, colour questions 95.6%, against
// 84.5% and 64.4% answering straight from the patches ("q: <question> a:"); with the
// position working 96.0% (95.1% of 1,000), position questions 86.7% instead of chance.
// The direct form "q: <question> a: <answer>" is what the text tokenizer's corpus holds
// (so the committed text model retrains byte for byte) and what datasets written before
// the describing step hold; StepTextPrompts reads it too.
// Every prompt ends at a word boundary, so SentencePiece's encoding of a prompt is a
// prefix of the encoding of the whole text (tested): inference feeds the image and the
// prompt's tokens and decodes what follows.
#ifndef CALICO_ENVS_SCENES_SCENE_LANGUAGE_H_
#define CALICO_ENVS_SCENES_SCENE_LANGUAGE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/random.h"
#include "envs/scenes/scene.h"

namespace calico {

enum class QuestionType { kColour, kShape, kCount, kPosition, kExistence };
inline constexpr int kNumQuestionTypes = 5;

// "colour", "shape", "count", "position", "existence".
absl::string_view QuestionTypeName(QuestionType type);

// Which answers a VQA step writes after a working besides the position answers (which
// always have one). Plain value type; the default is the format of every dataset written
// before the option existed.
struct WorkingOptions {
  enum class Colour {
    kNone,               // "white"
    kCaptionPrefix,      // "a small blue capsule left of a small white box, so white"
    kShapeColourPairs,   // "capsule blue box white, so white"
    kShapeColourLookup,  // "capsule blue box white, box white, so white"
  };
  Colour colour = Colour::kNone;
  // Whether a VQA step, after its sampled questions (QuestionsForScene), also asks the
  // colour of every object whose shape is unique in the scene and that it has not asked
  // about: more colour lookups per scene, each with `colour`'s working. The sampled
  // questions, evaluation's among them, are the same either way.
  bool every_colour_question = false;
  // The form of count and existence answers. kShapeLookup: every object's shape and
  // colour (as kShapeColourLookup), then those of the shape asked about, or "no <shape>"
  // where there is none, then the answer:
  //   "how many boxes are there?"   -> "capsule blue box white, box white, so one"
  //   "how many spheres are there?" -> "capsule blue box white, no sphere, so zero"
  //   "how many objects are there?" -> "capsule blue box white, so two"
  //   "is there a green box?"       -> "capsule blue box white, box white, so no"
  // so a count is the length of a short list just written and an existence answer a
  // match within it. Meant for the count and existence misses of the recipe fitted to
  // two hours once its colours were bound (docs/recipe_experiments.md, "The recipe
  // fitted to two hours"), where the 5,600-update runs were near 100% on counts: whether
  // a working learns them sooner is not measured yet.
  enum class CountExistence {
    kNone,         // "one"
    kShapeLookup,  // "capsule blue box white, box white, so one"
  };
  CountExistence count_existence = CountExistence::kNone;
};

// "none", "caption_prefix", "shape_colour_pairs", "shape_colour_lookup" to the form;
// InvalidArgument naming them otherwise.
absl::StatusOr<WorkingOptions::Colour> ParseColourWorking(absl::string_view name);

// The name ParseColourWorking reads.
absl::string_view ColourWorkingName(WorkingOptions::Colour colour);

// "sampled" (false) or "every" (true) to WorkingOptions::every_colour_question;
// InvalidArgument naming them otherwise.
absl::StatusOr<bool> ParseColourQuestions(absl::string_view name);

// The name ParseColourQuestions reads.
absl::string_view ColourQuestionsName(bool every_colour_question);

// "none" or "shape_lookup" to the form; InvalidArgument naming them otherwise.
absl::StatusOr<WorkingOptions::CountExistence> ParseCountExistenceWorking(absl::string_view name);

// The name ParseCountExistenceWorking reads.
absl::string_view CountExistenceWorkingName(WorkingOptions::CountExistence form);

// One question about a scene and its answer. Plain value type.
struct QuestionAnswer {
  QuestionType type = QuestionType::kCount;
  std::string question;  // ends with "?"
  std::string answer;    // one word
  // What a VQA step writes before the answer (empty: nothing). Position questions: the
  // caption read on from the first object named, "<colour> <shape> left of a <size>
  // <colour> <shape> ...", up to the second object or the caption's end (see the header).
  // Colour questions: as WorkingOptions::colour says; count and existence questions: as
  // WorkingOptions::count_existence says.
  std::string working;
};

// "zero".."four"; aborts outside [0, 4] (a programmer error: scenes hold 1 to 4 objects).
absl::string_view NumberWord(int n);

// `phrase` after its indefinite article: "a red sphere", "an orange box".
std::string WithArticle(absl::string_view phrase);

// "small red sphere": size, colour and shape of `object`.
std::string DescribeObject(const SceneObject& object);

// The canonical caption (see the header comment).
std::string Caption(const Scene& scene);

// Every question the rules allow about `scene`, in a fixed order (types in enum order),
// with the workings `workings` asks for.
std::vector<QuestionAnswer> AllQuestions(const Scene& scene, const WorkingOptions& workings = {});

// One question drawn by the rules above, using `rng` (the draw does not depend on
// `workings`, only what the answer's working holds).
QuestionAnswer SampleQuestion(const Scene& scene, Rng* rng, const WorkingOptions& workings = {});

// The question an episode step of scene `seed` asks first (and the one evaluation asks):
// SampleQuestion with an Rng derived from the seed, so a scene always comes with the
// same question.
QuestionAnswer QuestionForScene(const Scene& scene, const WorkingOptions& workings = {});

// Questions per VQA step.
inline constexpr int kQuestionsPerVqaStep = 3;

// The questions a VQA step of `scene` asks: QuestionForScene, then further SampleQuestion
// draws (from another Rng derived from the seed) that differ from those before, up to
// kQuestionsPerVqaStep (fewer only if 64 draws find no new one; every scene allows more
// than 3 questions, so that does not happen); with workings.every_colour_question, then
// the colour question of each unique-shape object not asked yet, in caption order.
// Deterministic; the sampled questions are the same whatever `workings` says.
std::vector<QuestionAnswer> QuestionsForScene(const Scene& scene, const WorkingOptions& workings = {});

// Formats.
inline constexpr char kCaptionPrompt[] = "caption:";
inline constexpr char kQuestionPrefix[] = "q:";
inline constexpr char kAnswerMarker[] = "a:";

// Between a working and its answer: "<working>, so <answer>".
inline constexpr char kWorkingSeparator[] = ", so ";

// "<working>, so <answer>", or `answer` alone when `working` is empty.
std::string JoinAnswer(absl::string_view working, absl::string_view answer);

// What a VQA step writes after " a: ": JoinAnswer(qa.working, qa.answer).
std::string AnswerText(const QuestionAnswer& qa);

// An answer as written after " a: " (AnswerText's form), parted at the last
// kWorkingSeparator: the working before it (empty when there is none) and the answer
// after it, spaces trimmed. A text without the separator is all answer.
struct WrittenAnswer {
  std::string working;
  std::string answer;
};
WrittenAnswer SplitAnswer(absl::string_view text);

// "caption: <caption>".
std::string CaptionStepText(const Scene& scene);
// "caption: <caption> q: <question> a:": what inference feeds after the image to ask
// `question` once the model has described the image as `caption`.
std::string VqaPrompt(absl::string_view caption, absl::string_view question);
// "caption: <Caption(scene)> q: <q1> a: <a1> q: <q2> a: <a2> ..." for
// QuestionsForScene(scene, workings).
std::string VqaStepText(const Scene& scene, const WorkingOptions& workings = {});
// The same text for given questions (with none it is the caption step text).
std::string VqaStepText(absl::string_view caption, const std::vector<QuestionAnswer>& questions);
// The direct form without the caption, "q: <question> a: <answer>".
std::string DirectVqaStepText(const QuestionAnswer& qa);

// One thing a step text teaches: what the model is fed (`prompt`, after the image) and
// the text it should write next (`answer`, without the separating space).
struct PromptAndAnswer {
  std::string prompt;    // "caption:", "caption: <caption> q: <question> a:", or "q: <question> a:"
  std::string answer;    // the caption or one answer
  std::string question;  // the question asked (empty for the caption)
};

// Every prompt / answer pair of a step text made by CaptionStepText (the caption),
// VqaStepText (the caption, then each question's answer, each prompt holding everything
// before it) or DirectVqaStepText (its answer). InvalidArgument, quoting the text, when it
// has none of these forms or holds an empty caption, question or answer.
absl::StatusOr<std::vector<PromptAndAnswer>> StepTextPrompts(absl::string_view text);

// What the model wrote after a prompt, up to the point where it goes on to ask a
// question itself: the text before the first " q:" (all of it when there is none; empty
// when it starts with "q:"), surrounding spaces removed.
std::string UpToNextQuestion(absl::string_view generated);

// A user's question made into the scene language's form: surrounding whitespace trimmed,
// inner runs of whitespace made single spaces, ASCII letters lower-cased, a "?" appended
// when missing. InvalidArgument for an empty question, one with characters outside
// printable ASCII, one longer than kMaxQuestionLength, or one with a step text's marker
// as a word ("caption:", "q:", "a:": two questions in one, or a prompt of its own).
absl::StatusOr<std::string> NormalizeQuestion(absl::string_view question);

// The longest question NormalizeQuestion accepts, in characters: the scene language's
// are under 50, and a long one would crowd the caption and answer out of the model's
// local positions.
inline constexpr size_t kMaxQuestionLength = 200;

// Lines of the scene language for the text tokenizer's corpus: every word, the direct
// prompt of every question template, then for scene seeds 0..num_scenes-1 the caption
// step text and the direct VQA step text of one question of each type the scene allows.
// Deterministic.
std::vector<std::string> SceneLanguageCorpus(int num_scenes);

}  // namespace calico

#endif  // CALICO_ENVS_SCENES_SCENE_LANGUAGE_H_
