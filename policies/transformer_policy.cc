#include "policies/transformer_policy.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "model/adamw.h"
#include "model/checkpoint.h"
#include "model/rotary.h"
#include "model/sampling.h"
#include "model/trainer.h"
#include "policies/text_model_match.h"
#include "tokenizers/vocabulary.h"

namespace calico {
namespace {

// An observation that fits `specs` (values at zero clamped into the bounds, empty text),
// to measure how many tokens the task's observations take and check that the model can
// embed them before any episode starts.
NamedArrays ProbeObservation(const SpecMap& specs) {
  NamedArrays out;
  for (const auto& [key, spec] : specs) {
    const int64_t n = spec.num_elements();
    Array a;
    a.dtype = spec.dtype;
    a.shape = spec.shape;
    switch (spec.dtype) {
      case DType::kFloat32:
        for (int64_t i = 0; i < n; ++i) {
          a.floats.push_back(static_cast<float>(std::clamp(0.0, spec.min_at(i), spec.max_at(i))));
        }
        break;
      case DType::kInt32:
        for (int64_t i = 0; i < n; ++i) {
          a.ints.push_back(static_cast<int32_t>(std::clamp(0.0, spec.min_at(i), spec.max_at(i))));
        }
        break;
      case DType::kUint8:
        a.bytes.assign(n, 0);
        break;
      case DType::kString:
        break;
    }
    out[key] = std::move(a);
  }
  return out;
}

// `status` with its message prefixed by `what` (OK stays OK).
absl::Status Annotate(const absl::Status& status, const std::string& what) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(what, ": ", status.message()));
}

}  // namespace

Batch StreamToBatch(const TokenStream& stream, int64_t begin, int64_t end) {
  Batch out = Batch::Zeros(1, end - begin);
  for (int64_t t = begin; t < end; ++t) {
    const int64_t i = t - begin;
    out.ids[i] = stream.ids[t];
    out.local_position[i] = stream.local_position[t];
    out.patch_index[i] = -1;
    const int32_t p = stream.patch_index[t];
    if (p >= 0) {
      out.patch_index[i] = static_cast<int32_t>(out.patch_row.size());
      out.patch_row.push_back(stream.patch_positions[p].row_index);
      out.patch_col.push_back(stream.patch_positions[p].col_index);
      out.patches.insert(out.patches.end(), stream.patches.begin() + int64_t{p} * kPatchValues,
                         stream.patches.begin() + (int64_t{p} + 1) * kPatchValues);
    }
  }
  return out;
}

TransformerActor::TransformerActor(std::shared_ptr<const Transformer> model, SequenceBuilder builder,
                                   KvCache cache, TransformerPolicyOptions options, std::string task, int num_envs)
    : model_(std::move(model)),
      builder_(std::move(builder)),
      cache_(std::move(cache)),
      decoder_(model_.get()),
      options_(std::move(options)),
      task_(std::move(task)),
      envs_(num_envs) {}

absl::StatusOr<std::unique_ptr<TransformerActor>> TransformerActor::Create(
    std::shared_ptr<const Transformer> model, const std::string& task, const SpecMap& obs_spec,
    const SpecMap& action_spec, const TextTokenizer* text, TransformerPolicyOptions options, int num_envs) {
  const std::string what = absl::StrCat("transformer policy for ", task);
  if (model == nullptr) return absl::InvalidArgumentError(absl::StrCat(what, ": no model"));
  if (num_envs < 1) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", num_envs, " environments, expected at least 1"));
  }
  const ModelConfig& config = model->config();
  if (options.temperature < 0 || !(options.temperature < 1e300)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": temperature ", options.temperature, ", expected a finite value >= 0"));
  }
  if (!(options.prompt_max_fraction > 0 && options.prompt_max_fraction <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": prompt_max_fraction ", options.prompt_max_fraction,
                                                   ", expected a value in (0, 1]"));
  }
  const int context = options.context_length == 0 ? config.context_length() : options.context_length;
  if (context < 1 || context > config.context_length()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": context_length ", options.context_length,
                                                   ", expected 0 (the model's) or 1..",
                                                   config.context_length()));
  }
  // The token stream's vocabulary comes from the text model (or calico's 512 pieces).
  const int32_t text_size = text != nullptr ? text->vocab_size() : 512;
  ASSIGN_OR_RETURN(Vocabulary vocab, Vocabulary::Create(text_size));
  if (vocab.size() != config.vocab_size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": the model's vocab_size is ", config.vocab_size(), " but the token stream of a ", text_size,
        "-piece text model needs ", vocab.size(), " (was it trained with another text model?)"));
  }
  // Text observations are read through the text model, so it must be the trained one;
  // without them only its size matters (action and separator ids follow the text range).
  if (text != nullptr) {
    for (const auto& [key, spec] : obs_spec) {
      if (spec.dtype != DType::kString) continue;
      if (absl::Status match = CheckTextModelMatches(config, *text); !match.ok()) {
        return absl::Status(match.code(), absl::StrCat(what, ": observation '", key, "' is text and ", match.message()));
      }
      break;
    }
  }
  SequenceBuilderOptions builder_options;
  builder_options.observation_spec = obs_spec;
  builder_options.action_spec = action_spec;
  if (action_spec.empty()) return absl::InvalidArgumentError(absl::StrCat(what, ": the task has no action"));
  absl::StatusOr<SequenceBuilder> builder = SequenceBuilder::Create(builder_options, vocab, text);
  if (!builder.ok()) return Annotate(builder.status(), what);
  // A spec of only zero-sized arrays has no token to decode: nothing to act with.
  if (builder->num_action_tokens() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": the task's action has no elements"));
  }

  // One whole timestep of this task through ValidateBatch: catches observations with
  // more tokens than the model's local positions, or patch buckets beyond its tables.
  TokenStream probe;
  RETURN_IF_ERROR(Annotate(builder->AppendObservation(ProbeObservation(obs_spec), nullptr, &probe), what));
  RETURN_IF_ERROR(Annotate(builder->AppendSeparator(&probe), what));
  const int64_t step_positions = probe.num_positions() + builder->num_action_tokens();
  for (int64_t i = 0; i < builder->num_action_tokens(); ++i) {
    ASSIGN_OR_RETURN(IdRange range, builder->ValidActionIds(i));
    probe.ids.push_back(range.begin);
    probe.patch_index.push_back(-1);
    probe.local_position.push_back(kNoLocalPosition);
  }
  Batch probe_batch = StreamToBatch(probe, 0, probe.num_positions());
  if (probe_batch.seq_len <= config.context_length()) {
    if (absl::Status st = ValidateBatch(probe_batch, config, /*require_targets=*/false); !st.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat(what, ": the model (", config.name(), ") cannot hold this task's timesteps (",
                       step_positions, " positions): ", st.message()));
    }
  }

  // The prompt: the demonstration's last timesteps that fit the prompt budget.
  TokenStream prompt;
  if (options.prompt.has_value()) {
    const Episode& demo = *options.prompt;
    if (demo.task != task) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": the prompt episode is of task '", demo.task, "', expected the same task"));
    }
    if (demo.observation_spec != obs_spec || demo.action_spec != action_spec) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": the prompt episode's specs differ from the task's"));
    }
    const int64_t budget = static_cast<int64_t>(context * options.prompt_max_fraction);
    std::vector<int64_t> counts;
    for (size_t t = 0; t < demo.steps.size(); ++t) {
      TokenStream one;
      RETURN_IF_ERROR(Annotate(builder->AppendTimestep(demo.steps[t], nullptr, &one),
                               absl::StrCat(what, ": prompt step ", t)));
      counts.push_back(one.num_positions());
    }
    int64_t first = static_cast<int64_t>(counts.size()), used = 0;
    while (first > 0 && used + counts[first - 1] <= budget) used += counts[--first];
    for (int64_t t = first; t < static_cast<int64_t>(counts.size()); ++t) {
      RETURN_IF_ERROR(builder->AppendTimestep(demo.steps[t], nullptr, &prompt));
    }
    if (prompt.num_positions() == 0) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": not even the prompt episode's last timestep (",
                                                     counts.empty() ? 0 : counts.back(),
                                                     " positions) fits the prompt budget of ", budget));
    }
  }
  if (prompt.num_positions() + step_positions > context) {
    return absl::FailedPreconditionError(absl::StrCat(
        what, ": a context of ", context, " positions cannot hold the prompt (", prompt.num_positions(),
        ") and one timestep (", step_positions, ")"));
  }

  ASSIGN_OR_RETURN(KvCache cache, KvCache::Create(config, num_envs, context));
  auto actor = std::unique_ptr<TransformerActor>(new TransformerActor(
      std::move(model), *std::move(builder), std::move(cache), std::move(options), task, num_envs));
  for (int64_t i = 0; i < actor->builder_.num_action_tokens(); ++i) {
    ASSIGN_OR_RETURN(IdRange range, actor->builder_.ValidActionIds(i));
    actor->action_ranges_.push_back(range);
  }
  actor->prompt_ = std::move(prompt);
  actor->prompt_batch_ = StreamToBatch(actor->prompt_, 0, actor->prompt_.num_positions());
  actor->options_.prompt.reset();  // tokenised; the episode itself is no longer needed
  for (int e = 0; e < num_envs; ++e) {
    actor->Reset(e, 0);
    RETURN_IF_ERROR(actor->envs_[e].reset_status);
  }
  // Every environment's prefill is the same (same tokens at positions [0, P)), so one
  // copy of the keys serves all of them.
  const int64_t P = actor->prompt_.num_positions(), D = config.head_dim();
  for (int l = 0; l < config.num_layers(); ++l) {
    for (int h = 0; h < config.num_heads(); ++h) {
      const float* k = actor->cache_.keys(l, 0, h);
      actor->prompt_keys_.insert(actor->prompt_keys_.end(), k, k + P * D);
    }
  }
  return actor;
}

void TransformerActor::Reset(int env, uint64_t seed) {
  EnvState& state = envs_[env];
  cache_.Reset(env);
  state.step_lengths.clear();
  state.pending_token = -1;
  state.dropped_timesteps = 0;
  state.dropped_positions = 0;
  state.last_action_ids.clear();
  // Two SplitMix streams combined, so neighbouring (option seed, episode seed) pairs do
  // not give overlapping streams.
  state.rng = Rng(Rng(options_.seed ^ 0x5851F42D4C957F2DULL).Next() ^ Rng(seed).Next());
  state.reset_status = absl::OkStatus();
  if (prompt_.num_positions() > 0) {
    state.reset_status = Annotate(decoder_.Append({env}, {prompt_batch_}, &cache_, &logits_),
                                  absl::StrCat("transformer policy for ", task_, ": prompt prefill"));
  }
}

absl::Status TransformerActor::MakeRoom(int env, int64_t positions) {
  EnvState& state = envs_[env];
  bool dropped = false;
  while (cache_.length(env) + positions > cache_.capacity()) {
    if (state.step_lengths.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("transformer policy for ", task_, ": a timestep of ", positions,
                       " positions does not fit a context of ", cache_.capacity(), " with a prompt of ",
                       prompt_.num_positions()));
    }
    // The oldest timestep's positions follow the prompt; if it is also the newest, its
    // pending action token was never appended and is discarded with it.
    int64_t count = state.step_lengths.front();
    if (state.step_lengths.size() == 1 && state.pending_token >= 0) {
      --count;
      state.pending_token = -1;
      --positions;  // the caller counted one position for appending that token
    }
    RETURN_IF_ERROR(cache_.Drop(env, static_cast<int>(prompt_.num_positions()), static_cast<int>(count)));
    state.step_lengths.pop_front();
    ++state.dropped_timesteps;
    state.dropped_positions += count;
    dropped = true;
  }
  if (dropped) ShiftPrompt(env);
  return absl::OkStatus();
}

void TransformerActor::ShiftPrompt(int env) {
  const int64_t P = prompt_.num_positions();
  if (P == 0) return;
  const ModelConfig& config = model_->config();
  const int D = config.head_dim();
  // Rotations compose additively: rotating a key of position j by `shift` more places
  // it at j + shift, exactly as if it had been computed there.
  const int64_t shift = envs_[env].dropped_positions;
  const RotaryTable<float> table(shift, 1, D, config.rope_base());
  const float* pristine = prompt_keys_.data();
  for (int l = 0; l < config.num_layers(); ++l) {
    for (int h = 0; h < config.num_heads(); ++h, pristine += P * D) {
      float* k = cache_.keys(l, env, h);
      std::copy_n(pristine, P * D, k);
      for (int64_t j = 0; j < P; ++j) table.Rotate(k + j * D, shift, false);
    }
  }
}

absl::StatusOr<std::vector<NamedArrays>> TransformerActor::Act(const std::vector<int>& envs,
                                                               const std::vector<const TimeStep*>& timesteps) {
  if (envs.size() != timesteps.size() || envs.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("transformer actor: ", envs.size(), " environments and ",
                                                   timesteps.size(), " timesteps, expected the same nonzero number"));
  }
  const int64_t requests = static_cast<int64_t>(envs.size());
  std::vector<uint8_t> seen(envs_.size(), 0);
  for (int64_t r = 0; r < requests; ++r) {
    const int e = envs[r];
    if (e < 0 || e >= num_envs() || seen[e]) {
      return absl::InvalidArgumentError(absl::StrCat("transformer actor: environment ", e,
                                                     " is repeated or outside [0, ", num_envs(), ")"));
    }
    seen[e] = 1;
    if (timesteps[r] == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("transformer actor: environment ", e, " has no timestep"));
    }
    RETURN_IF_ERROR(envs_[e].reset_status);
  }
  const int64_t num_actions = builder_.num_action_tokens();
  std::vector<Batch> inputs(requests);
  for (int64_t r = 0; r < requests; ++r) {
    const int e = envs[r];
    EnvState& state = envs_[e];
    TokenStream step;
    if (absl::Status st = builder_.AppendObservation(timesteps[r]->observation, nullptr, &step); !st.ok()) {
      return Annotate(st, absl::StrCat("environment ", e));
    }
    RETURN_IF_ERROR(builder_.AppendSeparator(&step));
    const int64_t step_length = step.num_positions() + num_actions;
    // Room for the pending token, this observation and '|', and all but the last action
    // token (which waits for the next step).
    RETURN_IF_ERROR(MakeRoom(e, (state.pending_token >= 0 ? 1 : 0) + step_length - 1));
    Batch& input = inputs[r];
    input = StreamToBatch(step, 0, step.num_positions());
    if (state.pending_token >= 0) {
      // The previous action's last token goes first: it belongs to the previous timestep.
      input.ids.insert(input.ids.begin(), state.pending_token);
      input.patch_index.insert(input.patch_index.begin(), -1);
      input.local_position.insert(input.local_position.begin(), kNoLocalPosition);
      input.loss_mask.insert(input.loss_mask.begin(), 0);
      ++input.seq_len;
      state.pending_token = -1;
    }
    state.step_lengths.push_back(step_length);
  }
  RETURN_IF_ERROR(decoder_.Append(envs, inputs, &cache_, &logits_));

  const int32_t vocab = model_->config().vocab_size();
  std::vector<std::vector<int32_t>> ids(requests, std::vector<int32_t>(num_actions));
  Batch one = Batch::Zeros(1, 1);
  std::vector<Batch> tokens(requests, one);
  for (int64_t i = 0; i < num_actions; ++i) {
    // Only the ids valid for this element can be drawn, so the action always fits.
    const IdRange& range = action_ranges_[i];
    for (int64_t r = 0; r < requests; ++r) {
      ASSIGN_OR_RETURN(ids[r][i], SampleToken(logits_.data() + r * vocab, vocab, range.begin, range.end,
                                              options_.temperature, &envs_[envs[r]].rng));
      tokens[r].ids[0] = ids[r][i];
    }
    if (i + 1 < num_actions) RETURN_IF_ERROR(decoder_.Append(envs, tokens, &cache_, &logits_));
  }
  std::vector<NamedArrays> actions(requests);
  for (int64_t r = 0; r < requests; ++r) {
    EnvState& state = envs_[envs[r]];
    state.pending_token = ids[r].back();
    ASSIGN_OR_RETURN(actions[r], builder_.DetokenizeAction(ids[r]));
    state.last_action_ids = std::move(ids[r]);
  }
  return actions;
}

absl::StatusOr<std::unique_ptr<TransformerPolicy>> TransformerPolicy::Create(
    std::shared_ptr<const Transformer> model, const std::string& task, const SpecMap& obs_spec,
    const SpecMap& action_spec, const TextTokenizer* text, TransformerPolicyOptions options) {
  ASSIGN_OR_RETURN(std::unique_ptr<TransformerActor> actor,
                   TransformerActor::Create(std::move(model), task, obs_spec, action_spec, text,
                                            std::move(options), /*num_envs=*/1));
  return std::unique_ptr<TransformerPolicy>(new TransformerPolicy(std::move(actor)));
}

absl::StatusOr<NamedArrays> TransformerPolicy::Act(const TimeStep& timestep) {
  ASSIGN_OR_RETURN(std::vector<NamedArrays> actions, actor_->Act({0}, {&timestep}));
  return std::move(actions[0]);
}

absl::StatusOr<std::unique_ptr<Policy>> MakeTransformerPolicy(std::shared_ptr<const Transformer> model,
                                                              const std::string& task, const SpecMap& obs_spec,
                                                              const SpecMap& action_spec,
                                                              const TextTokenizer* text,
                                                              TransformerPolicyOptions options) {
  ASSIGN_OR_RETURN(std::unique_ptr<TransformerPolicy> policy,
                   TransformerPolicy::Create(std::move(model), task, obs_spec, action_spec, text,
                                             std::move(options)));
  return std::unique_ptr<Policy>(std::move(policy));
}

absl::StatusOr<std::shared_ptr<const Transformer>> LoadTransformerFromCheckpoint(const std::string& path) {
  const std::string what = absl::StrCat("checkpoint ", path);
  auto named = [&](const absl::Status& st) {
    // Checkpoint errors usually name the path already; add it where they do not.
    return st.message().find(path) != absl::string_view::npos ? st : Annotate(st, what);
  };
  absl::StatusOr<ModelConfig> config = ReadCheckpointConfig(path);
  if (!config.ok()) return named(config.status());
  absl::StatusOr<Trainer> trainer = Trainer::Create(*config, AdamWOptions(), /*seed=*/0);
  if (!trainer.ok()) return named(trainer.status());
  if (absl::Status st = RestoreCheckpoint(path, &*trainer); !st.ok()) return named(st);
  return std::shared_ptr<const Transformer>(std::make_shared<Transformer>(std::move(trainer->model())));
}

}  // namespace calico
