#include "tokenizers/sequence_builder.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "tokenizers/continuous.h"
#include "tokenizers/discrete.h"
#include "tokenizers/image.h"

namespace calico {
namespace {

// Sizes of a stream's arrays, to undo a partial append.
struct StreamMark {
  size_t positions, timesteps, patch_floats, patches, sources, source_keys;
};

StreamMark Mark(const TokenStream& s) {
  return {s.ids.size(),       s.timestep_starts.size(), s.patches.size(),
          s.patch_positions.size(), s.sources.size(),   s.source_keys.size()};
}

void Rollback(const StreamMark& m, TokenStream* s) {
  s->ids.resize(m.positions);
  s->patch_index.resize(m.positions);
  s->local_position.resize(m.positions);
  s->loss_mask.resize(m.positions);
  s->kinds.resize(m.positions);
  s->timestep.resize(m.positions);
  s->timestep_starts.resize(m.timesteps);
  s->patches.resize(m.patch_floats);
  s->patch_positions.resize(m.patches);
  s->sources.resize(m.sources);
  s->source_keys.resize(m.source_keys);
}

bool CarriesLoss(PositionKind kind) { return kind == PositionKind::kText || kind == PositionKind::kAction; }

}  // namespace

absl::Status SequenceBuilderOptions::Validate() const {
  RETURN_IF_ERROR(ValidateSpecs(observation_spec, "observation"));
  RETURN_IF_ERROR(ValidateSpecs(action_spec, "action"));
  if (observation_spec.empty()) {
    return absl::InvalidArgumentError("the observation spec is empty; a timestep needs at least one observation");
  }
  int64_t action_tokens = 0;
  for (const auto& [key, spec] : action_spec) {
    if (spec.dtype != DType::kFloat32 && spec.dtype != DType::kInt32) {
      return absl::InvalidArgumentError(absl::StrCat("action '", key, "' has dtype ", DTypeName(spec.dtype),
                                                     "; actions must be float32 or int32"));
    }
    // Checked before the builder lists a valid id range per element (an action of 2^31
    // elements would allocate 16 GB first).
    action_tokens += spec.num_elements();
    if (action_tokens > kMaxActionTokens) {
      return absl::InvalidArgumentError(absl::StrCat("the action spec holds ", action_tokens, " elements or more (at '",
                                                     key, "'); a timestep's action is at most ", kMaxActionTokens,
                                                     " tokens"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<SequenceBuilder> SequenceBuilder::Create(SequenceBuilderOptions options, const Vocabulary& vocab,
                                                        const TextTokenizer* text) {
  RETURN_IF_ERROR(options.Validate());
  SequenceBuilder builder(std::move(options), vocab, text);
  for (const auto& [key, spec] : builder.options_.observation_spec) {
    switch (spec.dtype) {
      case DType::kString:
        if (text == nullptr) {
          return absl::InvalidArgumentError(absl::StrCat(
              "observation '", key, "' is text, but no text tokenizer (SentencePiece model) was given"));
        }
        builder.layout_.text.push_back(key);
        break;
      case DType::kUint8:
        builder.layout_.image.push_back(key);
        break;
      case DType::kInt32:
        builder.layout_.discrete.push_back(key);
        break;
      case DType::kFloat32:
        builder.layout_.continuous.push_back(key);
        break;
    }
  }
  if (text != nullptr && text->vocab_size() != vocab.text_size()) {
    return absl::InvalidArgumentError(absl::StrCat("the text model has ", text->vocab_size(),
                                                   " pieces but the vocabulary was built for ", vocab.text_size()));
  }
  for (const auto& [key, spec] : builder.options_.action_spec) {
    for (int64_t i = 0; i < spec.num_elements(); ++i) {
      ASSIGN_OR_RETURN(IdRange range, vocab.ValidActionIds(spec, i));
      builder.action_ids_.push_back(range);
    }
  }
  return builder;
}

int32_t SequenceBuilder::SourceKey(TokenStream* stream, const std::string& key) const {
  if (!options_.record_sources) return -1;
  auto it = std::find(stream->source_keys.begin(), stream->source_keys.end(), key);
  if (it != stream->source_keys.end()) return static_cast<int32_t>(it - stream->source_keys.begin());
  stream->source_keys.push_back(key);
  return static_cast<int32_t>(stream->source_keys.size() - 1);
}

void SequenceBuilder::Push(TokenStream* stream, PositionKind kind, int32_t id, int32_t patch, int16_t local,
                           int32_t key, int32_t element) const {
  const bool first = stream->ids.empty();
  stream->ids.push_back(id);
  stream->patch_index.push_back(patch);
  stream->local_position.push_back(local);
  stream->loss_mask.push_back(!first && CarriesLoss(kind) ? 1 : 0);
  stream->kinds.push_back(kind);
  stream->timestep.push_back(static_cast<int32_t>(stream->timestep_starts.size()) - 1);
  if (options_.record_sources) stream->sources.push_back({key, element});
}

absl::Status SequenceBuilder::AppendObservation(const NamedArrays& observation, Rng* rng,
                                                TokenStream* stream) const {
  RETURN_IF_ERROR(CheckArrays(options_.observation_spec, observation, "observation"));
  const StreamMark mark = Mark(*stream);
  absl::Status status = AppendObservationUnchecked(observation, rng, stream);
  if (!status.ok()) Rollback(mark, stream);
  return status;
}

absl::Status SequenceBuilder::AppendObservationUnchecked(const NamedArrays& observation, Rng* rng,
                                                         TokenStream* stream) const {
  stream->timestep_starts.push_back(static_cast<int32_t>(stream->ids.size()));
  int32_t local = 0;
  // Control order: text first. Vision-language order (no action spec): text last, each
  // text followed by EOS (see the header).
  const bool vision_language = options_.action_spec.empty();
  auto append_text = [&]() -> absl::Status {
    for (const std::string& key : layout_.text) {
      ASSIGN_OR_RETURN(std::vector<int32_t> ids, text_->Encode(observation.at(key).text));
      if (vision_language) ids.push_back(vocab_.eos_id());
      const int32_t source = SourceKey(stream, key);
      for (size_t i = 0; i < ids.size(); ++i) {
        Push(stream, PositionKind::kText, ids[i], -1, static_cast<int16_t>(std::min(local++, kMaxLocalPositions)),
             source, static_cast<int32_t>(i));
      }
    }
    return absl::OkStatus();
  };
  if (!vision_language) RETURN_IF_ERROR(append_text());
  for (const std::string& key : layout_.image) {
    const int32_t first_patch = static_cast<int32_t>(stream->patch_positions.size());
    RETURN_IF_ERROR(TokenizeImage(observation.at(key), key, rng, &stream->patches, &stream->patch_positions));
    const int32_t source = SourceKey(stream, key);
    for (int32_t p = first_patch; p < static_cast<int32_t>(stream->patch_positions.size()); ++p) {
      Push(stream, PositionKind::kImage, -1, p, static_cast<int16_t>(std::min(local++, kMaxLocalPositions)),
           source, p - first_patch);
    }
  }
  // Discrete and continuous values are tokenised straight into `ids`, then the other
  // per-position arrays are filled for the new range.
  auto fill = [&](PositionKind kind, size_t begin, int32_t source) {
    const size_t end = stream->ids.size();
    const int32_t t = static_cast<int32_t>(stream->timestep_starts.size()) - 1;
    stream->patch_index.resize(end, -1);
    stream->loss_mask.resize(end, 0);  // observation values carry no loss
    stream->kinds.resize(end, kind);
    stream->timestep.resize(end, t);
    stream->local_position.reserve(end);
    for (size_t i = begin; i < end; ++i) {
      stream->local_position.push_back(static_cast<int16_t>(std::min(local++, kMaxLocalPositions)));
    }
    if (options_.record_sources) {
      for (size_t i = begin; i < end; ++i) stream->sources.push_back({source, static_cast<int32_t>(i - begin)});
    }
  };
  for (const std::string& key : layout_.discrete) {
    const size_t begin = stream->ids.size();
    RETURN_IF_ERROR(TokenizeDiscrete(vocab_, observation.at(key).ints, key, &stream->ids));
    fill(PositionKind::kDiscrete, begin, SourceKey(stream, key));
  }
  for (const std::string& key : layout_.continuous) {
    const size_t begin = stream->ids.size();
    RETURN_IF_ERROR(TokenizeContinuous(vocab_, observation.at(key).floats, key, &stream->ids));
    fill(PositionKind::kContinuous, begin, SourceKey(stream, key));
  }
  if (vision_language) RETURN_IF_ERROR(append_text());
  if (local > kMaxLocalPositions) {
    return absl::InvalidArgumentError(absl::StrCat("the observation has ", local, " tokens; at most ",
                                                   kMaxLocalPositions,
                                                   " fit the local position table (use a smaller image or fewer values)"));
  }
  if (local == 0) {
    return absl::InvalidArgumentError("the observation produced no tokens (empty text and arrays)");
  }
  return absl::OkStatus();
}

absl::Status SequenceBuilder::AppendSeparator(TokenStream* stream) const {
  if (stream->timestep_starts.empty()) {
    return absl::FailedPreconditionError("'|' needs an observation before it; the stream is empty");
  }
  const PositionKind last = stream->kinds.back();
  if (last == PositionKind::kSeparator || last == PositionKind::kAction) {
    return absl::FailedPreconditionError(absl::StrCat("timestep ", stream->timestep_starts.size() - 1,
                                                      " already has its '|'; append an observation first"));
  }
  Push(stream, PositionKind::kSeparator, vocab_.separator_id(), -1, kNoLocalPosition, -1, -1);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int32_t>> SequenceBuilder::TokenizeAction(const NamedArrays& action) const {
  if (options_.action_spec.empty()) {
    return absl::FailedPreconditionError("this task has no action spec, so a timestep cannot carry an action");
  }
  RETURN_IF_ERROR(CheckArrays(options_.action_spec, action, "action"));
  std::vector<int32_t> ids;
  ids.reserve(action_ids_.size());
  for (const auto& [key, spec] : options_.action_spec) {
    const Array& array = action.at(key);
    if (spec.dtype == DType::kFloat32) {
      RETURN_IF_ERROR(TokenizeContinuous(vocab_, array.floats, key, &ids));
    } else {
      RETURN_IF_ERROR(TokenizeDiscrete(vocab_, array.ints, key, &ids));
    }
  }
  return ids;
}

absl::Status SequenceBuilder::AppendAction(const NamedArrays& action, TokenStream* stream) const {
  ASSIGN_OR_RETURN(std::vector<int32_t> ids, TokenizeAction(action));
  RETURN_IF_ERROR(AppendSeparator(stream));
  size_t offset = 0;
  for (const auto& [key, spec] : options_.action_spec) {
    const int32_t source = SourceKey(stream, key);
    for (int64_t i = 0; i < spec.num_elements(); ++i) {
      Push(stream, PositionKind::kAction, ids[offset++], -1, kNoLocalPosition, source, static_cast<int32_t>(i));
    }
  }
  return absl::OkStatus();
}

absl::Status SequenceBuilder::AppendTimestep(const Timestep& step, Rng* rng, TokenStream* stream) const {
  const StreamMark mark = Mark(*stream);
  RETURN_IF_ERROR(AppendObservation(step.observation, rng, stream));
  if (step.action.has_value()) {
    absl::Status status = AppendAction(*step.action, stream);
    if (!status.ok()) {
      Rollback(mark, stream);
      return status;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<TokenStream> SequenceBuilder::TokenizeEpisode(absl::Span<const Timestep> steps, Rng* rng) const {
  TokenStream stream;
  for (size_t t = 0; t < steps.size(); ++t) {
    absl::Status status = AppendTimestep(steps[t], rng, &stream);
    if (!status.ok()) {
      return absl::Status(status.code(), absl::StrCat("timestep ", t, ": ", status.message()));
    }
  }
  return stream;
}

absl::StatusOr<IdRange> SequenceBuilder::ValidActionIds(int64_t index) const {
  if (index < 0 || index >= num_action_tokens()) {
    return absl::OutOfRangeError(absl::StrCat("action token ", index, " is outside [0, ", num_action_tokens(), ")"));
  }
  return action_ids_[index];
}

absl::StatusOr<NamedArrays> SequenceBuilder::DetokenizeAction(absl::Span<const int32_t> ids) const {
  if (static_cast<int64_t>(ids.size()) != num_action_tokens()) {
    return absl::InvalidArgumentError(
        absl::StrCat("got ", ids.size(), " action tokens; the action spec needs ", num_action_tokens()));
  }
  NamedArrays action;
  size_t offset = 0;
  for (const auto& [key, spec] : options_.action_spec) {
    Array array;
    array.dtype = spec.dtype;
    array.shape = spec.shape;
    const int64_t n = spec.num_elements();
    for (int64_t i = 0; i < n; ++i, ++offset) {
      const int32_t id = ids[offset];
      const IdRange range = action_ids_[offset];
      if (!range.contains(id)) {
        return absl::InvalidArgumentError(absl::StrCat("action '", key, "' element ", IndexString(spec.shape, i),
                                                       ": id ", id, " is not valid; expected an id in [", range.begin,
                                                       ", ", range.end, ")"));
      }
      if (spec.dtype == DType::kFloat32) {
        const double value = ContinuousBinValue(id - vocab_.continuous_range().begin);
        array.floats.push_back(ClampToFloat(value, spec.min_at(i), spec.max_at(i)));
      } else {
        array.ints.push_back(id - vocab_.discrete_range().begin);
      }
    }
    action.emplace(key, std::move(array));
  }
  return action;
}

}  // namespace calico
