// Model presets (DESIGN.md "Model presets") and validation of a ModelConfig. Pure
// functions, thread-safe.
#ifndef CALICO_MODEL_CONFIG_H_
#define CALICO_MODEL_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/patch_layout.h"  // kPatchSide, kPatchChannels, kPatchValues
#include "model/model_config.pb.h"

namespace calico {

// calico's id space for a 512-piece text vocabulary, padded to a multiple of 64
// (tokenizers/vocabulary.h); the model itself only needs the row count.
inline constexpr int kDefaultVocabSize = 2624;

// Names of the presets, smallest first: nano, small, base, gato-79m, gato-364m, gato-1.18b.
std::vector<std::string> ModelPresetNames();

// The preset called `name`; NotFound naming the known presets otherwise.
absl::StatusOr<ModelConfig> ModelPreset(absl::string_view name);

// A ModelConfig from protobuf text format (a human-written config), validated; every
// field must be written (start from a preset's text, e.g. ModelPreset(...).DebugString()).
// Errors: a syntax error, with its line and column, or an invalid config.
absl::StatusOr<ModelConfig> ParseModelConfigText(absl::string_view text);

// OK if `config` describes a buildable model; otherwise InvalidArgument naming the
// field, its value and what was expected (e.g. heads * head_dim != width).
absl::Status ValidateModelConfig(const ModelConfig& config);

// Fields whose values differ between `a` and `b`, as "field: a vs b" (empty if equal);
// trained_tasks (history, not shape) is left out.
std::vector<std::string> ModelConfigDifferences(const ModelConfig& a, const ModelConfig& b);

}  // namespace calico

#endif  // CALICO_MODEL_CONFIG_H_
