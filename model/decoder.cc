#include "model/decoder.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "model/config.h"
#include "model/eigen_types.h"
#include "model/embedding.h"
#include "model/gelu.h"
#include "model/layer_norm.h"
#include "model/linear.h"
#include "model/parallel.h"
#include "model/patch_block.h"
#include "model/rotary.h"

namespace calico {

absl::Status Decoder::Append(const std::vector<int>& sequences, const std::vector<Batch>& inputs,
                             KvCache* cache, std::vector<float>* logits) {
  const ModelConfig& config = model_->config();
  const ParameterLayout& layout = model_->layout();
  if (sequences.size() != inputs.size() || sequences.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("decoder: ", sequences.size(), " sequences and ",
                                                   inputs.size(),
                                                   " inputs, expected the same nonzero number"));
  }
  if (!cache->Fits(config)) {
    return absl::InvalidArgumentError("decoder: the KV cache was made for another model config");
  }
  const int64_t C = config.width(), F = config.ff_width(), H = config.num_heads();
  const int64_t D = config.head_dim(), V = config.vocab_size();
  std::vector<uint8_t> seen(cache->num_sequences(), 0);
  int64_t rows = 0, patches = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const int s = sequences[i];
    if (s < 0 || s >= cache->num_sequences()) {
      return absl::InvalidArgumentError(absl::StrCat("decoder request ", i, ": sequence ", s,
                                                     " is outside [0, ", cache->num_sequences(), ")"));
    }
    if (seen[s]) {
      return absl::InvalidArgumentError(
          absl::StrCat("decoder request ", i, ": sequence ", s, " appears twice"));
    }
    seen[s] = 1;
    const Batch& in = inputs[i];
    if (in.batch_size != 1) {
      return absl::InvalidArgumentError(absl::StrCat("decoder request ", i, ": batch_size is ",
                                                     in.batch_size, ", expected 1"));
    }
    if (absl::Status st = ValidateBatch(in, config, /*require_targets=*/false); !st.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("decoder request ", i, ": ", st.message()));
    }
    if (cache->length(s) + in.seq_len > cache->capacity()) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "decoder request ", i, ": sequence ", s, " holds ", cache->length(s), " of ",
          cache->capacity(), " positions and cannot take ", in.seq_len,
          " more; drop old positions first"));
    }
    rows += in.seq_len;
    patches += in.num_patches();
  }

  // Row metadata and concatenated inputs.
  std::vector<int32_t> row_seq(rows), row_slot(rows), ids(rows), local(rows), patch_index(rows);
  std::vector<int64_t> row_pos(rows);
  std::vector<float> patch_values;
  std::vector<int32_t> patch_row, patch_col;
  std::vector<int64_t> last_row(inputs.size());
  int64_t r = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Batch& in = inputs[i];
    const int32_t patch_base = static_cast<int32_t>(patch_row.size());
    for (int64_t t = 0; t < in.seq_len; ++t, ++r) {
      row_seq[r] = sequences[i];
      row_slot[r] = static_cast<int32_t>(cache->length(sequences[i]) + t);
      row_pos[r] = cache->next_position(sequences[i]) + t;
      ids[r] = in.ids[t];
      local[r] = in.local_position[t];
      patch_index[r] = in.patch_index[t] >= 0 ? patch_base + in.patch_index[t] : -1;
    }
    last_row[i] = r - 1;
    patch_values.insert(patch_values.end(), in.patches.begin(), in.patches.end());
    patch_row.insert(patch_row.end(), in.patch_row.begin(), in.patch_row.end());
    patch_col.insert(patch_col.end(), in.patch_col.begin(), in.patch_col.end());
  }

  const float* w = model_->parameters().data();
  const float eps = config.norm_epsilon();
  x_.assign(rows * C, 0.0f);
  EmbeddingForward(w + layout.token_embedding, ids.data(), rows, C, x_.data());
  EmbeddingForward(w + layout.local_embedding, local.data(), rows, C, x_.data());
  if (patches > 0) {
    for (auto* v : {&patch_out_, &patch_normed_, &patch_act_}) v->resize(patches * kPatchValues);
    patch_mean_.resize(patches);
    patch_rstd_.resize(patches);
    patch_emb_.resize(patches * C);
    PatchBlockForward(patch_values.data(),
                      PatchBlockParams<float>{w + layout.patch_gn_scale, w + layout.patch_gn_shift,
                                              w + layout.patch_conv_weight,
                                              w + layout.patch_conv_bias},
                      patches, eps, patch_out_.data(), patch_mean_.data(), patch_rstd_.data(),
                      patch_normed_.data(), patch_act_.data());
    LinearForwardRowInvariant(patch_out_.data(), w + layout.patch_proj_weight, w + layout.patch_proj_bias,
                  patches, kPatchValues, C, patch_emb_.data());
    EmbeddingForward(w + layout.patch_row_embedding, patch_row.data(), patches, C, patch_emb_.data());
    EmbeddingForward(w + layout.patch_col_embedding, patch_col.data(), patches, C, patch_emb_.data());
    EmbeddingForward(patch_emb_.data(), patch_index.data(), rows, C, x_.data());
  }

  // Rotary angles per row, from the same double-precision formula as training.
  std::vector<std::unique_ptr<RotaryTable<float>>> rotary(rows);
  for (int64_t i = 0; i < rows; ++i) {
    rotary[i] = std::make_unique<RotaryTable<float>>(row_pos[i], 1, D, config.rope_base());
  }
  ln_.resize(rows * C);
  mean_.resize(rows);
  rstd_.resize(rows);
  qkv_.resize(rows * 3 * C);
  att_.resize(rows * C);
  mid_.resize(rows * C);
  fc_.resize(rows * F);
  fc_act_.resize(rows * F);
  const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(D)));
  int64_t context_work = 0;
  for (int64_t i = 0; i < rows; ++i) context_work += 4 * (int64_t{row_slot[i]} + 1) * C;
  for (int l = 0; l < config.num_layers(); ++l) {
    const BlockOffsets& o = layout.blocks[l];
    LayerNormForward(x_.data(), w + o.ln1_scale, w + o.ln1_shift, rows, C, eps, ln_.data(),
                     mean_.data(), rstd_.data());
    LinearForwardRowInvariant(ln_.data(), w + o.qkv_weight, w + o.qkv_bias, rows, C, 3 * C, qkv_.data());
    // Rotate and store every new key and value first, so each row then attends to all
    // cached positions up to and including its own.
    for (int64_t i = 0; i < rows; ++i) {
      float* row = qkv_.data() + i * 3 * C;
      for (int64_t h = 0; h < H; ++h) {
        rotary[i]->Rotate(row + h * D, row_pos[i], false);
        rotary[i]->Rotate(row + C + h * D, row_pos[i], false);
        std::copy_n(row + C + h * D, D, cache->keys(l, row_seq[i], h) + int64_t{row_slot[i]} * D);
        std::copy_n(row + 2 * C + h * D, D, cache->values(l, row_seq[i], h) + int64_t{row_slot[i]} * D);
      }
    }
    ParallelFor(rows * H, context_work, [&](int64_t b0, int64_t b1) {
      Eigen::VectorXf p;
      for (int64_t rh = b0; rh < b1; ++rh) {
        const int64_t i = rh / H, h = rh % H, n = int64_t{row_slot[i]} + 1;
        ConstMatrixMap<float> k(cache->keys(l, row_seq[i], h), n, D);
        ConstMatrixMap<float> v(cache->values(l, row_seq[i], h), n, D);
        Eigen::Map<const Eigen::VectorXf> q(qkv_.data() + i * 3 * C + h * D, D);
        p.noalias() = k * q;
        p *= scale;
        const float max = p.maxCoeff();
        p = (p.array() - max).exp();
        p /= p.sum();
        Eigen::Map<Eigen::RowVectorXf>(att_.data() + i * C + h * D, D).noalias() = p.transpose() * v;
      }
    });
    LinearForwardRowInvariant(att_.data(), w + o.proj_weight, w + o.proj_bias, rows, C, C, mid_.data());
    for (int64_t i = 0; i < rows * C; ++i) mid_[i] += x_[i];
    LayerNormForward(mid_.data(), w + o.ln2_scale, w + o.ln2_shift, rows, C, eps, ln_.data(),
                     mean_.data(), rstd_.data());
    LinearForwardRowInvariant(ln_.data(), w + o.fc_weight, w + o.fc_bias, rows, C, F, fc_.data());
    GeluForward(fc_.data(), rows * F, fc_act_.data());
    LinearForwardRowInvariant(fc_act_.data(), w + o.fc2_weight, w + o.fc2_bias, rows, F, C, x_.data());
    for (int64_t i = 0; i < rows * C; ++i) x_[i] += mid_[i];
  }
  // The head only at each request's last position.
  const int64_t R = static_cast<int64_t>(inputs.size());
  std::vector<float> last(R * C);
  for (int64_t i = 0; i < R; ++i) std::copy_n(x_.data() + last_row[i] * C, C, last.data() + i * C);
  LayerNormForward(last.data(), w + layout.final_ln_scale, w + layout.final_ln_shift, R, C, eps,
                   ln_.data(), mean_.data(), rstd_.data());
  logits->resize(R * V);
  LinearForwardRowInvariant(ln_.data(), w + layout.head_weight, nullptr, R, C, V,
                logits->data());
  for (size_t i = 0; i < inputs.size(); ++i) cache->Advance(sequences[i], inputs[i].seq_len);
  return absl::OkStatus();
}

}  // namespace calico
