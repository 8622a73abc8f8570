// `calico caption` and `calico ask`: a trained checkpoint describes a PNG image or answers
// a question about it (issue 7), through the TextGenerator (policies/text_generator.h).
//
// The image is read with libpng (any 8-bit PNG; gray and palette images become RGB, alpha
// is composited onto black). The scene tasks train on 64 x 64 images, so an image of
// another size is resized to 64 x 64 (ResizeImage, base/image_resize.h) and a note says so;
// a caption or answer about a resized image is only as good as the model's view of it.
#ifndef CALICO_AGENT_ASK_H_
#define CALICO_AGENT_ASK_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace calico {

// The image side the model reads (the scene tasks' 64 x 64).
inline constexpr int kAskImageSize = 64;

struct AskOptions {
  std::string checkpoint;  // a checkpoint file, or a training run's directory (its LATEST)
  std::string image_path;  // a PNG file
  // Set: answer this question (after the model's own caption, agent/scene_answers.h);
  // unset: caption the image.
  std::optional<std::string> question;
  double temperature = 0.0;  // 0: greedy
  uint64_t seed = 0;         // for sampling
  int max_tokens = 64;       // most tokens decoded by each decode (caption, answer), EOS included
  std::string text_model_path;  // empty: FindTextModel's default

  // Checkpoint and image given, a question (when set) that NormalizeQuestion accepts (not
  // empty, printable ASCII, not too long, one question), a finite temperature >= 0,
  // max_tokens >= 1.
  absl::Status Validate() const;
};

struct AskResult {
  std::string checkpoint;  // the checkpoint file used
  std::string question;    // the normalised question; empty when captioning
  std::string caption;     // the model's description of the image
  std::string answer;      // its answer to the question (empty when captioning)
  std::string working;     // what it wrote before the answer (position questions), if anything
  bool finished = false;   // every decode ended within max_tokens
  int image_height = 0;    // the PNG's size before any resize
  int image_width = 0;
  bool resized = false;
};

// Reads the image, loads the checkpoint and the text model, and decodes the caption and,
// when a question is set, the answer after it (DescribeAndAnswer). A resize is reported
// on `notes` (if not null). Errors, each naming the thing: options Validate rejects, an
// unreadable file or one that is not a PNG (the path), a missing or corrupt checkpoint or
// run directory without checkpoints, a checkpoint whose vocab_size does not fit the text
// model's vocabulary (it cannot read or write text), a model that cannot hold a 64 x 64
// image and the prompt, a description so long (max_tokens large, the model never ending
// it) that no room is left to answer. `max_tokens` bounds each of the two decodes.
absl::StatusOr<AskResult> AskAboutImage(const AskOptions& options, std::ostream* notes);

}  // namespace calico

#endif  // CALICO_AGENT_ASK_H_
