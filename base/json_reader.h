// A small JSON reader (RFC 8259) for files calico writes itself, e.g. a training run's
// metrics.jsonl: objects, arrays, strings (with \u escapes, BMP and surrogate pairs),
// numbers, true/false/null. Errors name the byte offset.
#ifndef CALICO_BASE_JSON_READER_H_
#define CALICO_BASE_JSON_READER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace calico {

// One parsed JSON value. A plain value type.
struct JsonValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0.0;
  std::string string;
  std::vector<JsonValue> array;
  std::map<std::string, JsonValue> object;  // a repeated key keeps its last value

  bool is_number() const { return kind == Kind::kNumber; }
  bool is_object() const { return kind == Kind::kObject; }
  // The member `key` of an object, or null when absent (or not an object).
  const JsonValue* Find(const std::string& key) const;
};

// Parses `text`, which must hold exactly one JSON value (surrounding whitespace allowed).
// Nesting deeper than 64 levels is an error (no unbounded recursion on hostile input).
absl::StatusOr<JsonValue> ParseJson(absl::string_view text);

}  // namespace calico

#endif  // CALICO_BASE_JSON_READER_H_
