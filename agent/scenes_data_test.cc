#include "agent/scenes_data.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/train_data.h"
#include "base/file_io.h"
#include "base/png.h"
#include "base/status_matchers.h"
#include "envs/scenes/scene.h"
#include "envs/scenes/scene_language.h"
#include "envs/scenes/scene_renderer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "replay/dataset.h"
#include "tokenizers/text/text_tokenizer.h"
#include "tokenizers/vocabulary.h"

namespace calico {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kTextModel[] = "tokenizers/text/calico_text.model";

std::string TempDir(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

ScenesDatasetOptions Small(const std::string& name) {
  ScenesDatasetOptions options;
  options.directory = TempDir(name);
  options.episodes = 4;
  options.first_seed = 100;
  return options;
}

TEST(ScenesDataTest, OptionsKeepTrainingAndEvalSeedsApart) {
  ScenesDatasetOptions options = Small("unused");
  EXPECT_OK(options.Validate());
  options.first_seed = kFirstEvalSeed - 10;  // 4 episodes x 5 scenes reach 1000009
  EXPECT_THAT(options.Validate(), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("999990..1000009 reach the held-out evaluation range")));
  options.eval_set = true;
  EXPECT_THAT(options.Validate(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--first_seed is 999990")));
  options.first_seed = kFirstEvalSeed;
  EXPECT_OK(options.Validate());
  options.first_seed = UINT64_MAX - 3;
  EXPECT_THAT(options.Validate(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("overflow")));
  options = Small("unused");
  options.size = 60;
  EXPECT_THAT(options.Validate(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("multiple of 16")));
  options = Small("unused");
  options.size = 368;  // 529 patches: no room for the text in 512 positions
  EXPECT_THAT(options.Validate(), StatusIs(absl::StatusCode::kInvalidArgument,
                                           AllOf(HasSubstr("size 368 gives 529 image patches"),
                                                 HasSubstr("expected a size of at most 352"))));
  options.size = 352;
  EXPECT_OK(options.Validate());
  options = Small("unused");
  options.pairs = 1;
  EXPECT_THAT(options.Validate(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("pairs")));
  EXPECT_THAT(ParseScenesKind("captions"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("caption, vqa, mixed or vqa_text")));
  ASSERT_OK_AND_ASSIGN(ScenesKind text_only, ParseScenesKind("vqa_text"));
  EXPECT_EQ(text_only, ScenesKind::kVqaText);
  options = Small("unused");
  options.kind = ScenesKind::kVqaText;
  EXPECT_OK(options.Validate());
  options.png_directory = TempDir("no-images");
  EXPECT_THAT(options.Validate(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("vqa_text episodes have none")));
}

TEST(ScenesDataTest, EpisodesAreImageTextStepsOfConsecutiveScenes) {
  ASSERT_OK_AND_ASSIGN(auto renderer, SceneRenderer::Create({64, 64}));
  ASSERT_OK_AND_ASSIGN(Episode caption, MakeScenesEpisode(renderer.get(), kScenesCaptionTask, 40, 5));
  ASSERT_OK_AND_ASSIGN(Episode vqa, MakeScenesEpisode(renderer.get(), kScenesVqaTask, 40, 5));
  ASSERT_EQ(caption.steps.size(), 5u);
  EXPECT_TRUE(caption.action_spec.empty());
  EXPECT_EQ(caption.seed, 40u);
  for (int j = 0; j < 5; ++j) {
    const Scene scene = SampleScene(40 + j);
    EXPECT_EQ(caption.steps[j].observation.at("text").text, CaptionStepText(scene));
    EXPECT_EQ(vqa.steps[j].observation.at("text").text, VqaStepText(scene));
    EXPECT_EQ(caption.steps[j].observation.at("image").shape, (std::vector<int64_t>{64, 64, 3}));
    ASSERT_OK_AND_ASSIGN(Array image, renderer->Render(scene));
    EXPECT_EQ(vqa.steps[j].observation.at("image").bytes, image.bytes);
    EXPECT_FALSE(vqa.steps[j].action.has_value());
  }
  EXPECT_THAT(MakeScenesEpisode(renderer.get(), "scenes/other", 0, 5).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("scenes/other")));
}

// WorkingOptions reach the VQA texts (and only those); the images are the same.
TEST(ScenesDataTest, ColourWorkingsChangeOnlyTheVqaTexts) {
  ASSERT_OK_AND_ASSIGN(auto renderer, SceneRenderer::Create({64, 64}));
  WorkingOptions colour;
  colour.colour = WorkingOptions::Colour::kShapeColourPairs;
  ASSERT_OK_AND_ASSIGN(Episode plain, MakeScenesEpisode(renderer.get(), kScenesVqaTask, 40, 5));
  ASSERT_OK_AND_ASSIGN(Episode with, MakeScenesEpisode(renderer.get(), kScenesVqaTask, 40, 5, colour));
  ASSERT_OK_AND_ASSIGN(Episode caption, MakeScenesEpisode(renderer.get(), kScenesCaptionTask, 40, 5, colour));
  int changed = 0;
  for (int j = 0; j < 5; ++j) {
    const Scene scene = SampleScene(40 + j);
    EXPECT_EQ(with.steps[j].observation.at("text").text, VqaStepText(scene, colour));
    EXPECT_EQ(with.steps[j].observation.at("image").bytes, plain.steps[j].observation.at("image").bytes);
    EXPECT_EQ(caption.steps[j].observation.at("text").text, CaptionStepText(scene));
    changed += with.steps[j].observation.at("text").text != plain.steps[j].observation.at("text").text;
  }
  EXPECT_GT(changed, 0);  // scenes 40-44 ask some colour question
}

// A vqa_text episode is a VQA episode's text without the images.
TEST(ScenesDataTest, VqaTextEpisodesAreTheVqaTextsWithoutImages) {
  ASSERT_OK_AND_ASSIGN(auto renderer, SceneRenderer::Create({64, 64}));
  ASSERT_OK_AND_ASSIGN(Episode vqa, MakeScenesEpisode(renderer.get(), kScenesVqaTask, 40, 5));
  // No images, so no renderer is needed; the image tasks say they need one.
  ASSERT_OK_AND_ASSIGN(Episode text, MakeScenesEpisode(nullptr, kScenesVqaTextTask, 40, 5));
  EXPECT_THAT(MakeScenesEpisode(nullptr, kScenesVqaTask, 40, 5).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("has no renderer")));
  EXPECT_EQ(text.task, kScenesVqaTextTask);
  EXPECT_EQ(text.observation_spec.count("image"), 0u);
  EXPECT_EQ(text.observation_spec.count("text"), 1u);
  ASSERT_EQ(text.steps.size(), 5u);
  for (int j = 0; j < 5; ++j) {
    EXPECT_EQ(text.steps[j].observation.size(), 1u);
    EXPECT_EQ(text.steps[j].observation.at("text").text, vqa.steps[j].observation.at("text").text);
  }
}

// Three threads rendering 40 episodes finish out of order in practice; the shards must not
// show it: they are the bytes one thread writes, in seed order.
TEST(ScenesDataTest, TheSameOptionsWriteTheSameFilesWhateverThreadFinishesFirst) {
  std::vector<std::string> shards[2];
  for (int run = 0; run < 2; ++run) {
    ScenesDatasetOptions options = Small(absl::StrCat("repeat", run));
    options.episodes = 40;
    options.threads = run == 0 ? 1 : 3;
    ASSERT_OK(WriteScenesDataset(options, nullptr).status());
    for (const auto& entry : std::filesystem::directory_iterator(options.directory)) {
      if (entry.path().extension() != ".tfrecord") continue;
      ASSERT_OK_AND_ASSIGN(std::string bytes, ReadFile(entry.path().string()));
      shards[run].push_back(absl::StrCat(entry.path().filename().string(), ":", bytes));
    }
    std::sort(shards[run].begin(), shards[run].end());
  }
  ASSERT_FALSE(shards[0].empty());
  EXPECT_TRUE(shards[0] == shards[1]) << "the shards of one thread and of three differ";
}

TEST(ScenesDataTest, WritesAMixedDatasetWithPngsThatTrainingLoadsWithControlData) {
  ScenesDatasetOptions options = Small("mixed");
  options.png_directory = TempDir("mixed-png");
  ASSERT_OK_AND_ASSIGN(ScenesReport report, WriteScenesDataset(options, nullptr));
  EXPECT_EQ(report.scenes, 20);
  ASSERT_OK_AND_ASSIGN(Dataset dataset, LoadDataset(options.directory));
  ASSERT_EQ(dataset.episodes.size(), 2u);
  ASSERT_EQ(dataset.episodes.at(kScenesCaptionTask).size(), 2u);
  ASSERT_EQ(dataset.episodes.at(kScenesVqaTask).size(), 2u);
  // Even episodes caption (seeds 100, 110), odd ones ask (105, 115).
  EXPECT_EQ(dataset.episodes.at(kScenesCaptionTask)[0].seed, 100u);
  EXPECT_EQ(dataset.episodes.at(kScenesCaptionTask)[1].seed, 110u);
  EXPECT_EQ(dataset.episodes.at(kScenesVqaTask)[0].seed, 105u);
  // The PNGs hold the same pixels as the dataset; the index lists every scene.
  const Episode& first = dataset.episodes.at(kScenesVqaTask)[0];
  ASSERT_OK_AND_ASSIGN(Image8 png, ReadPng(options.png_directory + "/scene-107.png", 3));
  EXPECT_EQ(png.pixels, first.steps[2].observation.at("image").bytes);
  ASSERT_OK_AND_ASSIGN(std::string index, ReadFile(options.png_directory + "/index.tsv"));
  EXPECT_TRUE(absl::StrContains(index, absl::StrCat("scene-107.png\t107\t", first.steps[2].observation.at("text").text)));
  EXPECT_EQ(std::count(index.begin(), index.end(), '\n'), 21);

  // Without append, the same directory is refused; a second run elsewhere is identical.
  EXPECT_FALSE(WriteScenesDataset(options, nullptr).ok());
  ScenesDatasetOptions again = Small("mixed-again");
  again.threads = 1;
  ASSERT_OK(WriteScenesDataset(again, nullptr).status());
  ASSERT_OK_AND_ASSIGN(Dataset other, LoadDataset(again.directory));
  for (const auto& [task, list] : dataset.episodes) {
    for (size_t e = 0; e < list.size(); ++e) {
      ASSERT_OK_AND_ASSIGN(std::string a, SerializeEpisode(list[e]));
      ASSERT_OK_AND_ASSIGN(std::string b, SerializeEpisode(other.episodes.at(task)[e]));
      EXPECT_EQ(a, b) << task << " " << e;
    }
  }

  // A control dataset beside it: the training data path mixes both.
  const std::string control_dir = TempDir("control");
  {
    DatasetWriterOptions writer_options;
    writer_options.directory = control_dir;
    ASSERT_OK_AND_ASSIGN(auto writer, DatasetWriter::Open(writer_options));
    for (int e = 0; e < 2; ++e) {
      Episode episode;
      episode.task = "mujoco/toy";
      episode.observation_spec["x"] = {"x", {2}, DType::kFloat32, {}, {}};
      episode.action_spec["u"] = {"u", {1}, DType::kFloat32, {-1}, {1}};
      episode.seed = e;
      for (int t = 0; t < 6; ++t) {
        Timestep step;
        step.observation["x"] = Array::Float({2}, {0.1f * t, -0.2f});
        if (t < 5) step.action = NamedArrays{{"u", Array::Float({1}, {0.5f})}};
        episode.steps.push_back(step);
        episode.step_types.push_back(t == 0 ? StepType::kFirst : t == 5 ? StepType::kLast : StepType::kMid);
        episode.rewards.push_back(0);
        episode.discounts.push_back(1);
      }
      ASSERT_OK(writer->Add(episode).status());
    }
    ASSERT_OK(writer->Close());
  }
  ASSERT_OK_AND_ASSIGN(auto text, TextTokenizer::Load(kTextModel));
  ASSERT_OK_AND_ASSIGN(Vocabulary vocab, Vocabulary::Create(text->vocab_size()));
  TrainingDataOptions data_options;
  data_options.datasets = {options.directory, control_dir};
  data_options.batch_size = 16;
  data_options.sequence_length = 256;
  data_options.text_model_path = kTextModel;
  data_options.model_vocab_size = vocab.size();
  ASSERT_OK_AND_ASSIGN(auto data, TrainingData::Load(data_options));
  EXPECT_EQ(data->tasks(), (std::vector<std::string>{"mujoco/toy", kScenesCaptionTask, kScenesVqaTask}));
  ASSERT_OK_AND_ASSIGN(TrainingBatch batch, data->Next(7, 0));
  std::set<int32_t> tasks(batch.row_task.begin(), batch.row_task.end());
  EXPECT_EQ(tasks.size(), 3u);
  int eos = 0;
  for (int32_t id : batch.batch.ids) eos += id == vocab.eos_id();
  EXPECT_GT(eos, 0);
  EXPECT_GT(batch.batch.patch_row.size(), 0u);
}

// A token counter that counts steps and, from its `fail_at`-th call on (1-based), fails,
// or at its `stop_at`-th call raises `stop`. WriteScenesDataset calls it once per episode
// written, and before rendering once per planned episode whose text may not fit beside
// the image (at 352x352 every one; at 64x64 no caption episode).
TokenCounter CountingCounter(std::atomic<int>* calls, int fail_at, int stop_at, std::atomic<bool>* stop) {
  return [=](const Episode& episode) -> absl::StatusOr<int64_t> {
    const int call = ++*calls;
    if (call == stop_at) stop->store(true);
    if (fail_at > 0 && call >= fail_at) {
      return absl::InvalidArgumentError(absl::StrCat("episode of seed ", episode.seed, " does not fit"));
    }
    return static_cast<int64_t>(episode.steps.size());
  };
}

TEST(ScenesDataTest, EveryStepIsCheckedBeforeAnythingIsWritten) {
  ScenesDatasetOptions options = Small("checked");
  options.size = 352;  // 484 patches: every step is counted
  options.png_directory = TempDir("checked-png");
  std::atomic<int> calls{0};
  std::atomic<bool> unused{false};
  options.count_tokens = CountingCounter(&calls, /*fail_at=*/3, /*stop_at=*/0, &unused);  // the third planned episode
  EXPECT_THAT(WriteScenesDataset(options, nullptr).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("scenes/caption episode 2 (scene seeds from 110), checked before writing: "),
                             HasSubstr("episode of seed 110 does not fit; nothing was written"))));
  EXPECT_FALSE(PathExists(options.directory));
  EXPECT_FALSE(PathExists(options.png_directory));
}

TEST(ScenesDataTest, AStopRequestKeepsTheFinishedEpisodes) {
  ScenesDatasetOptions options = Small("stopped");
  options.threads = 1;
  options.kind = ScenesKind::kCaption;  // short texts: only written episodes are counted
  std::atomic<int> calls{0};
  std::atomic<bool> stop{false};
  options.stop = &stop;
  options.count_tokens = CountingCounter(&calls, /*fail_at=*/0, /*stop_at=*/2, &stop);  // the second written
  ASSERT_OK_AND_ASSIGN(ScenesReport report, WriteScenesDataset(options, nullptr));
  EXPECT_TRUE(report.stopped);
  EXPECT_EQ(report.episodes, 2);
  EXPECT_EQ(report.scenes, 10);
  ASSERT_OK_AND_ASSIGN(Dataset dataset, LoadDataset(options.directory));
  EXPECT_EQ(dataset.episodes.at(kScenesCaptionTask).size(), 2u);
}

TEST(ScenesDataTest, AFailureKeepsTheEpisodesWrittenBeforeIt) {
  ScenesDatasetOptions options = Small("failed");
  options.threads = 1;
  options.kind = ScenesKind::kCaption;  // short texts: only written episodes are counted
  std::atomic<int> calls{0};
  std::atomic<bool> unused{false};
  options.count_tokens = CountingCounter(&calls, /*fail_at=*/3, /*stop_at=*/0, &unused);  // the third written
  EXPECT_THAT(WriteScenesDataset(options, nullptr).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("episode of seed 110 does not fit (the dataset keeps the 2 episodes written before it)")));
  ASSERT_OK_AND_ASSIGN(Dataset dataset, LoadDataset(options.directory));
  EXPECT_EQ(dataset.episodes.at(kScenesCaptionTask).size(), 2u);
}

TEST(ScenesDataTest, AppendingKeepsThePngIndex) {
  ScenesDatasetOptions options = Small("png-append");
  options.png_directory = TempDir("png-append-png");
  ASSERT_OK(WriteScenesDataset(options, nullptr).status());
  options.append = true;
  options.first_seed = 200;
  ASSERT_OK(WriteScenesDataset(options, nullptr).status());
  ASSERT_OK_AND_ASSIGN(std::string index, ReadFile(options.png_directory + "/index.tsv"));
  EXPECT_EQ(std::count(index.begin(), index.end(), '\n'), 41);  // the header and 2 x 20 scenes
  EXPECT_THAT(index, AllOf(HasSubstr("\nscene-100.png\t100\t"), HasSubstr("\nscene-219.png\t219\t")));
  // An index.tsv calico did not write is refused, before anything is written.
  ScenesDatasetOptions foreign = Small("png-foreign");
  foreign.png_directory = TempDir("png-foreign-png");
  ASSERT_OK(MakeDirectories(foreign.png_directory));
  ASSERT_OK(WriteFileAtomically(foreign.png_directory + "/index.tsv", "name,age\n"));
  EXPECT_THAT(WriteScenesDataset(foreign, nullptr).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is not an index calico scenes wrote")));
  EXPECT_FALSE(PathExists(foreign.directory));
}

// Every PNG path is checked before any scene is rendered: an earlier run's PNG of the
// same seed is replaced, a file of another kind or a directory there is refused and kept.
TEST(ScenesDataTest, APngPathHoldingSomethingElseIsRefusedBeforeRendering) {
  ScenesDatasetOptions options = Small("png-clash");
  options.png_directory = TempDir("png-clash-png");
  ASSERT_OK(WriteScenesDataset(options, nullptr).status());
  // The same seeds again into a new dataset: the PNGs are the same scenes, replaced.
  options.directory = TempDir("png-clash-again");
  ASSERT_OK(WriteScenesDataset(options, nullptr).status());

  ScenesDatasetOptions clash = Small("png-clash-text");
  clash.png_directory = TempDir("png-clash-text-png");
  ASSERT_OK(MakeDirectories(clash.png_directory));
  const std::string text_path = clash.png_directory + "/scene-103.png";
  ASSERT_OK(WriteFileAtomically(text_path, "hello\n"));
  EXPECT_THAT(WriteScenesDataset(clash, nullptr).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("--png: '" + text_path + "' exists and is not a PNG; refusing to replace it")));
  ASSERT_OK_AND_ASSIGN(std::string kept, ReadFile(text_path));
  EXPECT_EQ(kept, "hello\n");
  EXPECT_FALSE(PathExists(clash.directory));
  EXPECT_FALSE(PathExists(clash.png_directory + "/scene-100.png"));  // nothing rendered

  // The last scene of the run (seed 119) taken by a directory: found before the first.
  ScenesDatasetOptions blocked = Small("png-clash-dir");
  blocked.png_directory = TempDir("png-clash-dir-png");
  ASSERT_OK(MakeDirectories(blocked.png_directory + "/scene-119.png"));
  EXPECT_THAT(WriteScenesDataset(blocked, nullptr).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("scene-119.png' exists and is not a regular file")));
  EXPECT_FALSE(PathExists(blocked.directory));
  EXPECT_FALSE(PathExists(blocked.png_directory + "/scene-100.png"));
}

// A run killed outright (no stop request) keeps an index of the PNGs of all but its
// last png_index_every episodes: the index is rewritten as episodes finish.
TEST(ScenesDataTest, ThePngIndexIsRewrittenDuringTheRun) {
  ScenesDatasetOptions options = Small("png-during");
  options.png_directory = TempDir("png-during-png");
  options.threads = 1;
  options.kind = ScenesKind::kCaption;  // short texts: only written episodes are counted
  options.png_index_every = 1;
  // Each episode is counted as it is written, after the episodes before it finished: the
  // index then lists their scenes.
  std::vector<int64_t> index_lines;
  options.count_tokens = [&](const Episode& episode) -> absl::StatusOr<int64_t> {
    absl::StatusOr<std::string> index = ReadFile(options.png_directory + "/index.tsv");
    index_lines.push_back(index.ok() ? std::count(index->begin(), index->end(), '\n') : -1);
    return static_cast<int64_t>(episode.steps.size());
  };
  ASSERT_OK(WriteScenesDataset(options, nullptr).status());
  EXPECT_THAT(index_lines, ElementsAre(-1, 6, 11, 16));  // the header and 5 scenes per finished episode
  ASSERT_OK_AND_ASSIGN(std::string index, ReadFile(options.png_directory + "/index.tsv"));
  EXPECT_EQ(std::count(index.begin(), index.end(), '\n'), 21);

  // Every second finished episode: after episodes 2 and 4 only.
  options.directory = TempDir("png-during-2");
  options.png_directory = TempDir("png-during-2-png");
  options.png_index_every = 2;
  index_lines.clear();
  ASSERT_OK(WriteScenesDataset(options, nullptr).status());
  EXPECT_THAT(index_lines, ElementsAre(-1, -1, 11, 11));

  options.png_index_every = 0;
  EXPECT_THAT(options.Validate(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("png_index_every is 0")));
}

TEST(ScenesDataTest, AnAppendOfAnotherImageSizeIsRefusedBeforeRendering) {
  ScenesDatasetOptions options = Small("other-size");
  options.kind = ScenesKind::kCaption;
  ASSERT_OK(WriteScenesDataset(options, nullptr).status());
  options.append = true;
  options.first_seed = 200;
  options.size = 2 * options.size;
  EXPECT_THAT(WriteScenesDataset(options, nullptr).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr(absl::StrCat("holds scenes/caption scenes of ", options.size / 2, "x",
                                              options.size / 2, " pixels; --size=", options.size,
                                              " would add others"))));
  // Another task of the same directory may have its own size.
  options.kind = ScenesKind::kVqa;
  ASSERT_OK(WriteScenesDataset(options, nullptr).status());
}

// One task keeps one form of colour answer: an append in the other form is refused
// before anything is written, in either direction; the same form appends.
TEST(ScenesDataTest, AnAppendOfTheOtherColourAnswerFormIsRefused) {
  using Colour = WorkingOptions::Colour;
  const std::vector<Colour> forms = {Colour::kNone, Colour::kCaptionPrefix, Colour::kShapeColourPairs,
                                     Colour::kShapeColourLookup};
  for (Colour stored : forms) {
    ScenesDatasetOptions options = Small(absl::StrCat("form-", ColourWorkingName(stored)));
    options.kind = ScenesKind::kVqaText;  // no rendering: the texts are what matter here
    options.workings.colour = stored;
    ASSERT_OK(WriteScenesDataset(options, nullptr).status());
    options.append = true;
    options.first_seed = 500;
    for (Colour other_form : forms) {
      if (other_form == stored) continue;
      ScenesDatasetOptions other = options;
      other.workings.colour = other_form;
      EXPECT_THAT(WriteScenesDataset(other, nullptr).status(),
                  StatusIs(absl::StatusCode::kFailedPrecondition,
                           AllOf(HasSubstr(absl::StrCat("colour answers have the working form '",
                                                        ColourWorkingName(stored), "'")),
                                 HasSubstr(absl::StrCat("use --colour_working=", ColourWorkingName(stored))))));
    }
    ASSERT_OK_AND_ASSIGN(const Dataset before, LoadDataset(options.directory));
    EXPECT_EQ(before.episodes.at(kScenesVqaTextTask).size(), 4u);
    ASSERT_OK(WriteScenesDataset(options, nullptr).status());
    ASSERT_OK_AND_ASSIGN(const Dataset after, LoadDataset(options.directory));
    EXPECT_EQ(after.episodes.at(kScenesVqaTextTask).size(), 8u);
  }
  // Captions have no colour answers: any form appends them.
  ScenesDatasetOptions captions = Small("form-captions");
  captions.kind = ScenesKind::kVqaText;
  ASSERT_OK(WriteScenesDataset(captions, nullptr).status());
  captions.append = true;
  captions.kind = ScenesKind::kCaption;
  captions.first_seed = 900;
  captions.workings.colour = Colour::kShapeColourPairs;
  EXPECT_OK(WriteScenesDataset(captions, nullptr).status());
}

// Writes the vqa_text episodes `options` asks for and checks that the first one's texts
// are what its workings regenerate from the scenes' seeds.
void WriteVqaTextsAndExpectRegenerable(const ScenesDatasetOptions& options) {
  ASSERT_OK(WriteScenesDataset(options, nullptr).status());
  ASSERT_OK_AND_ASSIGN(const Dataset written, LoadDataset(options.directory));
  const Episode& first = written.episodes.at(kScenesVqaTextTask).front();
  for (size_t j = 0; j < first.steps.size(); ++j) {
    EXPECT_EQ(first.steps[j].observation.at("text").text, VqaStepText(SampleScene(first.seed + j), options.workings));
  }
}

// After refused appends nothing was added (4 episodes), and an append with the stored
// settings (`options`, an append) adds its 4.
void ExpectTheSameSettingsAppend(const ScenesDatasetOptions& options) {
  ASSERT_OK_AND_ASSIGN(const Dataset before, LoadDataset(options.directory));
  EXPECT_EQ(before.episodes.at(kScenesVqaTextTask).size(), 4u);
  ASSERT_OK(WriteScenesDataset(options, nullptr).status());
  ASSERT_OK_AND_ASSIGN(const Dataset after, LoadDataset(options.directory));
  EXPECT_EQ(after.episodes.at(kScenesVqaTextTask).size(), 8u);
}

// Likewise --colour_questions: a task written with every colour question refuses an
// append of sampled ones and the other way round, and takes its own kind.
TEST(ScenesDataTest, AnAppendOfTheOtherColourQuestionsIsRefused) {
  for (bool stored : {false, true}) {
    ScenesDatasetOptions options = Small(absl::StrCat("questions-", ColourQuestionsName(stored)));
    options.kind = ScenesKind::kVqaText;
    options.workings.colour = WorkingOptions::Colour::kShapeColourLookup;
    options.workings.every_colour_question = stored;
    ASSERT_NO_FATAL_FAILURE(WriteVqaTextsAndExpectRegenerable(options));
    options.append = true;
    options.first_seed = 500;
    ScenesDatasetOptions other = options;
    other.workings.every_colour_question = !stored;
    EXPECT_THAT(WriteScenesDataset(other, nullptr).status(),
                StatusIs(absl::StatusCode::kFailedPrecondition,
                         AllOf(HasSubstr(absl::StrCat("written with --colour_questions=", ColourQuestionsName(stored))),
                               HasSubstr(absl::StrCat("use --colour_questions=", ColourQuestionsName(stored))))));
    ExpectTheSameSettingsAppend(options);
  }
}

// Likewise --count_existence_working, in either direction; with the stored form the
// every_colour_question check still reads the stored steps right (it regenerates them).
TEST(ScenesDataTest, AnAppendOfTheOtherCountExistenceWorkingIsRefused) {
  using CountExistence = WorkingOptions::CountExistence;
  for (CountExistence stored : {CountExistence::kNone, CountExistence::kShapeLookup}) {
    for (bool every : {false, true}) {
      ScenesDatasetOptions options = Small(
          absl::StrCat("count-", CountExistenceWorkingName(stored), "-", ColourQuestionsName(every)));
      options.kind = ScenesKind::kVqaText;
      options.workings.colour = WorkingOptions::Colour::kShapeColourLookup;
      options.workings.every_colour_question = every;
      options.workings.count_existence = stored;
      ASSERT_NO_FATAL_FAILURE(WriteVqaTextsAndExpectRegenerable(options));
      options.append = true;
      options.first_seed = 500;
      ScenesDatasetOptions other = options;
      other.workings.count_existence =
          stored == CountExistence::kNone ? CountExistence::kShapeLookup : CountExistence::kNone;
      EXPECT_THAT(WriteScenesDataset(other, nullptr).status(),
                  StatusIs(absl::StatusCode::kFailedPrecondition,
                           AllOf(HasSubstr(absl::StrCat("written with --count_existence_working=",
                                                        CountExistenceWorkingName(stored))),
                                 HasSubstr(absl::StrCat("use --count_existence_working=",
                                                        CountExistenceWorkingName(stored))))));
      other = options;
      other.workings.every_colour_question = !every;
      EXPECT_THAT(WriteScenesDataset(other, nullptr).status(),
                  StatusIs(absl::StatusCode::kFailedPrecondition,
                           HasSubstr(absl::StrCat("use --colour_questions=", ColourQuestionsName(every)))));
      // Both changed: the stored every_colour_question is still found (the stored steps
      // are regenerated with the stored count form, not the append's), and named first.
      other.workings.count_existence =
          stored == CountExistence::kNone ? CountExistence::kShapeLookup : CountExistence::kNone;
      EXPECT_THAT(WriteScenesDataset(other, nullptr).status(),
                  StatusIs(absl::StatusCode::kFailedPrecondition,
                           HasSubstr(absl::StrCat("use --colour_questions=", ColourQuestionsName(every)))));
      ExpectTheSameSettingsAppend(options);
    }
  }
}

TEST(ScenesDataTest, AppendsKeepHeldOutAndTrainingScenesApartAndWarnOfRepeats) {
  ScenesDatasetOptions options = Small("apart");
  options.kind = ScenesKind::kVqaText;  // no rendering: the seeds are what matter here
  ASSERT_OK(WriteScenesDataset(options, nullptr).status());
  options.append = true;
  ScenesDatasetOptions held_out = options;
  held_out.eval_set = true;
  held_out.first_seed = kFirstEvalSeed;
  EXPECT_THAT(WriteScenesDataset(held_out, nullptr).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("holds training scenes (scenes/vqa_text episodes from seed 100); an evaluation set "
                                 "(--eval_set) goes in a directory of its own")));
  // The other way round: training scenes appended to an evaluation set.
  ScenesDatasetOptions eval_set = Small("apart-eval");
  eval_set.kind = ScenesKind::kVqaText;
  eval_set.eval_set = true;
  eval_set.first_seed = kFirstEvalSeed;
  ASSERT_OK(WriteScenesDataset(eval_set, nullptr).status());
  ScenesDatasetOptions training = eval_set;
  training.append = true;
  training.eval_set = false;
  training.first_seed = 0;
  EXPECT_THAT(WriteScenesDataset(training, nullptr).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("holds held-out scenes")));
  // Scenes the dataset holds already: written, with a warning.
  options.first_seed = 110;
  std::ostringstream progress;
  ASSERT_OK(WriteScenesDataset(options, &progress).status());
  EXPECT_THAT(progress.str(), HasSubstr("warning: scene seeds 110..129 meet those of the scenes/vqa_text episodes "
                                        "already in "));
  options.first_seed = 200;
  std::ostringstream fresh;
  ASSERT_OK(WriteScenesDataset(options, &fresh).status());
  EXPECT_THAT(fresh.str(), Not(HasSubstr("warning")));
  ASSERT_OK_AND_ASSIGN(Dataset dataset, LoadDataset(options.directory));
  EXPECT_EQ(dataset.episodes.at(kScenesVqaTextTask).size(), 12u);
}

// vqa_text episodes (no image) train like any other: rows of text ending in EOS, no patches.
TEST(ScenesDataTest, VqaTextDatasetsTrainAsTextOnlyRows) {
  ScenesDatasetOptions options = Small("vqa-text");
  options.kind = ScenesKind::kVqaText;
  ASSERT_OK_AND_ASSIGN(ScenesReport report, WriteScenesDataset(options, nullptr));
  EXPECT_EQ(report.scenes, 20);
  ASSERT_OK_AND_ASSIGN(auto text, TextTokenizer::Load(kTextModel));
  ASSERT_OK_AND_ASSIGN(Vocabulary vocab, Vocabulary::Create(text->vocab_size()));
  TrainingDataOptions data_options;
  data_options.datasets = {options.directory};
  data_options.batch_size = 4;
  // A step holds the caption and three answers, position ones after their working: up to
  // about 140 tokens, and the row keeps half its length for a prompt.
  data_options.sequence_length = 320;
  data_options.text_model_path = kTextModel;
  data_options.model_vocab_size = vocab.size();
  ASSERT_OK_AND_ASSIGN(auto data, TrainingData::Load(data_options));
  EXPECT_EQ(data->tasks(), (std::vector<std::string>{kScenesVqaTextTask}));
  ASSERT_OK_AND_ASSIGN(TrainingBatch batch, data->Next(3, 0));
  int eos = 0;
  for (int32_t id : batch.batch.ids) eos += id == vocab.eos_id();
  EXPECT_GT(eos, 0);
  EXPECT_EQ(batch.batch.patch_row.size(), 0u);
}

// Two datasets of one scene task at two image sizes: training names both directories and
// both specs, not episode numbers of the merged list.
TEST(ScenesDataTest, TrainingNamesTwoDatasetsWhoseSpecsDifferForATask) {
  ScenesDatasetOptions large = Small("size-64");
  large.kind = ScenesKind::kCaption;
  large.episodes = 1;
  ASSERT_OK(WriteScenesDataset(large, nullptr).status());
  ScenesDatasetOptions small = large;
  small.directory = TempDir("size-32");
  small.size = 32;
  small.first_seed = 500;
  ASSERT_OK(WriteScenesDataset(small, nullptr).status());
  ASSERT_OK_AND_ASSIGN(auto text, TextTokenizer::Load(kTextModel));
  ASSERT_OK_AND_ASSIGN(Vocabulary vocab, Vocabulary::Create(text->vocab_size()));
  TrainingDataOptions data_options;
  data_options.datasets = {large.directory, small.directory};
  data_options.batch_size = 4;
  data_options.sequence_length = 256;
  data_options.text_model_path = kTextModel;
  data_options.model_vocab_size = vocab.size();
  EXPECT_THAT(TrainingData::Load(data_options).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(absl::StrCat("datasets ", large.directory, " and ", small.directory, " hold '",
                                              kScenesCaptionTask, "' with different specs: observation 'image' is "
                                              "uint8[64, 64, 3]"))));
  EXPECT_THAT(TrainingData::Load(data_options).status().message(), HasSubstr("uint8[32, 32, 3] in " + small.directory));
  // Either one alone loads.
  data_options.datasets = {small.directory};
  EXPECT_OK(TrainingData::Load(data_options).status());
}

TEST(ScenesDataTest, TrainingRefusesEpisodesFromTheHeldOutRange) {
  ASSERT_OK_AND_ASSIGN(auto text, TextTokenizer::Load(kTextModel));
  ASSERT_OK_AND_ASSIGN(Vocabulary vocab, Vocabulary::Create(text->vocab_size()));
  auto load = [&](const std::string& directory) {
    TrainingDataOptions data_options;
    data_options.datasets = {directory};
    data_options.batch_size = 4;
    data_options.sequence_length = 256;
    data_options.text_model_path = kTextModel;
    data_options.model_vocab_size = vocab.size();
    return TrainingData::Load(data_options).status();
  };
  // An evaluation set written by `calico scenes --eval_set`.
  ScenesDatasetOptions eval_set = Small("eval-set");
  eval_set.eval_set = true;
  eval_set.first_seed = kFirstEvalSeed;
  eval_set.episodes = 2;
  ASSERT_OK(WriteScenesDataset(eval_set, nullptr).status());
  EXPECT_THAT(load(eval_set.directory),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("has seed 1000000 (scenes up to 1000004), in the held-out evaluation range")));

  // A scene episode that starts below the range and runs into it; a training set just
  // below the range loads.
  ASSERT_OK_AND_ASSIGN(auto renderer, SceneRenderer::Create({64, 64}));
  for (uint64_t first : {kFirstEvalSeed - 4, kFirstEvalSeed - 5}) {
    const std::string directory = TempDir(absl::StrCat("edge-", first));
    DatasetWriterOptions writer_options;
    writer_options.directory = directory;
    ASSERT_OK_AND_ASSIGN(auto writer, DatasetWriter::Open(writer_options));
    ASSERT_OK_AND_ASSIGN(Episode episode, MakeScenesEpisode(renderer.get(), kScenesVqaTask, first, 5));
    ASSERT_OK(writer->Add(episode).status());
    ASSERT_OK(writer->Close());
    if (first == kFirstEvalSeed - 4) {
      EXPECT_THAT(load(directory), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("(scenes up to 1000000)")));
    } else {
      EXPECT_OK(load(directory));
    }
  }
}

}  // namespace
}  // namespace calico
