// calico's C++ transformer against the independent PyTorch implementation
// (tests/transformer_reference.py): the same nano weights and batch must give the same
// logits, loss and gradients as the committed float64 fixture
// tests/golden/transformer_golden.bin (regenerate with make_transformer_golden.py).
//
// Tolerances (C++ float32 against a float64 reference):
//   loss:      |c - r| <= 1e-5 * |r|
//   logits and every gradient tensor: max_i |c_i - r_i| <= 2e-5 * max_i |r_i|
//   (measured: ~5e-7 for the logits, ~1.5e-6 for the worst gradient tensor).
#include <cmath>
#include <cstring>
#include <iostream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "base/file_io.h"
#include "base/random.h"
#include "base/status_matchers.h"
#include "gtest/gtest.h"
#include "model/config.h"
#include "model/transformer.h"

namespace calico {
namespace {

struct Golden {
  std::map<std::string, std::string> config;  // field -> value
  uint64_t seed = 0;
  double scale = 0;
  std::map<std::string, std::vector<float>> arrays;
};

Golden ReadGolden() {
  Golden g;
  absl::StatusOr<std::string> data = ReadFile("tests/golden/transformer_golden.bin");
  EXPECT_OK(data);
  if (!data.ok()) return g;
  const size_t end = data->find("\nend\n");
  EXPECT_NE(end, std::string::npos);
  std::vector<std::pair<std::string, int64_t>> order;
  for (absl::string_view line : absl::StrSplit(data->substr(0, end), '\n')) {
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    if (f[0] == "config") {
      for (size_t i = 1; i + 1 < f.size(); i += 2) g.config[f[i]] = f[i + 1];
    } else if (f[0] == "weights") {
      EXPECT_TRUE(absl::SimpleAtoi(f[2], &g.seed));
      EXPECT_TRUE(absl::SimpleAtod(f[3], &g.scale));
    } else if (f[0] == "array") {
      int64_t n = 0;
      EXPECT_TRUE(absl::SimpleAtoi(f[2], &n));
      order.emplace_back(f[1], n);
    }
  }
  size_t pos = end + 5;
  for (const auto& [name, n] : order) {
    std::vector<float> v(n);
    EXPECT_LE(pos + 4 * n, data->size()) << name;
    if (pos + 4 * n > data->size()) return g;
    std::memcpy(v.data(), data->data() + pos, 4 * n);
    pos += 4 * n;
    g.arrays[name] = std::move(v);
  }
  EXPECT_EQ(pos, data->size());
  return g;
}

std::vector<int32_t> Ints(const std::vector<float>& v) { return {v.begin(), v.end()}; }

// The fixture's weights: transformer_reference.golden_weights.
void SetGoldenWeights(Transformer& model, uint64_t seed, double scale) {
  Rng rng(seed);
  for (const TensorInfo& t : model.layout().tensors()) {
    for (int64_t i = 0; i < t.size; ++i) {
      const float r = static_cast<float>((2.0 * rng.Uniform() - 1.0) * scale);
      model.parameters()[t.offset + i] = t.is_norm_scale ? 1.0f + r : r;
    }
  }
}

// max_i |a_i - b_i| / max_i |b_i|; infinite when any difference is NaN (std::max would
// drop a NaN and let it pass).
double RelativeMaxError(const float* a, const std::vector<float>& b) {
  double max_err = 0, max_ref = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    const double err = std::abs(double{a[i]} - b[i]);
    if (std::isnan(err)) return std::numeric_limits<double>::infinity();
    max_err = std::max(max_err, err);
    max_ref = std::max(max_ref, std::abs(double{b[i]}));
  }
  return max_err / (max_ref + 1e-9);
}

TEST(TransformerGoldenTest, MatchesThePyTorchReference) {
  const Golden g = ReadGolden();
  ASSERT_FALSE(g.arrays.empty());
  ASSERT_OK_AND_ASSIGN(ModelConfig nano, ModelPreset("nano"));
  // The fixture was made for nano; a preset change must regenerate it.
  EXPECT_EQ(g.config.at("num_layers"), std::to_string(nano.num_layers()));
  EXPECT_EQ(g.config.at("width"), std::to_string(nano.width()));
  EXPECT_EQ(g.config.at("ff_width"), std::to_string(nano.ff_width()));
  EXPECT_EQ(g.config.at("num_heads"), std::to_string(nano.num_heads()));
  EXPECT_EQ(g.config.at("vocab_size"), std::to_string(nano.vocab_size()));
  EXPECT_EQ(g.config.at("head_dim"), std::to_string(nano.head_dim()));
  EXPECT_EQ(g.config.at("context_length"), std::to_string(nano.context_length()));
  EXPECT_EQ(g.config.at("max_local_positions"), std::to_string(nano.max_local_positions()));
  EXPECT_EQ(g.config.at("patch_position_buckets"), std::to_string(nano.patch_position_buckets()));
  EXPECT_DOUBLE_EQ(std::stod(g.config.at("rope_base")), nano.rope_base());
  EXPECT_NEAR(std::stod(g.config.at("norm_epsilon")), nano.norm_epsilon(), 1e-12);
  ASSERT_OK_AND_ASSIGN(Transformer model, Transformer::Create(nano, 1));
  SetGoldenWeights(model, g.seed, g.scale);

  Batch batch;
  batch.batch_size = static_cast<int64_t>(g.arrays.at("batch.shape")[0]);
  batch.seq_len = static_cast<int64_t>(g.arrays.at("batch.shape")[1]);
  batch.ids = Ints(g.arrays.at("batch.ids"));
  batch.patch_index = Ints(g.arrays.at("batch.patch_index"));
  batch.local_position = Ints(g.arrays.at("batch.local_position"));
  for (float m : g.arrays.at("batch.loss_mask")) batch.loss_mask.push_back(m != 0);
  batch.patches = g.arrays.at("batch.patches");
  batch.patch_row = Ints(g.arrays.at("batch.patch_row"));
  batch.patch_col = Ints(g.arrays.at("batch.patch_col"));
  ASSERT_GT(batch.num_patches(), 0);

  std::vector<float> logits;
  ASSERT_OK_AND_ASSIGN(double loss, model.Forward(batch, &logits));
  const double ref_loss = g.arrays.at("loss")[0];
  EXPECT_NEAR(loss, ref_loss, 1e-5 * std::abs(ref_loss));
  ASSERT_EQ(logits.size(), g.arrays.at("logits").size());
  EXPECT_LE(RelativeMaxError(logits.data(), g.arrays.at("logits")), 2e-5);

  ASSERT_OK_AND_ASSIGN(double loss2, model.ForwardBackward(batch));
  EXPECT_EQ(loss, loss2);
  int compared = 0;
  double worst = 0;
  std::string worst_name;
  for (const TensorInfo& t : model.layout().tensors()) {
    const auto it = g.arrays.find("grad." + t.name);
    ASSERT_NE(it, g.arrays.end()) << t.name;
    ASSERT_EQ(it->second.size(), t.size) << t.name;
    const double err = RelativeMaxError(model.gradients().data() + t.offset, it->second);
    EXPECT_LE(err, 2e-5) << t.name;
    if (err > worst) {
      worst = err;
      worst_name = t.name;
    }
    ++compared;
  }
  EXPECT_EQ(compared, 10 + 12 * nano.num_layers() + 3);
  std::cout << "loss " << loss << " vs " << ref_loss << "; logits relative max error "
            << RelativeMaxError(logits.data(), g.arrays.at("logits"))
            << "; worst gradient relative max error " << worst << " (" << worst_name << ")\n";
}

}  // namespace
}  // namespace calico
