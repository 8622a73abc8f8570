#include "model/batch.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace calico {
namespace {

absl::Status SizeError(const char* name, size_t got, int64_t expected, const char* shape) {
  return absl::InvalidArgumentError(absl::StrCat("batch: ", name, " has ", got,
                                                 " values, expected ", expected, " (", shape,
                                                 ")"));
}

}  // namespace

Batch Batch::Zeros(int64_t batch_size, int64_t seq_len) {
  Batch b;
  b.batch_size = batch_size;
  b.seq_len = seq_len;
  b.ids.assign(batch_size * seq_len, 0);
  b.patch_index.assign(batch_size * seq_len, -1);
  b.local_position.assign(batch_size * seq_len, -1);
  b.loss_mask.assign(batch_size * seq_len, 0);
  return b;
}

int64_t Batch::num_targets() const {
  int64_t n = 0;
  for (uint8_t m : loss_mask) n += m != 0;
  return n;
}

absl::Status ValidateBatch(const Batch& batch, const ModelConfig& config, bool require_targets) {
  if (batch.batch_size <= 0 || batch.seq_len <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("batch: shape is [", batch.batch_size, ", ",
                                                   batch.seq_len,
                                                   "], expected positive sizes"));
  }
  if (batch.seq_len > config.context_length()) {
    return absl::InvalidArgumentError(absl::StrCat("batch: seq_len ", batch.seq_len,
                                                   " exceeds the model's context_length ",
                                                   config.context_length()));
  }
  const int64_t n = batch.num_positions();
  if (batch.ids.size() != n) return SizeError("ids", batch.ids.size(), n, "[B, T]");
  if (batch.patch_index.size() != n) {
    return SizeError("patch_index", batch.patch_index.size(), n, "[B, T]");
  }
  if (batch.local_position.size() != n) {
    return SizeError("local_position", batch.local_position.size(), n, "[B, T]");
  }
  if (batch.loss_mask.size() != n) return SizeError("loss_mask", batch.loss_mask.size(), n, "[B, T]");
  const int64_t p = batch.num_patches();
  if (batch.patch_col.size() != p) {
    return SizeError("patch_col", batch.patch_col.size(), p, "[num_patches] like patch_row");
  }
  if (batch.patches.size() != p * 768) {
    return SizeError("patches", batch.patches.size(), p * 768, "[num_patches, 768]");
  }
  int64_t targets = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t b = i / batch.seq_len, t = i % batch.seq_len;
    auto where = [&] { return absl::StrCat("batch[", b, ", ", t, "]: "); };
    const int32_t id = batch.ids[i], patch = batch.patch_index[i];
    if (id >= 0) {
      if (id >= config.vocab_size()) {
        return absl::InvalidArgumentError(absl::StrCat(where(), "token id ", id,
                                                       " is outside [0, ", config.vocab_size(),
                                                       ")"));
      }
      if (patch != -1) {
        return absl::InvalidArgumentError(absl::StrCat(
            where(), "has token id ", id, " and patch index ", patch, ", expected one of them"));
      }
    } else {
      if (id != -1) {
        return absl::InvalidArgumentError(
            absl::StrCat(where(), "token id ", id, " is negative, expected -1 (image) or an id"));
      }
      if (patch < 0 || patch >= p) {
        return absl::InvalidArgumentError(absl::StrCat(where(), "image position's patch index ",
                                                       patch, " is outside [0, ", p, ")"));
      }
    }
    const int32_t local = batch.local_position[i];
    if (local < -1 || local >= config.max_local_positions()) {
      return absl::InvalidArgumentError(absl::StrCat(where(), "local position ", local,
                                                     " is outside [-1, ",
                                                     config.max_local_positions(), ")"));
    }
    const uint8_t mask = batch.loss_mask[i];
    if (mask > 1) {
      return absl::InvalidArgumentError(
          absl::StrCat(where(), "loss_mask is ", int{mask}, ", expected 0 or 1"));
    }
    if (mask == 1 && t == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(where(), "loss at position 0, which nothing precedes"));
    }
    if (mask == 1 && id < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(where(), "loss on an image position, expected a token target"));
    }
    targets += mask;
  }
  if (require_targets && targets == 0) {
    return absl::InvalidArgumentError("batch: no position has loss_mask set, expected at least one target");
  }
  for (int64_t j = 0; j < p; ++j) {
    for (int32_t v : {batch.patch_row[j], batch.patch_col[j]}) {
      if (v < 0 || v >= config.patch_position_buckets()) {
        return absl::InvalidArgumentError(absl::StrCat("batch: patch ", j, " position bucket ", v,
                                                       " is outside [0, ",
                                                       config.patch_position_buckets(), ")"));
      }
    }
    for (int k = 0; k < 768; ++k) {
      if (!std::isfinite(batch.patches[j * 768 + k])) {
        return absl::InvalidArgumentError(
            absl::StrCat("batch: patch ", j, " value ", k, " is not finite"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace calico
