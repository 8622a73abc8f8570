// Captions and answers about images from a model trained on the scene tasks: the model
// describes each image first (prompt "caption:"), then answers its question after its
// own caption (prompt "caption: <its caption> q: <question> a:"), as a VQA step of
// envs/scenes/scene_language.h trains it to. `calico caption`, `calico ask` and the
// evaluation suite's vision-language tasks all answer through here.
#ifndef CALICO_AGENT_SCENE_ANSWERS_H_
#define CALICO_AGENT_SCENE_ANSWERS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "envs/array.h"
#include "policies/text_generator.h"

namespace calico {

// One image and what to ask about it.
struct SceneQuestion {
  Array image;           // uint8 [h, w, 3], the generator's image size; NoImage(): text alone
  std::string question;  // in the scene language's form (NormalizeQuestion); empty: caption only
  uint64_t seed = 0;     // sampling seed of both decodes (TextRequest::seed)
  // Not empty: the description the question is answered after, given rather than
  // written by the model (no caption is decoded). scenes/vqa_text gives the scene's
  // caption with NoImage(), so the answer can come from the text alone.
  std::string description;
};

// What the model wrote.
struct SceneAnswer {
  std::string caption;    // its description of the image
  std::string answer;     // its answer to the question (empty when none was asked)
  bool finished = false;  // every decode ended (EOS, or the start of a next question) within max_tokens
  // The caption and the question filled the model's local positions or context, so no
  // answer was decoded (`answer` empty, `finished` false).
  bool no_room = false;
  std::string working;  // what it wrote before the answer, if anything (SplitAnswer)
};

// Decodes the caption of every image without a given description (one batch of
// decodes; a given one is taken as it is), then the answer of every question (a second
// batch); each text is cut where the model starts a next question
// (" q:", UpToNextQuestion), and an answer is parted from its working (SplitAnswer). A
// question whose prompt, after the caption, leaves the model no room to answer is not
// decoded (SceneAnswer::no_room). Errors: the generator's (an image of another size, a
// "caption:" prompt the model cannot hold).
absl::StatusOr<std::vector<SceneAnswer>> DescribeAndAnswer(TextGenerator* generator,
                                                           const std::vector<SceneQuestion>& questions);

}  // namespace calico

#endif  // CALICO_AGENT_SCENE_ANSWERS_H_
