#include "model/transformer.h"

#include <algorithm>

#include "base/status_macros.h"
#include "model/attention.h"
#include "model/config.h"
#include "model/cross_entropy.h"
#include "model/embedding.h"
#include "model/gelu.h"
#include "model/layer_norm.h"
#include "model/linear.h"
#include "model/patch_block.h"
#include "model/parallel.h"
#include "model/rotary.h"

namespace calico {

// Everything the backward pass needs, plus scratch. Shapes in comments: L layers,
// BT = B * T positions, C width, F ff width, P patches, N targets.
struct TransformerActivations {
  int64_t batch = -1, seq = -1, patches = -1, targets = -1;
  std::unique_ptr<RotaryTable<float>> rotary;  // positions [0, T)
  std::vector<float> resid;                    // [L + 1, BT, C] stream entering each block
  std::vector<float> mid;                      // [L, BT, C] stream after each attention
  std::vector<float> ln1, ln2;                 // [L, BT, C]
  std::vector<float> ln1_mean, ln1_rstd;       // [L, BT]
  std::vector<float> ln2_mean, ln2_rstd;       // [L, BT]
  std::vector<float> q, k, v;                  // [L, B, H, T, D], after rotary
  std::vector<float> att;                      // [L, BT, C] attention output, heads concatenated
  std::vector<float> lse;                      // [L, B, H, T]
  std::vector<float> fc_pre, fc_act;           // [L, BT, F]
  std::vector<float> lnf;                      // [BT, C]
  std::vector<float> lnf_mean, lnf_rstd;       // [BT]
  std::vector<float> patch_out, patch_normed, patch_act;  // [P, 768]
  std::vector<float> patch_mean, patch_rstd;              // [P]
  std::vector<float> patch_emb;                           // [P, C]
  std::vector<int32_t> head_rows;                         // [N] position index b * T + t - 1
  std::vector<int32_t> targets_ids;                       // [N]
  std::vector<float> head_in;                             // [N, C]
  std::vector<float> logits;                              // [N, V]; dlogits in backward
  // Scratch (forward qkv, then gradients during backward; reused by every block).
  std::vector<float> qkv;                      // [BT, 3C]
  std::vector<float> dresid, dln, datt;        // [BT, C]
  std::vector<float> dq, dk, dv;               // [B, H, T, D]
  std::vector<float> dfc;                      // [BT, F]
  std::vector<float> dfc_pre;                  // [BT, F]
  std::vector<float> dhead_in;                 // [N, C]
  std::vector<float> dpatch_emb;               // [P, C]
  std::vector<float> dpatch_out;               // [P, 768]

  int64_t Bytes() const {
    int64_t floats = 0;
    for (const auto* v : {&resid, &mid, &ln1, &ln2, &ln1_mean, &ln1_rstd, &ln2_mean, &ln2_rstd,
                          &q, &k, &v, &att, &lse, &fc_pre, &fc_act, &lnf, &lnf_mean, &lnf_rstd,
                          &patch_out, &patch_normed, &patch_act, &patch_mean, &patch_rstd,
                          &patch_emb, &head_in, &logits, &qkv, &dresid, &dln, &datt, &dq, &dk,
                          &dv, &dfc, &dfc_pre, &dhead_in, &dpatch_emb, &dpatch_out}) {
      floats += static_cast<int64_t>(v->capacity());
    }
    return floats * 4 + 8 * static_cast<int64_t>(head_rows.capacity());
  }
};

namespace {

void Resize(std::vector<float>* v, int64_t n) { v->resize(n); }

}  // namespace

Transformer::Transformer(const ModelConfig& config)
    : config_(config), layout_(config), acts_(std::make_unique<TransformerActivations>()) {}
Transformer::Transformer(Transformer&&) = default;
Transformer& Transformer::operator=(Transformer&&) = default;
Transformer::~Transformer() = default;

absl::StatusOr<Transformer> Transformer::Create(const ModelConfig& config, uint64_t seed) {
  RETURN_IF_ERROR(ValidateModelConfig(config));
  Transformer model(config);
  InitializeParameters(model.layout_, config.num_layers(), seed, &model.params_);
  model.grads_.assign(model.layout_.size(), 0.0f);
  return model;
}

int64_t Transformer::activation_bytes() const { return acts_->Bytes(); }

int64_t Transformer::TrainingBytesBound(const ModelConfig& config, int64_t batch, int64_t seq) {
  // In doubles: a bound for any sizes, without integer overflow.
  const double B = batch, T = seq, BT = B * T, P = BT;
  const double C = config.width(), F = config.ff_width(), L = config.num_layers(), H = config.num_heads();
  const double V = config.vocab_size();
  // The buffers Embed sizes (below), position by position, then the head's at every
  // position and the patch block's with a patch at every position.
  const double per_batch = (L + 1) * BT * C + 4 * L * BT * C + 4 * L * BT + 3 * L * BT * C + L * B * H * T +
                           2 * L * BT * F + BT * C + 2 * BT + BT * 3 * C + 6 * BT * C + 2 * BT * F;
  const double head = BT * (V + 2 * C) + 2 * BT;  // logits, head_in, dhead_in; head_rows (8 bytes each)
  const double patches = P * (4 * kPatchValues + 2 + 2 * C);
  const double parameters = 4.0 * static_cast<double>(ParameterLayout(config).size());
  const double bytes = 4 * (per_batch + head + patches + parameters);
  return bytes >= 9.2e18 ? INT64_MAX : static_cast<int64_t>(bytes);
}

void Transformer::Embed(const Batch& batch) {
  TransformerActivations& a = *acts_;
  const int64_t B = batch.batch_size, T = batch.seq_len, P = batch.num_patches();
  const int64_t C = config_.width(), F = config_.ff_width(), L = config_.num_layers();
  const int64_t H = config_.num_heads(), D = config_.head_dim(), BT = B * T;
  if (a.batch != B || a.seq != T) {
    a.batch = B;
    a.seq = T;
    a.rotary = std::make_unique<RotaryTable<float>>(0, T, D, config_.rope_base());
    Resize(&a.resid, (L + 1) * BT * C);
    for (auto* v : {&a.mid, &a.ln1, &a.ln2, &a.att}) Resize(v, L * BT * C);
    for (auto* v : {&a.ln1_mean, &a.ln1_rstd, &a.ln2_mean, &a.ln2_rstd}) Resize(v, L * BT);
    for (auto* v : {&a.q, &a.k, &a.v}) Resize(v, L * BT * C);
    Resize(&a.lse, L * B * H * T);
    for (auto* v : {&a.fc_pre, &a.fc_act}) Resize(v, L * BT * F);
    Resize(&a.lnf, BT * C);
    Resize(&a.lnf_mean, BT);
    Resize(&a.lnf_rstd, BT);
    Resize(&a.qkv, BT * 3 * C);
    for (auto* v : {&a.dresid, &a.dln, &a.datt, &a.dq, &a.dk, &a.dv}) Resize(v, BT * C);
    Resize(&a.dfc, BT * F);
    Resize(&a.dfc_pre, BT * F);
  }
  if (a.patches != P) {
    a.patches = P;
    for (auto* v : {&a.patch_out, &a.patch_normed, &a.patch_act, &a.dpatch_out}) {
      Resize(v, P * kPatchValues);
    }
    Resize(&a.patch_mean, P);
    Resize(&a.patch_rstd, P);
    Resize(&a.patch_emb, P * C);
    Resize(&a.dpatch_emb, P * C);
  }
  const float* w = params_.data();
  float* x = a.resid.data();  // [BT, C]
  std::fill(x, x + BT * C, 0.0f);
  EmbeddingForward(w + layout_.token_embedding, batch.ids.data(), BT, C, x);
  EmbeddingForward(w + layout_.local_embedding, batch.local_position.data(), BT, C, x);
  if (P > 0) {
    PatchBlockForward(batch.patches.data(),
                      PatchBlockParams<float>{w + layout_.patch_gn_scale, w + layout_.patch_gn_shift,
                                              w + layout_.patch_conv_weight,
                                              w + layout_.patch_conv_bias},
                      P, config_.norm_epsilon(), a.patch_out.data(), a.patch_mean.data(),
                      a.patch_rstd.data(), a.patch_normed.data(), a.patch_act.data());
    LinearForward(a.patch_out.data(), w + layout_.patch_proj_weight, w + layout_.patch_proj_bias,
                  P, kPatchValues, C, a.patch_emb.data());
    EmbeddingForward(w + layout_.patch_row_embedding, batch.patch_row.data(), P, C,
                     a.patch_emb.data());
    EmbeddingForward(w + layout_.patch_col_embedding, batch.patch_col.data(), P, C,
                     a.patch_emb.data());
    // Each image position adds its patch's embedding: a lookup into patch_emb.
    EmbeddingForward(a.patch_emb.data(), batch.patch_index.data(), BT, C, x);
  }
}

absl::StatusOr<double> Transformer::Forward(const Batch& batch, std::vector<float>* logits) {
  return ForwardImpl(batch, /*backward=*/false, logits);
}

absl::StatusOr<double> Transformer::ForwardImpl(const Batch& batch, bool backward,
                                                std::vector<float>* logits) {
  RETURN_IF_ERROR(ValidateBatch(batch, config_, /*require_targets=*/true));
  TransformerActivations& a = *acts_;
  Embed(batch);
  const int64_t B = batch.batch_size, T = batch.seq_len;
  const int64_t C = config_.width(), F = config_.ff_width(), L = config_.num_layers();
  const int64_t H = config_.num_heads(), D = config_.head_dim(), BT = B * T;
  const AttentionShape shape{B, H, T, D};
  const float eps = config_.norm_epsilon();
  const float* w = params_.data();
  for (int64_t l = 0; l < L; ++l) {
    const BlockOffsets& o = layout_.blocks[l];
    const float* x = a.resid.data() + l * BT * C;
    float* mid = a.mid.data() + l * BT * C;
    float* ln1 = a.ln1.data() + l * BT * C;
    float* ln2 = a.ln2.data() + l * BT * C;
    float* q = a.q.data() + l * BT * C;
    float* k = a.k.data() + l * BT * C;
    float* v = a.v.data() + l * BT * C;
    float* att = a.att.data() + l * BT * C;
    float* fc_pre = a.fc_pre.data() + l * BT * F;
    float* fc_act = a.fc_act.data() + l * BT * F;
    float* out = a.resid.data() + (l + 1) * BT * C;
    LayerNormForward(x, w + o.ln1_scale, w + o.ln1_shift, BT, C, eps, ln1,
                     a.ln1_mean.data() + l * BT, a.ln1_rstd.data() + l * BT);
    LinearForward(ln1, w + o.qkv_weight, w + o.qkv_bias, BT, C, 3 * C, a.qkv.data());
    SplitHeadsRotary(a.qkv.data(), shape, *a.rotary, q, k, v);
    CausalAttentionForward(q, k, v, shape, att, a.lse.data() + l * B * H * T);
    LinearForward(att, w + o.proj_weight, w + o.proj_bias, BT, C, C, mid);
#pragma omp parallel for schedule(static) if (BT * C >= kMinParallelWork)
    for (int64_t i = 0; i < BT * C; ++i) mid[i] += x[i];
    LayerNormForward(mid, w + o.ln2_scale, w + o.ln2_shift, BT, C, eps, ln2,
                     a.ln2_mean.data() + l * BT, a.ln2_rstd.data() + l * BT);
    LinearForward(ln2, w + o.fc_weight, w + o.fc_bias, BT, C, F, fc_pre);
    GeluForward(fc_pre, BT * F, fc_act);
    LinearForward(fc_act, w + o.fc2_weight, w + o.fc2_bias, BT, F, C, out);
#pragma omp parallel for schedule(static) if (BT * C >= kMinParallelWork)
    for (int64_t i = 0; i < BT * C; ++i) out[i] += mid[i];
  }
  LayerNormForward(a.resid.data() + L * BT * C, w + layout_.final_ln_scale,
                   w + layout_.final_ln_shift, BT, C, eps, a.lnf.data(), a.lnf_mean.data(),
                   a.lnf_rstd.data());
  return Head(batch, backward, logits);
}

double Transformer::Head(const Batch& batch, bool backward, std::vector<float>* logits) {
  TransformerActivations& a = *acts_;
  const int64_t C = config_.width(), V = config_.vocab_size();
  a.head_rows.clear();
  a.targets_ids.clear();
  for (int64_t i = 0; i < batch.num_positions(); ++i) {
    if (batch.loss_mask[i] == 0) continue;
    a.head_rows.push_back(static_cast<int32_t>(i - 1));  // t >= 1 (validated): same row b
    a.targets_ids.push_back(batch.ids[i]);
  }
  const int64_t N = static_cast<int64_t>(a.head_rows.size());
  a.head_in.resize(N * C);
  a.logits.resize(N * V);
  // Only the rows that predict a target go through the widest matrix of the model.
  for (int64_t n = 0; n < N; ++n) {
    std::copy_n(a.lnf.data() + int64_t{a.head_rows[n]} * C, C, a.head_in.data() + n * C);
  }
  const float* w = params_.data();
  LinearForward(a.head_in.data(), w + layout_.head_weight, static_cast<const float*>(nullptr), N,
                C, V, a.logits.data());
  if (logits != nullptr) *logits = a.logits;
  return SoftmaxCrossEntropy(a.logits.data(), a.targets_ids.data(), N, V, 1.0 / N,
                             backward ? a.logits.data() : static_cast<float*>(nullptr));
}

absl::StatusOr<double> Transformer::ForwardBackward(const Batch& batch) {
  ASSIGN_OR_RETURN(double loss, ForwardImpl(batch, /*backward=*/true, nullptr));
  Backward(batch);
  return loss;
}

void Transformer::Backward(const Batch& batch) {
  TransformerActivations& a = *acts_;
  const int64_t B = batch.batch_size, T = batch.seq_len, P = batch.num_patches();
  const int64_t C = config_.width(), F = config_.ff_width(), L = config_.num_layers();
  const int64_t H = config_.num_heads(), D = config_.head_dim(), BT = B * T;
  const int64_t V = config_.vocab_size(), N = static_cast<int64_t>(a.head_rows.size());
  const AttentionShape shape{B, H, T, D};
  const float* w = params_.data();
  float* g = grads_.data();
  std::fill(grads_.begin(), grads_.end(), 0.0f);

  // Head: logits now hold d loss / d logits.
  a.dhead_in.assign(N * C, 0.0f);
  LinearBackward(a.logits.data(), a.head_in.data(), w + layout_.head_weight, N, C, V,
                 a.dhead_in.data(), g + layout_.head_weight, static_cast<float*>(nullptr));
  std::fill(a.dln.begin(), a.dln.end(), 0.0f);
  for (int64_t n = 0; n < N; ++n) {
    float* dst = a.dln.data() + int64_t{a.head_rows[n]} * C;
    const float* src = a.dhead_in.data() + n * C;
    for (int64_t c = 0; c < C; ++c) dst[c] += src[c];
  }
  std::fill(a.dresid.begin(), a.dresid.end(), 0.0f);
  LayerNormBackward(a.dln.data(), a.resid.data() + L * BT * C, w + layout_.final_ln_scale,
                    a.lnf_mean.data(), a.lnf_rstd.data(), BT, C, a.dresid.data(),
                    g + layout_.final_ln_scale, g + layout_.final_ln_shift);

  for (int64_t l = L - 1; l >= 0; --l) {
    const BlockOffsets& o = layout_.blocks[l];
    const float* x = a.resid.data() + l * BT * C;
    const float* mid = a.mid.data() + l * BT * C;
    // dresid holds d loss / d (block output); the residual passes it to mid unchanged.
    std::fill(a.dfc.begin(), a.dfc.end(), 0.0f);
    LinearBackward(a.dresid.data(), a.fc_act.data() + l * BT * F, w + o.fc2_weight, BT, F, C,
                   a.dfc.data(), g + o.fc2_weight, g + o.fc2_bias);
    std::fill(a.dfc_pre.begin(), a.dfc_pre.end(), 0.0f);
    GeluBackward(a.dfc.data(), a.fc_pre.data() + l * BT * F, BT * F, a.dfc_pre.data());
    std::fill(a.dln.begin(), a.dln.end(), 0.0f);
    LinearBackward(a.dfc_pre.data(), a.ln2.data() + l * BT * C, w + o.fc_weight, BT, C, F,
                   a.dln.data(), g + o.fc_weight, g + o.fc_bias);
    LayerNormBackward(a.dln.data(), mid, w + o.ln2_scale, a.ln2_mean.data() + l * BT,
                      a.ln2_rstd.data() + l * BT, BT, C, a.dresid.data(), g + o.ln2_scale,
                      g + o.ln2_shift);
    // dresid now holds d loss / d mid, which the residual passes on to x.
    std::fill(a.datt.begin(), a.datt.end(), 0.0f);
    LinearBackward(a.dresid.data(), a.att.data() + l * BT * C, w + o.proj_weight, BT, C, C,
                   a.datt.data(), g + o.proj_weight, g + o.proj_bias);
    CausalAttentionBackward(a.datt.data(), a.q.data() + l * BT * C, a.k.data() + l * BT * C,
                            a.v.data() + l * BT * C, a.att.data() + l * BT * C,
                            a.lse.data() + l * B * H * T, shape, a.dq.data(), a.dk.data(),
                            a.dv.data());
    std::fill(a.qkv.begin(), a.qkv.end(), 0.0f);
    SplitHeadsRotaryBackward(a.dq.data(), a.dk.data(), a.dv.data(), shape, *a.rotary,
                             a.qkv.data());
    std::fill(a.dln.begin(), a.dln.end(), 0.0f);
    LinearBackward(a.qkv.data(), a.ln1.data() + l * BT * C, w + o.qkv_weight, BT, C, 3 * C,
                   a.dln.data(), g + o.qkv_weight, g + o.qkv_bias);
    LayerNormBackward(a.dln.data(), x, w + o.ln1_scale, a.ln1_mean.data() + l * BT,
                      a.ln1_rstd.data() + l * BT, BT, C, a.dresid.data(), g + o.ln1_scale,
                      g + o.ln1_shift);
  }

  // Embeddings: dresid is d loss / d x0.
  EmbeddingBackward(a.dresid.data(), batch.ids.data(), BT, C, g + layout_.token_embedding);
  EmbeddingBackward(a.dresid.data(), batch.local_position.data(), BT, C,
                    g + layout_.local_embedding);
  if (P > 0) {
    std::fill(a.dpatch_emb.begin(), a.dpatch_emb.end(), 0.0f);
    EmbeddingBackward(a.dresid.data(), batch.patch_index.data(), BT, C, a.dpatch_emb.data());
    EmbeddingBackward(a.dpatch_emb.data(), batch.patch_row.data(), P, C,
                      g + layout_.patch_row_embedding);
    EmbeddingBackward(a.dpatch_emb.data(), batch.patch_col.data(), P, C,
                      g + layout_.patch_col_embedding);
    std::fill(a.dpatch_out.begin(), a.dpatch_out.end(), 0.0f);
    LinearBackward(a.dpatch_emb.data(), a.patch_out.data(), w + layout_.patch_proj_weight, P,
                   kPatchValues, C, a.dpatch_out.data(), g + layout_.patch_proj_weight,
                   g + layout_.patch_proj_bias);
    PatchBlockBackward(a.dpatch_out.data(), batch.patches.data(),
                       PatchBlockParams<float>{w + layout_.patch_gn_scale,
                                               w + layout_.patch_gn_shift,
                                               w + layout_.patch_conv_weight,
                                               w + layout_.patch_conv_bias},
                       P, a.patch_mean.data(), a.patch_rstd.data(), a.patch_normed.data(),
                       a.patch_act.data(),
                       PatchBlockGrads<float>{g + layout_.patch_gn_scale,
                                              g + layout_.patch_gn_shift,
                                              g + layout_.patch_conv_weight,
                                              g + layout_.patch_conv_bias},
                       /*dx=*/static_cast<float*>(nullptr));
  }
}

}  // namespace calico
