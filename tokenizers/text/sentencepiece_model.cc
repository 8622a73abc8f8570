// The only calico file that includes SentencePiece. It must include no Abseil header (see
// sentencepiece_model.h), so messages are built with std::string and errors are bools.
#include "tokenizers/text/sentencepiece_model.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace calico {
namespace {

// Field numbers of sentencepiece.ModelProto and NormalizerSpec (sentencepiece_model.proto).
constexpr uint64_t kPiecesField = 1;
constexpr uint64_t kTrainerSpecField = 2;
constexpr uint64_t kNormalizerSpecField = 3;
constexpr uint64_t kDenormalizerSpecField = 5;
constexpr uint64_t kPrecompiledCharsMapField = 2;  // in NormalizerSpec

// One protobuf field as it appears on the wire.
struct WireField {
  uint64_t number;
  uint32_t wire_type;
  std::string_view payload;  // the bytes of a length-delimited field, else empty
  size_t offset;             // of the field's key within the parsed buffer
};

// Reads a base-128 varint at `*pos`; false if it runs past the end or over 10 bytes.
bool ReadVarint(std::string_view bytes, size_t* pos, uint64_t* value) {
  *value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= bytes.size()) return false;
    const uint8_t byte = static_cast<uint8_t>(bytes[(*pos)++]);
    *value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

// Splits `bytes` into its fields (one message level, no schema). Returns "" when every
// field is well-formed and the last ends exactly at the end, otherwise what is wrong.
std::string ParseWireFields(std::string_view bytes, std::vector<WireField>* fields) {
  size_t pos = 0;
  while (pos < bytes.size()) {
    const size_t start = pos;
    const std::string where = " at byte " + std::to_string(start);
    uint64_t key = 0;
    if (!ReadVarint(bytes, &pos, &key)) return "malformed field key" + where;
    WireField field{key >> 3, static_cast<uint32_t>(key & 7), std::string_view(), start};
    if (field.number == 0 || field.number > 0x1fffffff) return "invalid field number" + where;
    uint64_t length = 0;
    switch (field.wire_type) {
      case 0:  // varint
        if (!ReadVarint(bytes, &pos, &length)) return "malformed varint" + where;
        length = 0;
        break;
      case 1:  // fixed64
        length = 8;
        break;
      case 2:  // length-delimited
        if (!ReadVarint(bytes, &pos, &length)) return "malformed length" + where;
        break;
      case 5:  // fixed32
        length = 4;
        break;
      default:  // groups (3, 4) never occur in a ModelProto; 6 and 7 are invalid.
        return "unexpected wire type " + std::to_string(field.wire_type) + where;
    }
    if (length > bytes.size() - pos) {
      return "field " + std::to_string(field.number) + where + " runs past the end (" +
             std::to_string(bytes.size()) + " bytes; is the file truncated?)";
    }
    if (field.wire_type == 2) field.payload = bytes.substr(pos, static_cast<size_t>(length));
    pos += static_cast<size_t>(length);
    fields->push_back(field);
  }
  return "";
}

// Checks a NormalizerSpec.precompiled_charsmap the way SentencePiece will read it: a
// little-endian uint32 trie size, a Darts-clone double array of that many bytes, then the
// NUL-separated replacement strings. SentencePiece trusts this blob: a corrupt trie makes
// Encode read outside the array or run strlen off the end, i.e. crash. So every node
// reachable from the root is visited and, for each of the 256 input bytes, the unit
// Darts-clone would read is checked to be inside the array, and each leaf's value to
// index inside the strings. Returns "" when the blob is safe, otherwise what is wrong.
std::string CheckPrecompiledCharsMap(std::string_view blob) {
  if (blob.empty()) return "";  // no normalization rule
  uint32_t trie_bytes = 0;
  if (blob.size() <= sizeof(trie_bytes)) return "its normalization rule is too short";
  std::memcpy(&trie_bytes, blob.data(), sizeof(trie_bytes));
  if (trie_bytes >= blob.size() - sizeof(trie_bytes)) {
    return "its normalization trie size exceeds the rule";
  }
  const size_t num_units = trie_bytes / sizeof(uint32_t);
  const std::string_view trie = blob.substr(sizeof(trie_bytes), trie_bytes);
  const size_t num_strings_bytes = blob.size() - sizeof(trie_bytes) - trie_bytes;
  if (num_units == 0) return "its normalization trie is empty";
  auto unit_at = [&](size_t i) {
    uint32_t unit;
    std::memcpy(&unit, trie.data() + i * sizeof(uint32_t), sizeof(unit));
    return unit;
  };
  // Darts-clone's DoubleArrayUnit accessors.
  auto has_leaf = [](uint32_t unit) { return ((unit >> 8) & 1) == 1; };
  auto value = [](uint32_t unit) { return unit & ((1U << 31) - 1); };
  auto label = [](uint32_t unit) { return unit & ((1U << 31) | 0xFF); };
  auto offset = [](uint32_t unit) { return (unit >> 10) << ((unit & (1U << 9)) >> 6); };

  std::vector<bool> visited(num_units, false);
  std::vector<size_t> stack = {0 ^ static_cast<size_t>(offset(unit_at(0)))};
  while (!stack.empty()) {
    const size_t base = stack.back();
    stack.pop_back();
    if (base < num_units) {
      if (visited[base]) continue;
      visited[base] = true;
    }
    for (size_t c = 0; c < 256; ++c) {
      const size_t child = base ^ c;
      if (child >= num_units) return "its normalization trie points outside itself";
      const uint32_t unit = unit_at(child);
      if (label(unit) != c) continue;
      const size_t next = child ^ static_cast<size_t>(offset(unit));
      if (has_leaf(unit)) {
        if (next >= num_units) return "its normalization trie points outside itself";
        if (value(unit_at(next)) >= num_strings_bytes) {
          return "its normalization trie points outside its strings";
        }
      }
      if (next >= num_units || !visited[next]) stack.push_back(next);
    }
  }
  return "";
}

// Checks that `bytes` is a whole ModelProto SentencePiece can use safely: every field
// well-formed and the last ending exactly at the end; pieces, a trainer spec and a
// normalizer spec present; every normalization rule safe (CheckPrecompiledCharsMap).
// Protobuf happily parses a prefix that ends on a field boundary, and SentencePiece
// accepts a model whose specs are missing, so without this a truncated .model file could
// load as a smaller, different model. Returns "" when sound, otherwise what is wrong.
std::string CheckModelProto(std::string_view bytes) {
  std::vector<WireField> fields;
  std::string problem = ParseWireFields(bytes, &fields);
  if (!problem.empty()) return problem;
  bool has_pieces = false, has_trainer_spec = false, has_normalizer_spec = false;
  for (const WireField& field : fields) {
    if (field.wire_type != 2) continue;
    if (field.number == kPiecesField) has_pieces = true;
    if (field.number == kTrainerSpecField) has_trainer_spec = true;
    if (field.number != kNormalizerSpecField && field.number != kDenormalizerSpecField) continue;
    if (field.number == kNormalizerSpecField) has_normalizer_spec = true;
    std::vector<WireField> spec_fields;
    problem = ParseWireFields(field.payload, &spec_fields);
    if (!problem.empty()) {
      return "its normalizer spec at byte " + std::to_string(field.offset) + " is malformed: " +
             problem;
    }
    for (const WireField& spec_field : spec_fields) {
      if (spec_field.number != kPrecompiledCharsMapField || spec_field.wire_type != 2) continue;
      problem = CheckPrecompiledCharsMap(spec_field.payload);
      if (!problem.empty()) return problem + " (is the file corrupt?)";
    }
  }
  if (!has_pieces) return "it has no pieces";
  if (!has_trainer_spec) return "it has no trainer spec (is the file truncated?)";
  if (!has_normalizer_spec) return "it has no normalizer spec (is the file truncated?)";
  return "";
}

// Feeds a std::vector<std::string> to SentencePieceTrainer without copying it to a file.
class VectorSentenceIterator : public sentencepiece::SentenceIterator {
 public:
  explicit VectorSentenceIterator(const std::vector<std::string>& sentences)
      : sentences_(sentences) {}
  bool done() const override { return index_ >= sentences_.size(); }
  void Next() override { ++index_; }
  const std::string& value() const override { return sentences_[index_]; }
  sentencepiece::util::Status status() const override { return sentencepiece::util::Status(); }

 private:
  const std::vector<std::string>& sentences_;
  size_t index_ = 0;
};

// SentencePiece skips longer training sentences (TrainerSpec.max_sentence_length).
constexpr size_t kMaxSentenceBytes = 4192;

// The UTF-8 characters of `text` (a lead byte and its continuation bytes each).
std::vector<std::string> Utf8Chars(const std::string& text) {
  std::vector<std::string> chars;
  for (size_t i = 0; i < text.size();) {
    size_t j = i + 1;
    while (j < text.size() && (static_cast<uint8_t>(text[j]) & 0xc0) == 0x80) ++j;
    chars.push_back(text.substr(i, j - i));
    i = j;
  }
  return chars;
}

// SentencePiece's trainer keeps its random seed and log level in process globals.
std::mutex& TrainerMutex() {
  static std::mutex* mutex = new std::mutex;
  return *mutex;
}

}  // namespace

SentencePieceModel::SentencePieceModel()
    : processor_(std::make_unique<sentencepiece::SentencePieceProcessor>()) {}

SentencePieceModel::~SentencePieceModel() = default;

bool SentencePieceModel::LoadFromSerialized(const std::string& model_bytes, std::string* error) {
  if (loaded_) {
    *error = "the model is already loaded";
    return false;
  }
  if (model_bytes.empty()) {
    *error = "not a SentencePiece model: it is empty (0 bytes)";
    return false;
  }
  const std::string problem = CheckModelProto(model_bytes);
  if (!problem.empty()) {
    *error = "not a valid SentencePiece model (" + std::to_string(model_bytes.size()) +
             " bytes): " + problem;
    return false;
  }
  const sentencepiece::util::Status status = processor_->LoadFromSerializedProto(model_bytes);
  if (!status.ok()) {
    *error = "SentencePiece rejected the model (" + std::to_string(model_bytes.size()) +
             " bytes): " + status.ToString();
    return false;
  }
  if (processor_->GetPieceSize() <= 0) {
    *error = "the SentencePiece model has no pieces";
    return false;
  }
  loaded_ = true;
  return true;
}

int SentencePieceModel::vocab_size() const {
  return loaded_ ? processor_->GetPieceSize() : 0;
}

bool SentencePieceModel::Encode(const std::string& text, std::vector<int>* ids,
                                std::string* error) const {
  if (!loaded_) {
    *error = "no SentencePiece model is loaded";
    return false;
  }
  ids->clear();
  const sentencepiece::util::Status status = processor_->Encode(text, ids);
  if (!status.ok()) {
    *error = "SentencePiece failed to encode " + std::to_string(text.size()) +
             " bytes of text: " + status.ToString();
    return false;
  }
  return true;
}

bool SentencePieceModel::Decode(const std::vector<int>& ids, std::string* text,
                                std::string* error) const {
  if (!loaded_) {
    *error = "no SentencePiece model is loaded";
    return false;
  }
  const int size = vocab_size();
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= size) {
      *error = "id " + std::to_string(ids[i]) + " at index " + std::to_string(i) +
               " is outside [0, " + std::to_string(size) + ")";
      return false;
    }
  }
  text->clear();
  const sentencepiece::util::Status status = processor_->Decode(ids, text);
  if (!status.ok()) {
    *error = "SentencePiece failed to decode " + std::to_string(ids.size()) +
             " ids: " + status.ToString();
    return false;
  }
  return true;
}

std::string SentencePieceModel::IdToPiece(int id) const {
  if (id < 0 || id >= vocab_size()) return "";
  return processor_->IdToPiece(id);
}

bool SentencePieceModel::IsSpecial(int id) const {
  if (id < 0 || id >= vocab_size()) return true;
  return processor_->IsUnknown(id) || processor_->IsControl(id) || processor_->IsUnused(id);
}

bool TrainSentencePieceModel(const std::vector<std::string>& sentences,
                             const SentencePieceTrainOptions& options, std::string* model_bytes,
                             std::string* error) {
  if (sentences.empty()) {
    *error = "no training sentences";
    return false;
  }
  for (size_t i = 0; i < sentences.size(); ++i) {
    if (sentences[i].empty()) {
      *error = "training sentence " + std::to_string(i) + " is empty";
      return false;
    }
    if (sentences[i].size() > kMaxSentenceBytes) {
      *error = "training sentence " + std::to_string(i) + " is " +
               std::to_string(sentences[i].size()) + " bytes, more than the " +
               std::to_string(kMaxSentenceBytes) + " SentencePiece trains on";
      return false;
    }
  }
  if (options.vocab_size <= 0) {
    *error = "vocab_size must be positive, got " + std::to_string(options.vocab_size);
    return false;
  }
  if (options.model_type != "unigram" && options.model_type != "bpe") {
    *error = "model_type must be \"unigram\" or \"bpe\", got \"" + options.model_type + "\"";
    return false;
  }
  if (options.model_type == "bpe") {
    // SentencePiece's BPE trainer aborts the process (CHECK freq > 0) on a required
    // character that no sentence contains; refuse before calling it.
    for (const std::string& c : Utf8Chars(options.required_chars)) {
      bool found = false;
      for (const std::string& sentence : sentences) {
        if (sentence.find(c) != std::string::npos) {
          found = true;
          break;
        }
      }
      if (!found) {
        *error = "required character '" + c +
                 "' occurs in no training sentence, which BPE training cannot handle";
        return false;
      }
    }
  }
  std::unordered_map<std::string, std::string> args = {
      {"model_type", options.model_type},
      {"vocab_size", std::to_string(options.vocab_size)},
      // Fail instead of quietly returning fewer pieces than asked for.
      {"hard_vocab_limit", "true"},
      // calico's layout: <unk> = 0, and BOS/EOS/pad live after the text range.
      {"unk_id", "0"},
      {"bos_id", "-1"},
      {"eos_id", "-1"},
      {"pad_id", "-1"},
      // Every corpus character gets a piece, so corpus text never maps to <unk>.
      {"character_coverage", "1.0"},
      // One thread: the EM statistics are then summed in a fixed order.
      {"num_threads", "1"},
      // Use every sentence (no sampling, hence no shuffling).
      {"input_sentence_size", "0"},
      {"shuffle_input_sentence", "false"},
      {"minloglevel", options.verbose ? "0" : "1"},
  };
  if (!options.required_chars.empty()) args["required_chars"] = options.required_chars;

  std::lock_guard<std::mutex> lock(TrainerMutex());
  sentencepiece::SetRandomGeneratorSeed(options.seed);
  VectorSentenceIterator iterator(sentences);
  std::string serialized;
  const sentencepiece::util::Status status =
      sentencepiece::SentencePieceTrainer::Train(args, &iterator, &serialized);
  if (!status.ok()) {
    *error = "SentencePiece training (" + options.model_type + ", vocab_size " +
             std::to_string(options.vocab_size) + ", " + std::to_string(sentences.size()) +
             " sentences) failed: " + status.ToString();
    return false;
  }
  if (serialized.empty()) {
    *error = "SentencePiece training returned an empty model";
    return false;
  }
  *model_bytes = std::move(serialized);
  return true;
}

}  // namespace calico
