#include "agent/policy_factory.h"

#include <memory>
#include <utility>

#include "agent/resource_paths.h"
#include "base/status_macros.h"
#include "tokenizers/text/text_tokenizer.h"

namespace calico {

absl::StatusOr<PolicyFactory> MakeCheckpointPolicyFactory(const std::string& checkpoint_path,
                                                          CheckpointPolicyOptions options) {
  ASSIGN_OR_RETURN(std::shared_ptr<const Transformer> model, LoadTransformerFromCheckpoint(checkpoint_path));
  ASSIGN_OR_RETURN(std::string text_path, FindTextModel(options.text_model_path));
  ASSIGN_OR_RETURN(std::unique_ptr<TextTokenizer> text_owned, TextTokenizer::Load(text_path));
  // Shared by every policy the factory makes (TextTokenizer is thread-safe), and kept
  // alive by the factory's copies.
  std::shared_ptr<const TextTokenizer> text(std::move(text_owned));
  auto shared = std::make_shared<const CheckpointPolicyOptions>(std::move(options));
  return PolicyFactory([model, text, shared](const std::string& task, const Environment& env)
                           -> absl::StatusOr<std::unique_ptr<Policy>> {
    TransformerPolicyOptions policy_options = shared->policy;
    policy_options.prompt.reset();
    if (auto it = shared->prompts.find(task); it != shared->prompts.end()) policy_options.prompt = it->second;
    // The policy keeps a raw pointer to the tokenizer; a holder policy keeps it alive.
    ASSIGN_OR_RETURN(std::unique_ptr<Policy> policy,
                     MakeTransformerPolicy(model, task, env.observation_spec(), env.action_spec(), text.get(),
                                           std::move(policy_options)));
    class Holder : public Policy {
     public:
      Holder(std::unique_ptr<Policy> inner, std::shared_ptr<const TextTokenizer> text)
          : text_(std::move(text)), inner_(std::move(inner)) {}
      void Reset(uint64_t seed) override { inner_->Reset(seed); }
      absl::StatusOr<NamedArrays> Act(const TimeStep& timestep) override { return inner_->Act(timestep); }

     private:
      // Declared first, so destroyed after the policy that points at it.
      std::shared_ptr<const TextTokenizer> text_;
      std::unique_ptr<Policy> inner_;
    };
    return std::unique_ptr<Policy>(std::make_unique<Holder>(std::move(policy), text));
  });
}

}  // namespace calico
