#include "policies/test_models.h"

#include <utility>

#include "base/status_macros.h"
#include "model/checkpoint.h"
#include "model/config.h"
#include "model/trainer.h"

namespace calico {

absl::StatusOr<std::shared_ptr<const Transformer>> RandomPresetModel(const std::string& name, uint64_t seed,
                                                                     int vocab_size, int max_local_positions,
                                                                     int context_length, int num_layers) {
  ASSIGN_OR_RETURN(ModelConfig config, ModelPreset(name));
  if (vocab_size > 0) config.set_vocab_size(vocab_size);
  if (max_local_positions > 0) config.set_max_local_positions(max_local_positions);
  if (context_length > 0) config.set_context_length(context_length);
  if (num_layers > 0) config.set_num_layers(num_layers);
  ASSIGN_OR_RETURN(Transformer model, Transformer::Create(config, seed));
  return std::shared_ptr<const Transformer>(std::make_shared<Transformer>(std::move(model)));
}

absl::StatusOr<float> WriteRandomCheckpoint(const std::string& name, uint64_t seed, const std::string& path,
                                            int vocab_size, int max_local_positions) {
  ASSIGN_OR_RETURN(ModelConfig config, ModelPreset(name));
  if (vocab_size > 0) config.set_vocab_size(vocab_size);
  if (max_local_positions > 0) config.set_max_local_positions(max_local_positions);
  ASSIGN_OR_RETURN(Trainer trainer, Trainer::Create(config, AdamWOptions(), seed));
  RETURN_IF_ERROR(SaveCheckpoint(trainer, path));
  return trainer.model().parameters()[0];
}

}  // namespace calico
