// End to end, issue 7: a `nano` transformer trained with calico's trainer on a handful of
// rendered scenes learns to answer a one-attribute question ("what colour is the box?")
// about them, describing each scene first and answering after its own caption as the
// scene tasks do (agent/scene_answers.h); the same check fails for the untrained model, so
// passing it means something was learned.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/scene_answers.h"
#include "agent/scenes_data.h"
#include "agent/train.h"
#include "base/status_macros.h"
#include "base/status_matchers.h"
#include "envs/scenes/scene.h"
#include "envs/scenes/scene_language.h"
#include "envs/scenes/scene_renderer.h"
#include "gtest/gtest.h"
#include "policies/text_generator.h"
#include "policies/transformer_policy.h"
#include "replay/dataset.h"
#include "tokenizers/text/text_tokenizer.h"

namespace calico {
namespace {

constexpr char kTextModel[] = "tokenizers/text/calico_text.model";
constexpr int kScenes = 8;

std::string TempDir(const std::string& name) { return absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name); }

// One scene with its image and colour question.
struct Item {
  Scene scene;
  Array image;
  QuestionAnswer qa;
};

// The first training seeds whose scene holds one object, of distinct colours.
std::vector<Item> MakeItems(SceneRenderer* renderer) {
  std::vector<Item> items;
  std::vector<bool> colour_used(kNumColours, false);
  for (uint64_t seed = 0; static_cast<int>(items.size()) < kScenes && seed < 10000; ++seed) {
    Scene scene = SampleScene(seed);
    if (scene.objects.size() != 1 || colour_used[scene.objects[0].colour]) continue;
    colour_used[scene.objects[0].colour] = true;
    const SceneObject& object = scene.objects[0];
    QuestionAnswer qa{QuestionType::kColour, absl::StrCat("what colour is the ", ShapeName(object.shape), "?"),
                      std::string(ColourName(object.colour)), /*working=*/""};
    absl::StatusOr<Array> image = renderer->Render(scene);
    EXPECT_OK(image.status());
    items.push_back({std::move(scene), std::move(image).value(), std::move(qa)});
  }
  return items;
}

// Episode i shows items i and i + 1 (mod n), so every scene starts an episode once.
absl::Status WriteDataset(const std::vector<Item>& items, const std::string& directory) {
  DatasetWriterOptions options;
  options.directory = directory;
  ASSIGN_OR_RETURN(std::unique_ptr<DatasetWriter> writer, DatasetWriter::Open(options));
  const int n = static_cast<int>(items.size());
  for (int i = 0; i < n; ++i) {
    Episode episode;
    episode.task = kScenesVqaTask;
    episode.observation_spec = VisionLanguageObservationSpec(64, 64);
    episode.policy = "ground truth";
    episode.seed = items[i].scene.seed;
    for (int j = 0; j < 2; ++j) {
      const Item& item = items[(i + j) % n];
      Timestep step;
      step.observation["image"] = item.image;
      step.observation["text"] = Array::Text(VqaStepText(Caption(item.scene), {item.qa}));
      episode.steps.push_back(std::move(step));
      episode.step_types.push_back(j == 0 ? StepType::kFirst : StepType::kLast);
      episode.rewards.push_back(0.0);
      episode.discounts.push_back(1.0);
    }
    ASSIGN_OR_RETURN(bool added, writer->Add(episode));
    if (!added) return absl::InternalError("episode filtered out");
  }
  return writer->Close();
}

// How many items' questions `model` answers exactly (greedy, caption first, then the
// answer after it).
int CorrectAnswers(std::shared_ptr<const Transformer> model, std::shared_ptr<const TextTokenizer> text,
                   const std::vector<Item>& items, std::vector<std::string>* answers) {
  TextGeneratorOptions options;
  options.max_tokens = 12;
  absl::StatusOr<std::unique_ptr<TextGenerator>> generator = TextGenerator::Create(model, text, options);
  EXPECT_OK(generator.status());
  if (!generator.ok()) return -1;
  std::vector<SceneQuestion> questions;
  for (const Item& item : items) questions.push_back({item.image, item.qa.question, 0, /*description=*/""});
  absl::StatusOr<std::vector<SceneAnswer>> results = DescribeAndAnswer(generator->get(), questions);
  EXPECT_OK(results.status());
  if (!results.ok()) return -1;
  int correct = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    const SceneAnswer& result = (*results)[i];
    answers->push_back(absl::StrCat(result.answer, "' after '", result.caption));
    correct += result.finished && result.answer == items[i].qa.answer;
  }
  return correct;
}

TEST(VisionLanguageNanoTest, LearnsToAnswerAColourQuestionAboutAHandfulOfScenes) {
  absl::StatusOr<std::unique_ptr<SceneRenderer>> renderer = SceneRenderer::Create({64, 64});
  ASSERT_OK(renderer.status());
  const std::vector<Item> items = MakeItems(renderer->get());
  ASSERT_EQ(static_cast<int>(items.size()), kScenes);
  const std::string data = TempDir("vqa-data"), run = TempDir("vqa-run");
  ASSERT_OK(WriteDataset(items, data));

  TrainConfig config;
  config.add_datasets(data);
  config.set_preset("nano");
  config.set_batch_size(8);
  config.set_sequence_length(96);  // two steps of about 40 positions
  config.set_max_steps(200);
  config.set_learning_rate(3e-3);
  config.set_warmup_steps(20);
  config.set_weight_decay(0.0);
  config.set_log_every_steps(50);
  config.set_output_dir(run);
  config.set_seed(11);
  config.set_threads(1);
  config.set_prompt_probability(0.0);
  ApplyTrainConfigDefaults(&config);
  TrainOptions options;
  options.text_model_path = kTextModel;
  absl::StatusOr<TrainReport> report = RunTraining(config, options);
  ASSERT_OK(report.status());
  EXPECT_LT(report->last_loss, report->first_loss);

  absl::StatusOr<std::unique_ptr<TextTokenizer>> loaded = TextTokenizer::Load(kTextModel);
  ASSERT_OK(loaded.status());
  std::shared_ptr<const TextTokenizer> text(std::move(loaded).value());

  absl::StatusOr<std::string> checkpoint = LatestCheckpoint(run);
  ASSERT_OK(checkpoint.status());
  absl::StatusOr<std::shared_ptr<const Transformer>> trained = LoadTransformerFromCheckpoint(*checkpoint);
  ASSERT_OK(trained.status());
  std::vector<std::string> answers;
  const int correct = CorrectAnswers(*trained, text, items, &answers);
  std::string listing;
  for (size_t i = 0; i < items.size(); ++i) {
    absl::StrAppend(&listing, "  ", items[i].qa.question, " expected '", items[i].qa.answer, "', got '", answers[i],
                    "'\n");
  }
  std::cout << "trained: " << correct << "/" << kScenes << " correct (loss " << report->first_loss << " -> "
            << report->last_loss << ")\n"
            << listing;
  EXPECT_GE(correct, kScenes - 1) << "trained model:\n" << listing;

  // The same check on the untrained model (the run's initialisation) fails.
  absl::StatusOr<Transformer> untrained = Transformer::Create((*trained)->config(), config.seed());
  ASSERT_OK(untrained.status());
  std::vector<std::string> untrained_answers;
  const int untrained_correct = CorrectAnswers(std::make_shared<const Transformer>(std::move(untrained).value()),
                                               text, items, &untrained_answers);
  std::cout << "untrained: " << untrained_correct << "/" << kScenes << " correct; first answer '"
            << untrained_answers[0] << "'\n";
  EXPECT_LE(untrained_correct, 1);
}

}  // namespace
}  // namespace calico
