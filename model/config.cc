#include "model/config.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/text_proto.h"

namespace calico {
namespace {

struct Preset {
  const char* name;
  int layers, heads, width, ff, head_dim;
};

// DESIGN.md "Model presets": (layers, heads, width, ff[, kv size]).
constexpr Preset kPresets[] = {
    {"nano", 2, 2, 64, 256, 32},          {"small", 6, 8, 256, 1024, 32},
    {"base", 8, 8, 512, 2048, 64},        {"gato-79m", 8, 24, 768, 3072, 32},
    {"gato-364m", 12, 12, 1536, 6144, 128}, {"gato-1.18b", 24, 16, 2048, 8192, 128},
};

absl::Status Positive(const char* field, int64_t value) {
  if (value > 0) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("model config: ", field, " is ", value, ", expected a positive value"));
}

}  // namespace

std::vector<std::string> ModelPresetNames() {
  std::vector<std::string> names;
  for (const Preset& p : kPresets) names.push_back(p.name);
  return names;
}

absl::StatusOr<ModelConfig> ModelPreset(absl::string_view name) {
  for (const Preset& p : kPresets) {
    if (name != p.name) continue;
    ModelConfig config;
    config.set_name(p.name);
    config.set_num_layers(p.layers);
    config.set_num_heads(p.heads);
    config.set_width(p.width);
    config.set_ff_width(p.ff);
    config.set_head_dim(p.head_dim);
    config.set_vocab_size(kDefaultVocabSize);
    config.set_context_length(1024);
    config.set_max_local_positions(512);
    config.set_patch_position_buckets(128);
    config.set_rope_base(10000.0f);
    config.set_norm_epsilon(1e-5f);
    return config;
  }
  return absl::NotFoundError(absl::StrCat("no model preset called '", name,
                                          "'; known presets: ",
                                          absl::StrJoin(ModelPresetNames(), ", ")));
}

absl::StatusOr<ModelConfig> ParseModelConfigText(absl::string_view text) {
  ModelConfig config;
  if (absl::Status parsed = ParseTextProto(text, &config); !parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("model config text does not parse: ", parsed.message()));
  }
  if (absl::Status s = ValidateModelConfig(config); !s.ok()) return s;
  return config;
}

absl::Status ValidateModelConfig(const ModelConfig& c) {
  // Upper bounds far above any model that fits a machine, so that sizes derived from
  // them stay small enough to check (the parameter layout has a few entries per layer).
  struct Field {
    const char* name;
    int64_t value, max;
  };
  for (const Field& f : std::initializer_list<Field>{
           {"num_layers", c.num_layers(), 1024},
           {"num_heads", c.num_heads(), 1024},
           {"width", c.width(), 1 << 16},
           {"ff_width", c.ff_width(), 1 << 18},
           {"head_dim", c.head_dim(), 1 << 16},
           {"vocab_size", c.vocab_size(), 1 << 22},
           {"context_length", c.context_length(), 1 << 20},
           {"max_local_positions", c.max_local_positions(), 1 << 20},
           {"patch_position_buckets", c.patch_position_buckets(), 1 << 16}}) {
    if (absl::Status s = Positive(f.name, f.value); !s.ok()) return s;
    if (f.value > f.max) {
      return absl::InvalidArgumentError(
          absl::StrCat("model config: ", f.name, " is ", f.value, ", expected at most ", f.max));
    }
  }
  if (int64_t{c.num_heads()} * c.head_dim() != c.width()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model config: num_heads * head_dim = ", c.num_heads(), " * ", c.head_dim(), " = ",
        int64_t{c.num_heads()} * c.head_dim(), ", expected it to equal width ", c.width()));
  }
  if (c.head_dim() % 2 != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model config: head_dim is ", c.head_dim(), ", expected an even number (rotary pairs)"));
  }
  if (!(std::isfinite(c.rope_base()) && c.rope_base() > 1.0f)) {
    return absl::InvalidArgumentError(
        absl::StrCat("model config: rope_base is ", c.rope_base(), ", expected a value > 1"));
  }
  if (!(std::isfinite(c.norm_epsilon()) && c.norm_epsilon() > 0.0f)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model config: norm_epsilon is ", c.norm_epsilon(), ", expected a value > 0"));
  }
  const std::string& fingerprint = c.text_model_fingerprint();
  if (!fingerprint.empty() &&
      (fingerprint.size() != 16 ||
       fingerprint.find_first_not_of("0123456789abcdef") != std::string::npos)) {
    return absl::InvalidArgumentError(absl::StrCat("model config: text_model_fingerprint is '", fingerprint,
                                                   "', expected 16 lowercase hex digits or nothing"));
  }
  // Keeps every flat buffer index inside int64 arithmetic with a wide margin.
  if (int64_t{c.width()} * c.ff_width() > (int64_t{1} << 34) ||
      int64_t{c.vocab_size()} * c.width() > (int64_t{1} << 34)) {
    return absl::InvalidArgumentError("model config: width * ff_width or vocab_size * width "
                                      "exceeds 2^34 values, expected a smaller model");
  }
  return absl::OkStatus();
}

std::vector<std::string> ModelConfigDifferences(const ModelConfig& a, const ModelConfig& b) {
  std::vector<std::string> diffs;
  const auto* descriptor = ModelConfig::descriptor();
  const auto* ra = a.GetReflection();
  const auto* rb = b.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const auto* field = descriptor->field(i);
    // What the parameters were trained on, not what shape they have.
    if (field->name() == "trained_tasks") continue;
    std::string va, vb;
    switch (field->cpp_type()) {
      case google::protobuf::FieldDescriptor::CPPTYPE_INT32:
        va = absl::StrCat(ra->GetInt32(a, field));
        vb = absl::StrCat(rb->GetInt32(b, field));
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_FLOAT:
        va = absl::StrCat(ra->GetFloat(a, field));
        vb = absl::StrCat(rb->GetFloat(b, field));
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_STRING:
        va = absl::StrCat("'", ra->GetString(a, field), "'");
        vb = absl::StrCat("'", rb->GetString(b, field), "'");
        break;
      default:
        va = "?";
        vb = "?";
    }
    if (va != vb) diffs.push_back(absl::StrCat(field->name(), ": ", va, " vs ", vb));
  }
  return diffs;
}

}  // namespace calico
