#include "agent/value_embeddings.h"

#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/random.h"

namespace calico {
namespace {

constexpr int kFrequencies = 16;  // lowest period: the whole range; highest: 1/16 of it
constexpr int kBits = 10;         // discrete values are in [0, 1024)
constexpr double kStd = 0.02;     // the default initialisation's

// `n` draws from N(0, std^2) (Box-Muller).
std::vector<double> Normal(Rng& rng, int64_t n, double std) {
  std::vector<double> out(n);
  for (double& x : out) {
    const double u1 = 1.0 - rng.Uniform(), u2 = rng.Uniform();
    x = std * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  return out;
}

}  // namespace

absl::Status InitializeValueEmbeddings(const Vocabulary& vocab, uint64_t seed, Transformer* model) {
  const int64_t width = model->config().width();
  if (model->config().vocab_size() != vocab.size()) {
    return absl::InvalidArgumentError(absl::StrCat("value embeddings: the model's vocab_size is ",
                                                   model->config().vocab_size(), ", the vocabulary has ",
                                                   vocab.size(), " ids"));
  }
  Rng rng(seed ^ 0x5EED0F0E3B0DD1E5ULL);
  float* table = model->parameters().data() + model->layout().token_embedding;  // [V, C]

  // Continuous bins: sum over k of a_k sin(pi k u) + b_k cos(pi k u), u the bin centre in
  // [0, 1]; a_k, b_k ~ N(0, std^2 / K) per element, so each element has variance std^2.
  const std::vector<double> coeffs = Normal(rng, 2 * kFrequencies * width, kStd / std::sqrt(kFrequencies));
  const IdRange bins = vocab.continuous_range();
  for (int32_t b = 0; b < bins.size(); ++b) {
    const double u = (b + 0.5) / bins.size();
    float* row = table + static_cast<int64_t>(bins.begin + b) * width;
    for (int64_t c = 0; c < width; ++c) {
      double sum = 0.0;
      for (int k = 0; k < kFrequencies; ++k) {
        const double angle = M_PI * (k + 1) * u;
        sum += coeffs[(2 * k) * width + c] * std::sin(angle) + coeffs[(2 * k + 1) * width + c] * std::cos(angle);
      }
      row[c] = static_cast<float>(sum);  // variance sum_k std^2 / K (sin^2 + cos^2) = std^2
    }
  }

  // Discrete values: sum over bits j of +-v_j (+ when bit j is set), v_j ~ N(0, std^2 / 10).
  const std::vector<double> bit_vectors = Normal(rng, kBits * width, kStd / std::sqrt(kBits));
  const IdRange values = vocab.discrete_range();
  for (int32_t v = 0; v < values.size(); ++v) {
    float* row = table + static_cast<int64_t>(values.begin + v) * width;
    for (int64_t c = 0; c < width; ++c) {
      double sum = 0.0;
      for (int j = 0; j < kBits; ++j) sum += ((v >> j) & 1 ? 1.0 : -1.0) * bit_vectors[j * width + c];
      row[c] = static_cast<float>(sum);
    }
  }
  // The output head's columns of the same ids start as the same code, so producing a
  // value starts from the representation that reading it uses.
  const IdRange all_values{bins.begin, values.end};
  float* head = model->parameters().data() + model->layout().head_weight;  // [C, V]
  const int64_t vocab_size = model->config().vocab_size();
  for (int32_t id = all_values.begin; id < all_values.end; ++id) {
    for (int64_t c = 0; c < width; ++c) head[c * vocab_size + id] = table[static_cast<int64_t>(id) * width + c];
  }
  return absl::OkStatus();
}

}  // namespace calico
