#include "agent/scene_answers.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "envs/scenes/scene_language.h"

namespace calico {

absl::StatusOr<std::vector<SceneAnswer>> DescribeAndAnswer(TextGenerator* generator,
                                                           const std::vector<SceneQuestion>& questions) {
  // A VQA step goes on from its caption with " q:"; a caption step ends there with EOS.
  const std::string stop = absl::StrCat(" ", kQuestionPrefix);
  std::vector<TextRequest> requests;
  std::vector<size_t> described;  // the questions whose caption the model writes
  for (size_t i = 0; i < questions.size(); ++i) {
    if (!questions[i].description.empty()) continue;
    described.push_back(i);
    requests.push_back({questions[i].image, kCaptionPrompt, questions[i].seed, stop});
  }
  std::vector<SceneAnswer> out(questions.size());
  for (size_t i = 0; i < questions.size(); ++i) {
    out[i].caption = questions[i].description;
    out[i].finished = true;
  }
  if (!requests.empty()) {
    ASSIGN_OR_RETURN(std::vector<GeneratedText> captions, generator->Generate(requests));
    for (size_t k = 0; k < described.size(); ++k) {
      out[described[k]].caption = UpToNextQuestion(captions[k].text);
      out[described[k]].finished = captions[k].finished;
    }
  }
  requests.clear();
  std::vector<size_t> asked;
  for (size_t i = 0; i < questions.size(); ++i) {
    if (questions[i].question.empty()) continue;
    std::string prompt = VqaPrompt(out[i].caption, questions[i].question);
    // A long caption (a large max_tokens, a model that rambles) can fill the model's local
    // positions: that question goes unanswered instead of failing the whole batch.
    ASSIGN_OR_RETURN(const int room, generator->Room(questions[i].image, prompt));
    if (room < 1) {
      out[i].finished = false;
      out[i].no_room = true;
      continue;
    }
    asked.push_back(i);
    requests.push_back({questions[i].image, std::move(prompt), questions[i].seed, stop});
  }
  if (requests.empty()) return out;
  ASSIGN_OR_RETURN(std::vector<GeneratedText> answers, generator->Generate(requests));
  for (size_t k = 0; k < asked.size(); ++k) {
    SceneAnswer& answer = out[asked[k]];
    WrittenAnswer written = SplitAnswer(UpToNextQuestion(answers[k].text));
    answer.answer = std::move(written.answer);
    answer.working = std::move(written.working);
    answer.finished = answer.finished && answers[k].finished;
  }
  return out;
}

}  // namespace calico
