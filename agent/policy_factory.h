// A PolicyFactory (agent/episode_runner.h) for a trained transformer: the checkpoint and
// the text model are loaded once, and each call makes a TransformerPolicy for its task.
#ifndef CALICO_AGENT_POLICY_FACTORY_H_
#define CALICO_AGENT_POLICY_FACTORY_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "agent/batch_episode_runner.h"
#include "agent/episode_runner.h"
#include "policies/transformer_policy.h"
#include "replay/episode.h"

namespace calico {

struct CheckpointPolicyOptions {
  // Temperature, seed and context of every policy (its `prompt` field is ignored: use
  // `prompts`, since one factory serves many tasks; `temperatures` may override the
  // temperature per task).
  TransformerPolicyOptions policy;
  // The SentencePiece model; empty: FindTextModel's default search.
  std::string text_model_path;
  // Optional demonstration per task name, prefilled as that task's prompt.
  std::map<std::string, Episode> prompts;
  // Optional sampling temperature per task name (0: greedy), in place of
  // policy.temperature for that task (a suite's per-task `temperature`).
  std::map<std::string, double> temperatures;
};

// Loads the model in `checkpoint_path` and the text model, and returns a factory that
// makes a TransformerPolicy for (task, env) with env's specs. The model is shared,
// read-only, by every policy the factory makes, so the factory may be called from
// several threads at once (as RunEpisodes does). Errors before any episode: an unreadable
// or corrupt checkpoint (naming its path), a missing text model. Errors of a call: a
// task the model cannot hold (vocabulary, observation size, context), naming the task.
absl::StatusOr<PolicyFactory> MakeCheckpointPolicyFactory(const std::string& checkpoint_path,
                                                          CheckpointPolicyOptions options);

// Both forms of one loaded checkpoint: one TransformerPolicy per environment, or one
// TransformerActor for a batch of environments (one decode batch per step). The two act
// identically per episode.
struct CheckpointPolicies {
  PolicyFactory single;
  BatchPolicyFactory batched;
};

// As MakeCheckpointPolicyFactory, with the batched form too (the checkpoint is read once).
absl::StatusOr<CheckpointPolicies> MakeCheckpointPolicies(const std::string& checkpoint_path,
                                                          CheckpointPolicyOptions options);

}  // namespace calico

#endif  // CALICO_AGENT_POLICY_FACTORY_H_
