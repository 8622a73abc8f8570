// Array: one named observation or action tensor, row-major, with its element type.
#ifndef CALICO_ENVS_ARRAY_H_
#define CALICO_ENVS_ARRAY_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace calico {

// Element type; it also decides the modality a tokenizer reads the array as.
enum class DType { kFloat32, kInt32, kUint8, kString };

// Lower-case name of `dtype` ("float32", ...), for messages.
absl::string_view DTypeName(DType dtype);

// A dense row-major tensor. Only the storage matching `dtype` is used: `floats`,
// `ints`, `bytes` hold num_elements() values; a kString array is a scalar (shape {})
// holding `text`. Plain value type; not synchronised.
struct Array {
  DType dtype = DType::kFloat32;
  std::vector<int64_t> shape;  // empty = scalar
  std::vector<float> floats;   // [num_elements] when dtype == kFloat32
  std::vector<int32_t> ints;   // [num_elements] when dtype == kInt32
  std::vector<uint8_t> bytes;  // [num_elements] when dtype == kUint8
  std::string text;            // when dtype == kString

  // Product of `shape` (1 for a scalar).
  int64_t num_elements() const;
  // Number of values actually stored for `dtype` (1 for kString).
  int64_t num_stored() const;

  static Array Float(std::vector<int64_t> shape, std::vector<float> values);
  static Array Int(std::vector<int64_t> shape, std::vector<int32_t> values);
  static Array Uint8(std::vector<int64_t> shape, std::vector<uint8_t> values);
  static Array Text(std::string text);
};

// Observations or actions keyed by name; std::map keeps the lexicographic key order that
// the token stream uses.
using NamedArrays = std::map<std::string, Array>;

// "[2, 3]"-style rendering of a shape, for messages.
std::string ShapeString(const std::vector<int64_t>& shape);

// The most elements one array or spec may have: far above any observation, and small
// enough that no product of dimensions or byte count overflows.
inline constexpr int64_t kMaxArrayElements = int64_t{1} << 31;

// True if every dimension of `shape` is >= 0 and their product is at most
// kMaxArrayElements (computed without overflow).
bool ShapeFits(const std::vector<int64_t>& shape);

}  // namespace calico

#endif  // CALICO_ENVS_ARRAY_H_
