// Checkpoints: everything a Trainer needs to continue bit-identically.
//
// Binary format, little-endian, version 1:
//   "CALICOCK"          8-byte magic
//   uint32 version
//   uint32 n, bytes[n]  the ModelConfig (serialised protobuf)
//   int64 step          AdamW updates done
//   uint64 rng_state    the Trainer's Rng
//   int64 count         number of parameters (must match the config's layout)
//   float params[count], first_moment[count], second_moment[count]
//   uint64 checksum     FNV-1a 64 of every byte before it
// Written atomically (temporary file, fsync, rename): a crash leaves the old file or
// the new one. The functions are thread-safe for distinct trainers and paths.
#ifndef CALICO_MODEL_CHECKPOINT_H_
#define CALICO_MODEL_CHECKPOINT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "model/model_config.pb.h"
#include "model/trainer.h"

namespace calico {

// Writes `trainer`'s state to `path` atomically.
absl::Status SaveCheckpoint(const Trainer& trainer, const std::string& path);

// The model config stored in the checkpoint at `path` (to create a matching Trainer).
// Errors as for RestoreCheckpoint.
absl::StatusOr<ModelConfig> ReadCheckpointConfig(const std::string& path);

// Replaces `trainer`'s parameters, optimiser state, step and Rng with the checkpoint's.
// Errors (nothing in `trainer` changes): unreadable file, not a calico checkpoint (magic),
// another version, truncated or corrupt data (sizes, checksum), or a config that
// differs from the trainer's, with every differing field listed.
absl::Status RestoreCheckpoint(const std::string& path, Trainer* trainer);

}  // namespace calico

#endif  // CALICO_MODEL_CHECKPOINT_H_
