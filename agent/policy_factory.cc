#include "agent/policy_factory.h"

#include <memory>
#include <utility>

#include "agent/resource_paths.h"
#include "base/status_macros.h"
#include "tokenizers/text/text_tokenizer.h"

namespace calico {
namespace {

// The policies keep a raw pointer to the shared text tokenizer; these holders keep it
// alive (declared first, so destroyed after the policy that points at it).
class HeldPolicy : public Policy {
 public:
  HeldPolicy(std::unique_ptr<Policy> inner, std::shared_ptr<const TextTokenizer> text)
      : text_(std::move(text)), inner_(std::move(inner)) {}
  void Reset(uint64_t seed) override { inner_->Reset(seed); }
  absl::StatusOr<NamedArrays> Act(const TimeStep& timestep) override { return inner_->Act(timestep); }

 private:
  std::shared_ptr<const TextTokenizer> text_;
  std::unique_ptr<Policy> inner_;
};

class HeldBatchPolicy : public BatchPolicy {
 public:
  HeldBatchPolicy(std::unique_ptr<BatchPolicy> inner, std::shared_ptr<const TextTokenizer> text)
      : text_(std::move(text)), inner_(std::move(inner)) {}
  int num_envs() const override { return inner_->num_envs(); }
  void Reset(int env, uint64_t seed) override { inner_->Reset(env, seed); }
  absl::StatusOr<std::vector<NamedArrays>> Act(const std::vector<int>& envs,
                                               const std::vector<const TimeStep*>& timesteps) override {
    return inner_->Act(envs, timesteps);
  }

 private:
  std::shared_ptr<const TextTokenizer> text_;
  std::unique_ptr<BatchPolicy> inner_;
};

}  // namespace

absl::StatusOr<CheckpointPolicies> MakeCheckpointPolicies(const std::string& checkpoint_path,
                                                          CheckpointPolicyOptions options) {
  ASSIGN_OR_RETURN(std::shared_ptr<const Transformer> model, LoadTransformerFromCheckpoint(checkpoint_path));
  ASSIGN_OR_RETURN(std::string text_path, FindTextModel(options.text_model_path));
  ASSIGN_OR_RETURN(std::unique_ptr<TextTokenizer> text_owned, TextTokenizer::Load(text_path));
  // Shared by every policy the factories make (TextTokenizer is thread-safe).
  std::shared_ptr<const TextTokenizer> text(std::move(text_owned));
  auto shared = std::make_shared<const CheckpointPolicyOptions>(std::move(options));
  // The policy options for `task`: the common ones plus that task's prompt and
  // temperature, if any.
  auto options_for = [shared](const std::string& task) {
    TransformerPolicyOptions policy_options = shared->policy;
    policy_options.prompt.reset();
    if (auto it = shared->prompts.find(task); it != shared->prompts.end()) policy_options.prompt = it->second;
    if (auto it = shared->temperatures.find(task); it != shared->temperatures.end()) {
      policy_options.temperature = it->second;
    }
    return policy_options;
  };
  CheckpointPolicies policies;
  policies.single = [model, text, options_for](const std::string& task,
                                               const Environment& env) -> absl::StatusOr<std::unique_ptr<Policy>> {
    ASSIGN_OR_RETURN(std::unique_ptr<Policy> policy,
                     MakeTransformerPolicy(model, task, env.observation_spec(), env.action_spec(), text.get(),
                                           options_for(task)));
    return std::unique_ptr<Policy>(std::make_unique<HeldPolicy>(std::move(policy), text));
  };
  policies.batched = [model, text, options_for](const std::string& task, const Environment& env,
                                                int num_envs) -> absl::StatusOr<std::unique_ptr<BatchPolicy>> {
    ASSIGN_OR_RETURN(std::unique_ptr<TransformerActor> actor,
                     TransformerActor::Create(model, task, env.observation_spec(), env.action_spec(), text.get(),
                                              options_for(task), num_envs));
    return std::unique_ptr<BatchPolicy>(std::make_unique<HeldBatchPolicy>(std::move(actor), text));
  };
  return policies;
}

absl::StatusOr<PolicyFactory> MakeCheckpointPolicyFactory(const std::string& checkpoint_path,
                                                          CheckpointPolicyOptions options) {
  ASSIGN_OR_RETURN(CheckpointPolicies policies, MakeCheckpointPolicies(checkpoint_path, std::move(options)));
  return policies.single;
}

}  // namespace calico
