// Where every parameter tensor lives inside the model's one flat float buffer (llm.c
// style: parameters, gradients and optimiser moments are flat arrays of the same
// layout), and how the model is initialised.
#ifndef CALICO_MODEL_PARAMETERS_H_
#define CALICO_MODEL_PARAMETERS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "model/model_config.pb.h"

namespace calico {

// One named tensor of the flat buffer.
struct TensorInfo {
  std::string name;            // e.g. "layer1.qkv_weight"
  std::vector<int64_t> shape;  // row-major
  int64_t offset = 0;          // first value in the flat buffer
  int64_t size = 0;            // product of shape
  // Whether AdamW applies weight decay: only to the weight matrices of linear maps and
  // the patch convolution. Norm scales and shifts, biases and embedding tables
  // (token, local, patch row/column) are not decayed: decaying a lookup table pulls
  // rarely seen rows (rare ids) towards zero for no benefit.
  bool decay = false;
  // LayerNorm / GroupNorm scales (initialised to one).
  bool is_norm_scale = false;
};

// Offsets of one transformer block's tensors. Linear weights are [in, out].
struct BlockOffsets {
  int64_t ln1_scale, ln1_shift;      // [C]
  int64_t qkv_weight, qkv_bias;      // [C, 3C], [3C]; columns: queries, keys, values
  int64_t proj_weight, proj_bias;    // [C, C], [C]
  int64_t ln2_scale, ln2_shift;      // [C]
  int64_t fc_weight, fc_bias;        // [C, F], [F]
  int64_t fc2_weight, fc2_bias;      // [F, C], [C]
};

// The layout for a config. Immutable after construction, hence thread-safe.
class ParameterLayout {
 public:
  // `config` must have passed ValidateModelConfig.
  explicit ParameterLayout(const ModelConfig& config);

  // Every tensor in buffer order.
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  // Total number of parameters.
  int64_t size() const { return size_; }

  int64_t token_embedding;      // [V, C]
  int64_t local_embedding;      // [max_local_positions, C]
  int64_t patch_gn_scale;       // [3]
  int64_t patch_gn_shift;       // [3]
  int64_t patch_conv_weight;    // [3 out, 3 ky, 3 kx, 3 in]
  int64_t patch_conv_bias;      // [3]
  int64_t patch_proj_weight;    // [768, C]
  int64_t patch_proj_bias;      // [C]
  int64_t patch_row_embedding;  // [buckets, C]
  int64_t patch_col_embedding;  // [buckets, C]
  std::vector<BlockOffsets> blocks;
  int64_t final_ln_scale;       // [C]
  int64_t final_ln_shift;       // [C]
  int64_t head_weight;          // [C, V]

 private:
  int64_t Add(const std::string& name, std::vector<int64_t> shape, bool decay,
              bool is_norm_scale = false);

  std::vector<TensorInfo> tensors_;
  int64_t size_ = 0;
};

// GPT-2 style initialisation from `seed`: weights and tables N(0, 0.02), the two
// projections that write into the residual stream N(0, 0.02 / sqrt(2 * layers)), norm
// scales one, shifts and biases zero. `params` is resized to layout.size().
void InitializeParameters(const ParameterLayout& layout, int num_layers, uint64_t seed,
                          std::vector<float>* params);

}  // namespace calico

#endif  // CALICO_MODEL_PARAMETERS_H_
