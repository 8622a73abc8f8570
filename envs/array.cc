#include "envs/array.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace calico {

absl::string_view DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
      return "float32";
    case DType::kInt32:
      return "int32";
    case DType::kUint8:
      return "uint8";
    case DType::kString:
      return "string";
  }
  return "unknown";
}

bool ShapeFits(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return false;
    if (d == 0) return true;  // no elements, whatever the other dimensions
  }
  for (int64_t d : shape) {
    if (d > kMaxArrayElements / n) return false;
    n *= d;
  }
  return true;
}

int64_t Array::num_elements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

int64_t Array::num_stored() const {
  switch (dtype) {
    case DType::kFloat32:
      return static_cast<int64_t>(floats.size());
    case DType::kInt32:
      return static_cast<int64_t>(ints.size());
    case DType::kUint8:
      return static_cast<int64_t>(bytes.size());
    case DType::kString:
      return 1;
  }
  return 0;
}

Array Array::Float(std::vector<int64_t> shape, std::vector<float> values) {
  Array a;
  a.dtype = DType::kFloat32;
  a.shape = std::move(shape);
  a.floats = std::move(values);
  return a;
}

Array Array::Int(std::vector<int64_t> shape, std::vector<int32_t> values) {
  Array a;
  a.dtype = DType::kInt32;
  a.shape = std::move(shape);
  a.ints = std::move(values);
  return a;
}

Array Array::Uint8(std::vector<int64_t> shape, std::vector<uint8_t> values) {
  Array a;
  a.dtype = DType::kUint8;
  a.shape = std::move(shape);
  a.bytes = std::move(values);
  return a;
}

Array Array::Text(std::string text) {
  Array a;
  a.dtype = DType::kString;
  a.text = std::move(text);
  return a;
}

std::string ShapeString(const std::vector<int64_t>& shape) {
  return absl::StrCat("[", absl::StrJoin(shape, ", "), "]");
}

}  // namespace calico
