// TransformerPolicy: acting with calico's transformer (DESIGN.md "The token stream",
// "Acting"). Each Act tokenises the observation, appends it and '|' to the episode kept
// in a KV cache, then decodes the action one token at a time, each token's logits
// restricted to the ids valid for its action element, and detokenises the ids into an
// action that always fits the action spec. An optional prompt (the end of a demonstration
// episode of the same task) is prefilled at Reset and kept when old timesteps are dropped
// to make room; its keys are then re-rotated to sit right before the remaining timesteps,
// as the prompt always does in training, so the model never sees it at a distance it was
// not trained on.
#ifndef CALICO_POLICIES_TRANSFORMER_POLICY_H_
#define CALICO_POLICIES_TRANSFORMER_POLICY_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/random.h"
#include "envs/specs.h"
#include "model/batch.h"
#include "model/decoder.h"
#include "model/kv_cache.h"
#include "model/transformer.h"
#include "policies/batch_policy.h"
#include "policies/policy.h"
#include "replay/episode.h"
#include "tokenizers/sequence_builder.h"
#include "tokenizers/text/text_tokenizer.h"
#include "tokenizers/token_stream.h"

namespace calico {

struct TransformerPolicyOptions {
  // 0: greedy (the largest logit in the valid range); > 0: sample at this temperature.
  double temperature = 0.0;
  // Mixed with Reset's seed, so sampled actions depend on both (greedy ignores it).
  uint64_t seed = 0;
  // A demonstration of the same task (same specs). Its last timesteps, as many as fit in
  // prompt_max_fraction of the context, are prefilled at every Reset, as the sampler's
  // "prompt from the episode's end" trains the model to expect.
  std::optional<Episode> prompt;
  double prompt_max_fraction = 0.5;
  // Positions the KV cache holds; 0: the model's context_length. At most that.
  int context_length = 0;
};

// Acts in several environments of one task at once: each environment is a sequence of
// one KV cache, and every decoding step is one Decoder::Append over all of them, so the
// model's matrices are read once per token for the whole batch (evaluation throughput).
// Environment i acts exactly as a TransformerPolicy would (its own Rng, cache positions
// and drops). Not thread-safe; the Transformer is only read, so it can be shared.
class TransformerActor : public BatchPolicy {
 public:
  // As TransformerPolicy::Create, for `num_envs` >= 1 environments.
  static absl::StatusOr<std::unique_ptr<TransformerActor>> Create(
      std::shared_ptr<const Transformer> model, const std::string& task, const SpecMap& obs_spec,
      const SpecMap& action_spec, const TextTokenizer* text, TransformerPolicyOptions options, int num_envs);

  int num_envs() const override { return static_cast<int>(envs_.size()); }

  // Starts an episode in environment `env`: empties its cache, reseeds its sampler and
  // prefills the prompt. A failed prefill is reported by the next Act of `env`.
  void Reset(int env, uint64_t seed) override;

  // The actions of environments `envs` (distinct, in [0, num_envs)) for their
  // `timesteps` (not LAST), in the same order. Errors: bad indices, an observation that
  // does not fit the spec (named by the sequence builder, with the environment), a
  // timestep longer than the context allows; on error the environments' episodes are in
  // an unspecified state (Reset them).
  absl::StatusOr<std::vector<NamedArrays>> Act(const std::vector<int>& envs,
                                               const std::vector<const TimeStep*>& timesteps) override;

  const std::vector<int32_t>& last_action_ids(int env) const { return envs_[env].last_action_ids; }
  // The logits the last action token of the last Act was chosen from, [requests of
  // that call, vocab_size], in request order (for tests).
  const std::vector<float>& last_logits() const { return logits_; }
  int64_t prompt_length() const { return prompt_.num_positions(); }
  int64_t cached_timesteps(int env) const { return static_cast<int64_t>(envs_[env].step_lengths.size()); }
  int64_t dropped_timesteps(int env) const { return envs_[env].dropped_timesteps; }
  const KvCache& cache() const { return cache_; }
  const SequenceBuilder& builder() const { return builder_; }
  const TokenStream& prompt_stream() const { return prompt_; }

 private:
  // What each environment's episode holds.
  struct EnvState {
    Rng rng{0};
    absl::Status reset_status;  // a failed prefill, reported by the next Act
    // Whole positions of each cached timestep, oldest first, counting the last action
    // token even while it is still pending.
    std::deque<int64_t> step_lengths;
    // The last decoded action token is appended with the next observation (one Append
    // call fewer per step); -1 when there is none.
    int32_t pending_token = -1;
    int64_t dropped_timesteps = 0;
    int64_t dropped_positions = 0;  // since Reset: how far the prompt's keys are shifted
    std::vector<int32_t> last_action_ids;
  };

  TransformerActor(std::shared_ptr<const Transformer> model, SequenceBuilder builder, KvCache cache,
                   TransformerPolicyOptions options, std::string task, int num_envs);

  // Drops env's oldest cached timesteps (never the prompt) until `positions` more fit,
  // then moves the prompt up to the remaining timesteps (ShiftPrompt).
  absl::Status MakeRoom(int env, int64_t positions);
  // Rewrites env's prompt keys as if the prompt sat dropped_positions later, i.e. right
  // before the oldest remaining timestep, from prompt_keys_ (so rounding never builds up
  // over many drops).
  void ShiftPrompt(int env);

  std::shared_ptr<const Transformer> model_;
  SequenceBuilder builder_;
  KvCache cache_;  // one sequence per environment
  Decoder decoder_;
  TransformerPolicyOptions options_;
  std::string task_;
  std::vector<IdRange> action_ranges_;  // [num_action_tokens]
  TokenStream prompt_;
  Batch prompt_batch_;
  // The prompt's keys as prefilled at positions [0, P): [layers, heads, P, head_dim].
  std::vector<float> prompt_keys_;
  std::vector<EnvState> envs_;  // [num_envs]
  std::vector<float> logits_;   // [requests, vocab_size]
};

// Not thread-safe (one instance per environment, as every Policy). The Transformer is
// only read, so many policies (on many threads) can share one. A TransformerActor with
// one environment.
class TransformerPolicy : public Policy {
 public:
  // Builds the policy for `task`'s specs. `text` may be null when no observation is a
  // string (calico's 512-piece text vocabulary is then assumed); it must outlive the
  // policy. Errors (InvalidArgument / FailedPrecondition,
  // naming the task): a null model, a model whose vocab_size differs from the token
  // stream's vocabulary, specs the sequence builder rejects, an observation the model
  // cannot embed (more tokens than its local positions, patch buckets out of range), a
  // context that cannot hold the prompt plus one whole timestep, or a prompt episode of
  // another task or other specs.
  static absl::StatusOr<std::unique_ptr<TransformerPolicy>> Create(
      std::shared_ptr<const Transformer> model, const std::string& task, const SpecMap& obs_spec,
      const SpecMap& action_spec, const TextTokenizer* text, TransformerPolicyOptions options);

  // Empties the cache, reseeds the sampler and prefills the prompt.
  void Reset(uint64_t seed) override { actor_->Reset(0, seed); }

  // The action for `timestep`. Errors: an observation that does not fit the spec (named
  // by the sequence builder), a timestep longer than the context allows, or a failure
  // of the prompt prefill at Reset.
  absl::StatusOr<NamedArrays> Act(const TimeStep& timestep) override;

  // The token ids of the last action Act returned ([num_action_tokens]).
  const std::vector<int32_t>& last_action_ids() const { return actor_->last_action_ids(0); }
  // The logits the last token of that action was chosen from ([vocab_size]).
  const std::vector<float>& last_logits() const { return actor_->last_logits(); }
  // Positions of the prefilled prompt (0 without one).
  int64_t prompt_length() const { return actor_->prompt_length(); }
  // Timesteps of this episode currently in the cache (the current one included).
  int64_t cached_timesteps() const { return actor_->cached_timesteps(0); }
  // Timesteps dropped from the cache since Reset.
  int64_t dropped_timesteps() const { return actor_->dropped_timesteps(0); }
  // The cache (sequence 0), for inspection in tests.
  const KvCache& cache() const { return actor_->cache(); }
  const SequenceBuilder& builder() const { return actor_->builder(); }
  // The prompt's tokens as prefilled (empty without a prompt).
  const TokenStream& prompt_stream() const { return actor_->prompt_stream(); }

 private:
  explicit TransformerPolicy(std::unique_ptr<TransformerActor> actor) : actor_(std::move(actor)) {}
  std::unique_ptr<TransformerActor> actor_;
};

// The same as TransformerPolicy::Create, as a plain Policy.
absl::StatusOr<std::unique_ptr<Policy>> MakeTransformerPolicy(std::shared_ptr<const Transformer> model,
                                                              const std::string& task, const SpecMap& obs_spec,
                                                              const SpecMap& action_spec,
                                                              const TextTokenizer* text,
                                                              TransformerPolicyOptions options);

// The model stored in the checkpoint at `path` (parameters only; the optimiser state is
// read and discarded). Errors name `path`: unreadable, not a calico checkpoint, corrupt,
// truncated or of another version.
absl::StatusOr<std::shared_ptr<const Transformer>> LoadTransformerFromCheckpoint(const std::string& path);

// `stream` (whole, or positions [begin, end)) as a model input of shape [1, n], with
// its own patches and evaluation-mode patch buckets. Exposed for tests and batching.
Batch StreamToBatch(const TokenStream& stream, int64_t begin, int64_t end);

}  // namespace calico

#endif  // CALICO_POLICIES_TRANSFORMER_POLICY_H_
