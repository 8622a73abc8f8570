// Models for the transformer policy's tests and benchmark: presets with random weights
// and checkpoints written from them.
#ifndef CALICO_POLICIES_TEST_MODELS_H_
#define CALICO_POLICIES_TEST_MODELS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "model/model_config.pb.h"
#include "model/transformer.h"

namespace calico {

// The preset `name` ("nano", "small", ...) with random weights from `seed`; optionally
// with another vocab_size / max_local_positions / context_length / num_layers (0 keeps
// the preset's).
// Thread-safe (a fresh model each call).
absl::StatusOr<std::shared_ptr<const Transformer>> RandomPresetModel(const std::string& name, uint64_t seed,
                                                                     int vocab_size = 0,
                                                                     int max_local_positions = 0,
                                                                     int context_length = 0,
                                                                     int num_layers = 0);

// Writes a checkpoint of a fresh `name` trainer (random weights from `seed`; optionally
// another vocab_size / max_local_positions, 0 keeps the preset's) to `path` and returns
// the trainer's model parameters' first value, for checking a reload.
absl::StatusOr<float> WriteRandomCheckpoint(const std::string& name, uint64_t seed, const std::string& path,
                                            int vocab_size = 0, int max_local_positions = 0);

}  // namespace calico

#endif  // CALICO_POLICIES_TEST_MODELS_H_
