#include "model/parameters.h"

#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/random.h"
#include "model/config.h"
#include "model/patch_block.h"

namespace calico {

int64_t ParameterLayout::Add(const std::string& name, std::vector<int64_t> shape, bool decay,
                             bool is_norm_scale) {
  TensorInfo info;
  info.name = name;
  info.size = 1;
  for (int64_t d : shape) info.size *= d;
  info.shape = std::move(shape);
  info.offset = size_;
  info.decay = decay;
  info.is_norm_scale = is_norm_scale;
  size_ += info.size;
  tensors_.push_back(std::move(info));
  return tensors_.back().offset;
}

ParameterLayout::ParameterLayout(const ModelConfig& config) {
  const int64_t c = config.width(), f = config.ff_width(), v = config.vocab_size();
  token_embedding = Add("token_embedding", {v, c}, false);
  local_embedding = Add("local_embedding", {config.max_local_positions(), c}, false);
  patch_gn_scale = Add("patch.gn_scale", {kPatchChannels}, false, true);
  patch_gn_shift = Add("patch.gn_shift", {kPatchChannels}, false);
  patch_conv_weight = Add("patch.conv_weight", {3, 3, 3, 3}, true);
  patch_conv_bias = Add("patch.conv_bias", {kPatchChannels}, false);
  patch_proj_weight = Add("patch.proj_weight", {kPatchValues, c}, true);
  patch_proj_bias = Add("patch.proj_bias", {c}, false);
  patch_row_embedding = Add("patch.row_embedding", {config.patch_position_buckets(), c}, false);
  patch_col_embedding = Add("patch.col_embedding", {config.patch_position_buckets(), c}, false);
  for (int l = 0; l < config.num_layers(); ++l) {
    const std::string p = absl::StrCat("layer", l, ".");
    BlockOffsets b;
    b.ln1_scale = Add(p + "ln1_scale", {c}, false, true);
    b.ln1_shift = Add(p + "ln1_shift", {c}, false);
    b.qkv_weight = Add(p + "qkv_weight", {c, 3 * c}, true);
    b.qkv_bias = Add(p + "qkv_bias", {3 * c}, false);
    b.proj_weight = Add(p + "proj_weight", {c, c}, true);
    b.proj_bias = Add(p + "proj_bias", {c}, false);
    b.ln2_scale = Add(p + "ln2_scale", {c}, false, true);
    b.ln2_shift = Add(p + "ln2_shift", {c}, false);
    b.fc_weight = Add(p + "fc_weight", {c, f}, true);
    b.fc_bias = Add(p + "fc_bias", {f}, false);
    b.fc2_weight = Add(p + "fc2_weight", {f, c}, true);
    b.fc2_bias = Add(p + "fc2_bias", {c}, false);
    blocks.push_back(b);
  }
  final_ln_scale = Add("final_ln_scale", {c}, false, true);
  final_ln_shift = Add("final_ln_shift", {c}, false);
  head_weight = Add("head_weight", {c, v}, true);
}

void InitializeParameters(const ParameterLayout& layout, int num_layers, uint64_t seed,
                          std::vector<float>* params) {
  params->assign(layout.size(), 0.0f);
  Rng rng(seed);
  const double residual_std = 0.02 / std::sqrt(2.0 * num_layers);
  for (const TensorInfo& t : layout.tensors()) {
    float* p = params->data() + t.offset;
    if (t.is_norm_scale) {
      std::fill(p, p + t.size, 1.0f);
      continue;
    }
    const bool is_bias_or_shift = absl::EndsWith(t.name, "_bias") || absl::EndsWith(t.name, "_shift");
    if (is_bias_or_shift) continue;
    const bool residual = absl::EndsWith(t.name, "proj_weight") && t.name != "patch.proj_weight";
    const double std_dev =
        residual || absl::EndsWith(t.name, "fc2_weight") ? residual_std : 0.02;
    for (int64_t i = 0; i < t.size; ++i) {
      // Box-Muller from two uniforms in (0, 1].
      const double u1 = 1.0 - rng.Uniform(), u2 = rng.Uniform();
      p[i] = static_cast<float>(std_dev * std::sqrt(-2.0 * std::log(u1)) *
                                std::cos(6.283185307179586 * u2));
    }
  }
}

}  // namespace calico
