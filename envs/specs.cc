#include "envs/specs.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/utf8.h"

namespace calico {
namespace {

std::string BoundsString(const ArraySpec& spec, int64_t i) {
  return absl::StrCat("[", spec.min_at(i), ", ", spec.max_at(i), "]");
}

}  // namespace

int64_t ArraySpec::num_elements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

double ArraySpec::min_at(int64_t flat_index) const {
  if (minimum.empty()) return -std::numeric_limits<double>::infinity();
  return minimum.size() == 1 ? minimum[0] : minimum[flat_index];
}

double ArraySpec::max_at(int64_t flat_index) const {
  if (maximum.empty()) return std::numeric_limits<double>::infinity();
  return maximum.size() == 1 ? maximum[0] : maximum[flat_index];
}

std::string IndexString(const std::vector<int64_t>& shape, int64_t flat_index) {
  std::vector<int64_t> index(shape.size());
  for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
    if (shape[d] <= 0) break;
    index[d] = flat_index % shape[d];
    flat_index /= shape[d];
  }
  return absl::StrCat("[", absl::StrJoin(index, ", "), "]");
}

absl::Status ArraySpec::Validate() const {
  if (name.empty()) return absl::InvalidArgumentError("array spec has an empty name");
  const std::string where = absl::StrCat("spec '", name, "'");
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": dimension ", d, " is ", shape[d], "; expected >= 0"));
    }
  }
  if (!ShapeFits(shape)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": shape ", ShapeString(shape), " has more than 2^31 elements"));
  }
  if (dtype == DType::kString && !shape.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": a string spec must be a scalar (shape []), got ",
                                                   ShapeString(shape)));
  }
  if (dtype == DType::kUint8 && (shape.size() != 3 || shape[2] != 3)) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": a uint8 spec is an RGB image and must have shape [H, W, 3], got ", ShapeString(shape)));
  }
  const int64_t n = num_elements();
  if (minimum.empty() != maximum.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": give both minimum and maximum, or neither"));
  }
  for (const auto* bounds : {&minimum, &maximum}) {
    const int64_t count = static_cast<int64_t>(bounds->size());
    if (count != 0 && count != 1 && count != n) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": has ", count, " ",
                                                     bounds == &minimum ? "minimum" : "maximum",
                                                     " values; expected 0, 1 or ", n,
                                                     " (one per element)"));
    }
  }
  if (bounded()) {
    for (int64_t i = 0; i < n; ++i) {
      const double lo = min_at(i), hi = max_at(i);
      if (std::isnan(lo) || std::isnan(hi) || lo > hi) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": element ", IndexString(shape, i),
                                                       " has bounds [", lo, ", ", hi,
                                                       "]; expected minimum <= maximum"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ArraySpec::CheckArray(const Array& array, absl::string_view role) const {
  const std::string where = absl::StrCat(role, " '", name, "'");
  if (array.dtype != dtype) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": dtype is ", DTypeName(array.dtype),
                                                   "; expected ", DTypeName(dtype)));
  }
  if (array.shape != shape) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": shape is ", ShapeString(array.shape),
                                                   "; expected ", ShapeString(shape)));
  }
  // Text is tokenised as UTF-8; other bytes would reach the tokenizer as something else.
  if (dtype == DType::kString) {
    if (const size_t bad = FirstInvalidUtf8(array.text); bad != array.text.size()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": text is not valid UTF-8 (byte ", bad, " of ",
                                                     array.text.size(), ")"));
    }
  }
  const int64_t n = num_elements();
  if (dtype != DType::kString && array.num_stored() != n) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": holds ", array.num_stored(),
                                                   " values; shape ", ShapeString(shape),
                                                   " needs ", n));
  }
  if (dtype == DType::kFloat32) {
    for (int64_t i = 0; i < n; ++i) {
      const float v = array.floats[i];
      if (!std::isfinite(v)) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": element ", IndexString(shape, i),
                                                       " is ", v, "; expected a finite value"));
      }
      if (bounded() && (v < min_at(i) || v > max_at(i))) {
        return absl::OutOfRangeError(absl::StrCat(where, ": element ", IndexString(shape, i), " is ",
                                                  v, "; expected a value in ", BoundsString(*this, i)));
      }
    }
  } else if (dtype == DType::kInt32 && bounded()) {
    for (int64_t i = 0; i < n; ++i) {
      const int32_t v = array.ints[i];
      if (v < min_at(i) || v > max_at(i)) {
        return absl::OutOfRangeError(absl::StrCat(where, ": element ", IndexString(shape, i), " is ",
                                                  v, "; expected a value in ", BoundsString(*this, i)));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateSpecs(const SpecMap& specs, absl::string_view role) {
  for (const auto& [key, spec] : specs) {
    if (key != spec.name) {
      return absl::InvalidArgumentError(
          absl::StrCat(role, " spec filed under '", key, "' is named '", spec.name, "'"));
    }
    absl::Status status = spec.Validate();
    if (!status.ok()) {
      return absl::Status(status.code(), absl::StrCat(role, " ", status.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckArrays(const SpecMap& specs, const NamedArrays& arrays, absl::string_view role) {
  for (const auto& [key, array] : arrays) {
    if (specs.find(key) == specs.end()) {
      std::vector<std::string> expected;
      for (const auto& [name, spec] : specs) expected.push_back(name);
      return absl::InvalidArgumentError(absl::StrCat(role, " '", key, "' is not in the spec; expected keys: [",
                                                     absl::StrJoin(expected, ", "), "]"));
    }
  }
  for (const auto& [key, spec] : specs) {
    auto it = arrays.find(key);
    if (it == arrays.end()) {
      return absl::InvalidArgumentError(absl::StrCat(role, " '", key, "' is missing"));
    }
    absl::Status status = spec.CheckArray(it->second, role);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

SpecChecker::SpecChecker(const SpecMap& specs, std::string role) : specs_(specs), role_(std::move(role)) {
  for (const auto& [key, spec] : specs_) {
    Entry entry;
    entry.name = key;
    entry.dtype = spec.dtype;
    entry.shape = spec.shape;
    if (spec.shape.size() <= Entry::kInlineRank) {
      entry.rank = static_cast<int>(spec.shape.size());
      for (size_t d = 0; d < spec.shape.size(); ++d) entry.dims[d] = spec.shape[d];
    }
    entry.num_elements = spec.num_elements();
    entry.bounded = spec.bounded();
    if (entry.bounded) {
      entry.finite_bounds = true;
      for (int64_t i = 0; i < entry.num_elements; ++i) {
        entry.bounds.push_back(spec.min_at(i));
        entry.bounds.push_back(spec.max_at(i));
        entry.finite_bounds = entry.finite_bounds && std::isfinite(spec.min_at(i)) && std::isfinite(spec.max_at(i));
      }
    }
    entries_.push_back(std::move(entry));
  }
}

namespace {

// a == b for the short shapes checked every step, inlined.
template <typename A, typename B>
bool SameShape(const A& a, const B& b, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

bool SameShape(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}


}  // namespace

// The conditions of ArraySpec::CheckArray, without building a message.
inline bool SpecChecker::Fits(const Entry& entry, const Array& array) {
  if (array.dtype != entry.dtype) return false;
  if (entry.rank >= 0) {
    if (array.shape.size() != static_cast<size_t>(entry.rank) || !SameShape(array.shape, entry.dims, entry.rank)) {
      return false;
    }
  } else if (!SameShape(array.shape, entry.shape)) {
    return false;
  }
  const int64_t n = entry.num_elements;
  switch (entry.dtype) {
    case DType::kFloat32: {
      if (static_cast<int64_t>(array.floats.size()) != n) return false;
      const float* v = array.floats.data();
      if (entry.finite_bounds) {
        // Within finite bounds implies finite; NaN fails both comparisons.
        const double* bounds = entry.bounds.data();
        for (int64_t i = 0; i < n; ++i) {
          if (!(v[i] >= bounds[2 * i] && v[i] <= bounds[2 * i + 1])) return false;
        }
        return true;
      }
      for (int64_t i = 0; i < n; ++i) {
        if (!std::isfinite(v[i])) return false;
      }
      if (entry.bounded) {
        for (int64_t i = 0; i < n; ++i) {
          if (v[i] < entry.bounds[2 * i] || v[i] > entry.bounds[2 * i + 1]) return false;
        }
      }
      return true;
    }
    case DType::kInt32: {
      if (static_cast<int64_t>(array.ints.size()) != n) return false;
      if (entry.bounded) {
        for (int64_t i = 0; i < n; ++i) {
          const int32_t v = array.ints[i];
          if (v < entry.bounds[2 * i] || v > entry.bounds[2 * i + 1]) return false;
        }
      }
      return true;
    }
    case DType::kUint8:
      return static_cast<int64_t>(array.bytes.size()) == n;
    case DType::kString:
      return FirstInvalidUtf8(array.text) == array.text.size();
  }
  return false;
}

bool SpecChecker::FitsAll(const NamedArrays& arrays) const {
  const size_t count = entries_.size();
  if (arrays.size() != count) return false;
  auto it = arrays.begin();
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) ++it;  // (no step past the last array)
    if (!SameKey(it->first, entries_[i].name) || !Fits(entries_[i], it->second)) return false;
  }
  return true;
}

float ClampToFloat(double value, double lo, double hi) {
  float f = static_cast<float>(std::clamp(value, lo, hi));
  if (f > hi) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
  if (f < lo) f = std::nextafter(f, std::numeric_limits<float>::infinity());
  return f;
}

std::string DescribeSpec(const ArraySpec& spec) {
  return absl::StrCat(DTypeName(spec.dtype), ShapeString(spec.shape), spec.bounded() ? " with bounds" : "");
}

}  // namespace calico
