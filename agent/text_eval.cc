#include "agent/text_eval.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/resource_paths.h"
#include "agent/scenes_data.h"
#include "base/status_macros.h"
#include "envs/scenes/scene.h"
#include "envs/scenes/scene_language.h"
#include "envs/scenes/scene_renderer.h"
#include "policies/transformer_policy.h"
#include "tokenizers/text/text_tokenizer.h"

namespace calico {
namespace {

// Queries answered per answerer call (one progress line each).
constexpr int kChunk = 64;

}  // namespace

bool IsTextTask(const std::string& task) {
  return task == kScenesVqaTask || task == kScenesCaptionTask || task == kScenesVqaTextTask;
}

absl::StatusOr<std::vector<TextQuery>> MakeTextQueries(const std::string& task, uint64_t first_seed, int count) {
  if (!IsTextTask(task)) {
    return absl::InvalidArgumentError(absl::StrCat("task '", task, "' is not a vision-language task (", kScenesVqaTask,
                                                   ", ", kScenesCaptionTask, ", ", kScenesVqaTextTask, ")"));
  }
  if (count < 1) return absl::InvalidArgumentError(absl::StrCat(task, ": ", count, " scenes, expected >= 1"));
  const bool text_only = task == kScenesVqaTextTask;
  std::unique_ptr<SceneRenderer> renderer;
  if (!text_only) {
    ASSIGN_OR_RETURN(renderer, SceneRenderer::Create({64, 64}));
  }
  std::vector<TextQuery> queries;
  queries.reserve(count);
  for (int i = 0; i < count; ++i) {
    TextQuery query;
    query.seed = first_seed + static_cast<uint64_t>(i);
    const Scene scene = SampleScene(query.seed);
    query.objects = static_cast<int>(scene.objects.size());
    if (text_only) {
      query.image = NoImage();
    } else {
      ASSIGN_OR_RETURN(query.image, renderer->Render(scene));
    }
    if (task == kScenesVqaTask || text_only) {
      const QuestionAnswer qa = QuestionForScene(scene);
      query.kind = std::string(QuestionTypeName(qa.type));
      query.question = qa.question;
      query.expected = qa.answer;
      // Answering after a given caption, nothing is described: no description to score.
      if (text_only) {
        query.description = Caption(scene);
      } else {
        query.expected_caption = Caption(scene);
      }
    } else {
      query.kind = "caption";
      query.expected = Caption(scene);
    }
    queries.push_back(std::move(query));
  }
  return queries;
}

TextAnswerer GroundTruthAnswerer() {
  return [](const std::vector<TextQuery>& queries) -> absl::StatusOr<std::vector<SceneAnswer>> {
    std::vector<SceneAnswer> answers;
    for (const TextQuery& query : queries) {
      SceneAnswer answer;
      answer.finished = true;
      if (query.question.empty()) {
        answer.caption = query.expected;
      } else {
        answer.caption = query.description.empty() ? query.expected_caption : query.description;
        answer.answer = query.expected;
      }
      answers.push_back(std::move(answer));
    }
    return answers;
  };
}

TextAnswerer GeneratorAnswerer(std::shared_ptr<TextGenerator> generator) {
  return [generator](const std::vector<TextQuery>& queries) -> absl::StatusOr<std::vector<SceneAnswer>> {
    std::vector<SceneQuestion> questions;
    questions.reserve(queries.size());
    for (const TextQuery& query : queries) {
      questions.push_back({query.image, query.question, query.seed, query.description});
    }
    return DescribeAndAnswer(generator.get(), questions);
  };
}

absl::StatusOr<TextAnswerer> MakeCheckpointTextAnswerer(const std::string& checkpoint_path,
                                                        const std::string& text_model_path,
                                                        TextGeneratorOptions options) {
  ASSIGN_OR_RETURN(std::shared_ptr<const Transformer> model, LoadTransformerFromCheckpoint(checkpoint_path));
  ASSIGN_OR_RETURN(std::string text_path, FindTextModel(text_model_path));
  ASSIGN_OR_RETURN(std::unique_ptr<TextTokenizer> text, TextTokenizer::Load(text_path));
  absl::StatusOr<std::unique_ptr<TextGenerator>> generator =
      TextGenerator::Create(std::move(model), std::shared_ptr<const TextTokenizer>(std::move(text)), options);
  if (!generator.ok()) {
    return absl::Status(generator.status().code(),
                        absl::StrCat("checkpoint ", checkpoint_path, ": ", generator.status().message()));
  }
  return GeneratorAnswerer(std::shared_ptr<TextGenerator>(std::move(generator).value()));
}

absl::StatusOr<TextTaskScore> EvaluateTextTask(const std::string& task, int scenes, uint64_t first_seed,
                                               const TextAnswerer& answer, int samples, uint64_t bootstrap_seed,
                                               std::ostream* progress) {
  const auto start = std::chrono::steady_clock::now();
  if (scenes < 1) return absl::InvalidArgumentError(absl::StrCat(task, ": ", scenes, " scenes, expected >= 1"));
  const size_t total = static_cast<size_t>(scenes);
  std::vector<TextExample> examples;
  // Scenes are rendered one chunk at a time: memory stays at one chunk's images however
  // many scenes the suite asks for.
  for (size_t begin = 0; begin < total; begin += kChunk) {
    const size_t end = std::min(total, begin + kChunk);
    ASSIGN_OR_RETURN(const std::vector<TextQuery> chunk,
                     MakeTextQueries(task, first_seed + begin, static_cast<int>(end - begin)));
    ASSIGN_OR_RETURN(std::vector<SceneAnswer> answers, answer(chunk));
    if (answers.size() != chunk.size()) {
      return absl::InternalError(
          absl::StrCat(task, ": ", chunk.size(), " queries but ", answers.size(), " answers"));
    }
    for (size_t i = 0; i < chunk.size(); ++i) {
      TextExample example;
      example.seed = chunk[i].seed;
      example.kind = chunk[i].kind;
      example.question = chunk[i].question;
      example.expected = chunk[i].expected;
      example.expected_caption = chunk[i].expected_caption;
      example.objects = chunk[i].objects;
      if (chunk[i].question.empty()) {
        example.answer = std::move(answers[i].caption);
      } else {
        example.caption = std::move(answers[i].caption);
        example.answer = std::move(answers[i].answer);
        example.working = std::move(answers[i].working);
      }
      examples.push_back(std::move(example));
    }
    if (progress != nullptr) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const double rate = end / std::max(seconds, 1e-9);
      *progress << absl::StrFormat("  %s: %zu/%zu scenes answered, %.1f scenes/s, ETA %.0f s\n", task, end,
                                   total, rate, (total - end) / std::max(rate, 1e-9));
    }
  }
  return ScoreTextTask(task, std::move(examples), samples, bootstrap_seed);
}

}  // namespace calico
