#include "tokenizers/tokens_command.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/json.h"
#include "base/status_macros.h"
#include "base/text_proto.h"
#include "envs/array_proto.h"
#include "tokenizers/sequence_builder.h"
#include "tokenizers/token_stream.h"
#include "tokenizers/vocabulary.h"

namespace calico {
namespace {

std::string SourceName(const TokenStream& stream, int64_t p) {
  if (stream.sources.empty() || stream.sources[p].key < 0) return "";
  return stream.source_keys[stream.sources[p].key];
}

// Values of a decoded action array, as "[a, b]" with floats to 6 significant digits.
std::string ValuesString(const Array& array) {
  if (array.dtype == DType::kFloat32) {
    return absl::StrCat("[", absl::StrJoin(array.floats, ", ", [](std::string* out, float v) {
                          absl::StrAppend(out, absl::StrFormat("%.6g", v));
                        }), "]");
  }
  return absl::StrCat("[", absl::StrJoin(array.ints, ", "), "]");
}

std::string RenderTable(const TokenStream& stream, const Vocabulary& vocab, const TextTokenizer& text,
                        const std::vector<std::optional<NamedArrays>>& actions) {
  std::string out = absl::StrFormat(
      "%d timesteps, %d positions, %d image patches\n"
      "vocabulary: %d ids: text [0, %d), continuous [%d, %d), discrete [%d, %d), '|' %d, "
      "bos %d, eos %d, pad %d\n\n",
      stream.num_timesteps(), stream.num_positions(), stream.num_patches(), vocab.size(), vocab.text_size(),
      vocab.continuous_range().begin, vocab.continuous_range().end, vocab.discrete_range().begin,
      vocab.discrete_range().end, vocab.separator_id(), vocab.bos_id(), vocab.eos_id(), vocab.pad_id());
  absl::StrAppend(&out, absl::StrFormat("%5s %4s  %-10s %6s %5s %4s  %s\n", "pos", "step", "kind", "id", "local",
                                        "loss", "source"));
  for (int64_t p = 0; p < stream.num_positions(); ++p) {
    const PositionKind kind = stream.kinds[p];
    std::string id = kind == PositionKind::kImage ? absl::StrCat("p", stream.patch_index[p])
                                                   : absl::StrCat(stream.ids[p]);
    std::string source = SourceName(stream, p);
    if (!source.empty()) absl::StrAppend(&source, "[", stream.sources[p].element, "]");
    if (kind == PositionKind::kText) absl::StrAppend(&source, " '", text.Piece(stream.ids[p]), "'");
    if (kind == PositionKind::kImage) {
      const PatchPosition& pos = stream.patch_positions[stream.patch_index[p]];
      absl::StrAppend(&source, absl::StrFormat(" rows [%d, %d) -> %d, cols [%d, %d) -> %d", pos.row_lo, pos.row_hi,
                                               pos.row_index, pos.col_lo, pos.col_hi, pos.col_index));
    }
    const std::string local = stream.local_position[p] < 0 ? "-" : absl::StrCat(stream.local_position[p]);
    absl::StrAppend(&out, absl::StrFormat("%5d %4d  %-10s %6s %5s %4d  %s\n", p, stream.timestep[p],
                                          PositionKindName(kind), id, local, stream.loss_mask[p], source));
    const bool step_ends = p + 1 == stream.num_positions() || stream.timestep[p + 1] != stream.timestep[p];
    if (step_ends && actions[stream.timestep[p]].has_value()) {
      std::vector<std::string> parts;
      for (const auto& [key, array] : *actions[stream.timestep[p]]) {
        parts.push_back(absl::StrCat(key, "=", ValuesString(array)));
      }
      absl::StrAppend(&out, "             action decoded from its tokens: ", absl::StrJoin(parts, " "), "\n");
    }
  }
  return out;
}

std::string RenderJson(const TokenStream& stream, const Vocabulary& vocab,
                       const std::vector<std::optional<NamedArrays>>& actions) {
  std::string out = absl::StrFormat(
      "{\"vocabulary\": {\"size\": %d, \"text\": [0, %d], \"continuous\": [%d, %d], \"discrete\": [%d, %d], "
      "\"separator\": %d, \"bos\": %d, \"eos\": %d, \"pad\": %d},\n",
      vocab.size(), vocab.text_size(), vocab.continuous_range().begin, vocab.continuous_range().end,
      vocab.discrete_range().begin, vocab.discrete_range().end, vocab.separator_id(), vocab.bos_id(), vocab.eos_id(),
      vocab.pad_id());
  absl::StrAppend(&out, "\"timestep_starts\": [", absl::StrJoin(stream.timestep_starts, ", "), "],\n");
  absl::StrAppend(&out, "\"positions\": [\n");
  for (int64_t p = 0; p < stream.num_positions(); ++p) {
    absl::StrAppend(&out, absl::StrFormat(
                              "  {\"step\": %d, \"kind\": \"%s\", \"id\": %d, \"patch\": %d, \"local\": %d, "
                              "\"loss\": %d, \"key\": %s, \"element\": %d}%s\n",
                              stream.timestep[p], PositionKindName(stream.kinds[p]), stream.ids[p],
                              stream.patch_index[p], stream.local_position[p], stream.loss_mask[p],
                              JsonQuote(SourceName(stream, p)),
                              stream.sources.empty() ? -1 : stream.sources[p].element,
                              p + 1 < stream.num_positions() ? "," : ""));
  }
  absl::StrAppend(&out, "],\n\"patches\": [\n");
  for (int64_t i = 0; i < stream.num_patches(); ++i) {
    const PatchPosition& pos = stream.patch_positions[i];
    absl::StrAppend(&out, absl::StrFormat("  {\"rows\": [%d, %d], \"row_index\": %d, \"cols\": [%d, %d], "
                                          "\"col_index\": %d}%s\n",
                                          pos.row_lo, pos.row_hi, pos.row_index, pos.col_lo, pos.col_hi, pos.col_index,
                                          i + 1 < stream.num_patches() ? "," : ""));
  }
  absl::StrAppend(&out, "],\n\"decoded_actions\": [\n");
  for (size_t t = 0; t < actions.size(); ++t) {
    std::vector<std::string> parts;
    if (actions[t].has_value()) {
      for (const auto& [key, array] : *actions[t]) {
        parts.push_back(absl::StrCat(JsonQuote(key), ": ", ValuesString(array)));
      }
    }
    absl::StrAppend(&out, actions[t].has_value() ? absl::StrCat("  {", absl::StrJoin(parts, ", "), "}") : "  null",
                    t + 1 < actions.size() ? ",\n" : "\n");
  }
  absl::StrAppend(&out, "]}\n");
  return out;
}

}  // namespace

absl::StatusOr<TokensRequest> ParseTokensRequest(const std::string& text, const std::string& source) {
  TokensRequest request;
  absl::Status status = ParseTextProto(text, &request);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": not a valid text-format TokensRequest: ", status.message()));
  }
  return request;
}

absl::StatusOr<std::string> RunTokensCommand(const TokensRequest& request, const TextTokenizer& text,
                                             const TokensCommandOptions& options) {
  ASSIGN_OR_RETURN(Vocabulary vocab, Vocabulary::Create(text.vocab_size()));
  SequenceBuilderOptions builder_options;
  ASSIGN_OR_RETURN(builder_options.observation_spec,
                   SpecMapFromProtos(request.observation_spec(), "observation"));
  ASSIGN_OR_RETURN(builder_options.action_spec, SpecMapFromProtos(request.action_spec(), "action"));
  builder_options.record_sources = true;
  ASSIGN_OR_RETURN(SequenceBuilder builder, SequenceBuilder::Create(builder_options, vocab, &text));
  if (request.steps_size() == 0) return absl::InvalidArgumentError("the request has no steps");

  std::optional<Rng> rng;
  if (request.has_training_seed()) rng.emplace(request.training_seed());
  TokenStream stream;
  std::vector<std::optional<NamedArrays>> actions;
  for (int t = 0; t < request.steps_size(); ++t) {
    const TimestepProto& step_proto = request.steps(t);
    Timestep step;
    absl::Status status;
    absl::StatusOr<NamedArrays> observation = NamedArraysFromProtos(step_proto.observation(), "observation");
    if (!observation.ok()) status = observation.status();
    if (status.ok()) step.observation = std::move(*observation);
    if (status.ok() && step_proto.action_size() > 0) {
      absl::StatusOr<NamedArrays> action = NamedArraysFromProtos(step_proto.action(), "action");
      if (action.ok()) {
        step.action = std::move(*action);
      } else {
        status = action.status();
      }
    }
    if (status.ok()) status = builder.AppendTimestep(step, rng ? &*rng : nullptr, &stream);
    if (!status.ok()) return absl::Status(status.code(), absl::StrCat("step ", t, ": ", status.message()));
    if (step.action.has_value()) {
      // Decode the action back from the tokens just appended, to show the round trip.
      const int64_t n = builder.num_action_tokens();
      std::vector<int32_t> ids(stream.ids.end() - n, stream.ids.end());
      ASSIGN_OR_RETURN(NamedArrays decoded, builder.DetokenizeAction(ids));
      actions.push_back(std::move(decoded));
    } else {
      actions.push_back(std::nullopt);
    }
  }
  if (options.window > 0) {
    ASSIGN_OR_RETURN(stream, CutWindow(stream, options.window_start, options.window));
    actions.erase(actions.begin(), actions.begin() + options.window_start);
    actions.resize(stream.num_timesteps());
  }
  return options.format == TokensFormat::kJson ? RenderJson(stream, vocab, actions)
                                               : RenderTable(stream, vocab, text, actions);
}

}  // namespace calico
