// SequenceBuilder: timesteps and episodes to Gato's token stream, and action tokens back
// to actions (DESIGN.md "The token stream").
//
// One timestep = [text][image patches][discrete][continuous] | [action]; inside each
// modality, observation keys in lexicographic order and tensors row-major. The modality of
// an observation follows its dtype: STRING text, UINT8 image, INT32 discrete, FLOAT32
// continuous. Actions are FLOAT32 (continuous) or INT32 (discrete) arrays, tokenised in
// key order, row-major.
//
// Vision-language timesteps (a builder whose action spec is empty, e.g. scenes/caption
// and scenes/vqa) use another order:
//   [image patches][discrete][continuous][text EOS]
// i.e. text comes LAST and each text observation ends with Vocabulary::eos_id(), a text
// position that carries loss. This departs from DESIGN.md's one-line order ("text, image,
// ...") on purpose: there the text is an instruction that conditions what follows, here
// it is what the model must produce about the image (a caption, or a question and its
// answer), so it has to come after the image, and EOS tells the decoder where the answer
// ends. Control timesteps (any action spec) keep DESIGN.md's order unchanged.
#ifndef CALICO_TOKENIZERS_SEQUENCE_BUILDER_H_
#define CALICO_TOKENIZERS_SEQUENCE_BUILDER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "base/random.h"
#include "envs/array.h"
#include "envs/specs.h"
#include "tokenizers/text/text_tokenizer.h"
#include "tokenizers/token_stream.h"
#include "tokenizers/vocabulary.h"

namespace calico {

// One timestep to tokenise: an observation and, unless this is an observation-only step
// (an episode's last observation, or a vision-language step), the action taken after it.
struct Timestep {
  NamedArrays observation;
  std::optional<NamedArrays> action;
};

// Most action tokens (elements) one timestep may have: four times the largest preset's
// 1024-position context, so any action a model could decode fits, and a spec of billions
// of elements is refused before anything is allocated for it.
inline constexpr int64_t kMaxActionTokens = 4096;

// What the builder tokenises.
struct SequenceBuilderOptions {
  SpecMap observation_spec;
  SpecMap action_spec;  // may be empty (vision-language tasks have no action)
  // Fill TokenStream::sources / source_keys (for `calico tokens` and debugging).
  bool record_sources = false;

  // Checks the specs, that every action spec is float32 or int32 with usable bounds, and
  // that there is at least one observation.
  absl::Status Validate() const;
};

// Immutable after Create: every method is const and the builder is thread-safe, as long
// as each thread passes its own Rng and TokenStream.
class SequenceBuilder {
 public:
  // `text` may be null when no observation is a string; otherwise it must outlive the
  // builder and its vocabulary size must equal `vocab.text_size()`.
  static absl::StatusOr<SequenceBuilder> Create(SequenceBuilderOptions options, const Vocabulary& vocab,
                                                const TextTokenizer* text);

  // Starts a new timestep with the tokens of `observation`. `rng` set: training-mode
  // patch positions drawn from it; null: evaluation-mode positions. On error (a key, dtype,
  // shape, value or bound that does not fit the spec, an observation longer than 512
  // tokens) the stream is left as it was.
  absl::Status AppendObservation(const NamedArrays& observation, Rng* rng, TokenStream* stream) const;

  // Appends '|' and the tokens of `action` to the current timestep, which must hold an
  // observation and no action yet. On error the stream is left as it was.
  absl::Status AppendAction(const NamedArrays& action, TokenStream* stream) const;

  // Appends '|' alone (when acting, the action tokens are then decoded one by one).
  absl::Status AppendSeparator(TokenStream* stream) const;

  // AppendObservation then, if the step has one, AppendAction; all or nothing.
  absl::Status AppendTimestep(const Timestep& step, Rng* rng, TokenStream* stream) const;

  // The whole episode, timesteps in time order.
  absl::StatusOr<TokenStream> TokenizeEpisode(absl::Span<const Timestep> steps, Rng* rng) const;

  // The action's ids (no separator): key order, row-major.
  absl::StatusOr<std::vector<int32_t>> TokenizeAction(const NamedArrays& action) const;

  // Tokens in one action.
  int64_t num_action_tokens() const { return static_cast<int64_t>(action_ids_.size()); }

  // The ids a decoder may emit as action token `index` (see Vocabulary::ValidActionIds).
  absl::StatusOr<IdRange> ValidActionIds(int64_t index) const;

  // Action tokens back to the action: continuous bins to their centre value, clamped to
  // the spec's bounds; discrete ids to their integer. Errors name the key, the element
  // and the expected ids for a wrong count or an id outside that element's valid range.
  absl::StatusOr<NamedArrays> DetokenizeAction(absl::Span<const int32_t> ids) const;

  const Vocabulary& vocabulary() const { return vocab_; }
  const SequenceBuilderOptions& options() const { return options_; }

 private:
  // Observation keys grouped by modality, each group in lexicographic order.
  struct ObservationLayout {
    std::vector<std::string> text, image, discrete, continuous;
  };

  SequenceBuilder(SequenceBuilderOptions options, const Vocabulary& vocab, const TextTokenizer* text)
      : options_(std::move(options)), vocab_(vocab), text_(text) {}

  absl::Status AppendObservationUnchecked(const NamedArrays& observation, Rng* rng, TokenStream* stream) const;
  void Push(TokenStream* stream, PositionKind kind, int32_t id, int32_t patch, int16_t local, int32_t key,
            int32_t element) const;
  int32_t SourceKey(TokenStream* stream, const std::string& key) const;

  SequenceBuilderOptions options_;
  Vocabulary vocab_;
  const TextTokenizer* text_;
  ObservationLayout layout_;
  std::vector<IdRange> action_ids_;  // [num_action_tokens]: valid ids of each action token
};

}  // namespace calico

#endif  // CALICO_TOKENIZERS_SEQUENCE_BUILDER_H_
