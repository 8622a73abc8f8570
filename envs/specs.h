// ArraySpec: the shape, element type and bounds of one named observation or action
// array (dm_env's ArraySpec / BoundedArraySpec), and validation of arrays against it.
#ifndef CALICO_ENVS_SPECS_H_
#define CALICO_ENVS_SPECS_H_

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "envs/array.h"

namespace calico {

// Spec of one named array. Bounds are inclusive and hold 0 values (unbounded), 1 value
// (every element) or num_elements() values (row-major). Plain value type.
struct ArraySpec {
  std::string name;
  std::vector<int64_t> shape;  // empty = scalar
  DType dtype = DType::kFloat32;
  std::vector<double> minimum;
  std::vector<double> maximum;

  // Product of `shape` (1 for a scalar).
  int64_t num_elements() const;
  bool bounded() const { return !minimum.empty(); }
  // Lower / upper bound of element `flat_index` (-inf / +inf when unbounded).
  double min_at(int64_t flat_index) const;
  double max_at(int64_t flat_index) const;

  // Checks the spec itself: a name, non-negative dimensions, bound counts that fit the
  // shape, minimum <= maximum, no NaN bounds, a STRING spec being a scalar and a UINT8
  // spec being an image (H, W, 3).
  absl::Status Validate() const;

  // Checks that `array` fits this spec: dtype, shape, stored value count, finite floats,
  // values within bounds. `role` ("observation", "action") prefixes every message,
  // which names the key, the element index and what was expected.
  absl::Status CheckArray(const Array& array, absl::string_view role) const;
};

// Same name, shape, dtype and bounds.
inline bool operator==(const ArraySpec& a, const ArraySpec& b) {
  return a.name == b.name && a.shape == b.shape && a.dtype == b.dtype && a.minimum == b.minimum &&
         a.maximum == b.maximum;
}
inline bool operator!=(const ArraySpec& a, const ArraySpec& b) { return !(a == b); }

// A short description for messages: dtype and shape, and whether it is bounded, e.g.
// "float32[3] with bounds".
std::string DescribeSpec(const ArraySpec& spec);

// Specs keyed by array name (lexicographic order, as in the token stream).
using SpecMap = std::map<std::string, ArraySpec>;

// Checks every spec and that each one is filed under its own name.
absl::Status ValidateSpecs(const SpecMap& specs, absl::string_view role);

// Checks that `arrays` has exactly the keys of `specs` and each array fits its spec.
absl::Status CheckArrays(const SpecMap& specs, const NamedArrays& arrays, absl::string_view role);

// `value` clamped to [lo, hi] and rounded to a float that still lies inside [lo, hi]
// (0.3 rounds to the float 0.30000001, which a bound of 0.3 rejects), so a float32 array
// built from it passes CheckArrays.
float ClampToFloat(double value, double lo, double hi);

// a == b, inlined and word-wise: for the short keys compared on every step.
inline bool SameKey(const std::string& a, const std::string& b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  auto load64 = [](const char* s) {
    uint64_t v;
    std::memcpy(&v, s, sizeof(v));
    return v;
  };
  auto load32 = [](const char* s) {
    uint32_t v;
    std::memcpy(&v, s, sizeof(v));
    return v;
  };
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      if (load64(p + i) != load64(q + i)) return false;
    }
    return load64(p + n - 8) == load64(q + n - 8);  // the last 8 bytes, overlapping
  }
  if (n >= 4) return load32(p) == load32(q) && load32(p + n - 4) == load32(q + n - 4);
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != q[i]) return false;
  }
  return true;
}

// A SpecMap prepared for checking arrays many times (e.g. an action on every Step): the
// same verdicts and messages as CheckArrays, but an array set that fits is checked by
// walking the arrays and the specs side by side (both are in key order): no key lookups,
// no strings built and no allocation. Only a failure goes through CheckArrays, for its
// message. Immutable after construction; thread-safe.
class SpecChecker {
 public:
  SpecChecker() = default;  // checks against an empty spec map
  SpecChecker(const SpecMap& specs, std::string role);

  // CheckArrays(specs, arrays, role).
  absl::Status Check(const NamedArrays& arrays) const {
    if (FitsAll(arrays)) return absl::OkStatus();
    return CheckArrays(specs_, arrays, role_);
  }

  // Whether Check(arrays) is OK.
  bool FitsAll(const NamedArrays& arrays) const;

 private:
  struct Entry {
    std::string name;
    DType dtype = DType::kFloat32;
    std::vector<int64_t> shape;
    // shape again, inline, when it has at most kInlineRank dimensions (rank = -1 if not):
    // compared on every check without loading another cache line
    static constexpr int kInlineRank = 4;
    int rank = -1;
    int64_t dims[kInlineRank] = {};
    int64_t num_elements = 0;
    bool bounded = false;
    bool finite_bounds = false;  // bounded, and every bound is finite
    std::vector<double> bounds;  // [num_elements, 2] (minimum, maximum) when bounded
  };
  static bool Fits(const Entry& entry, const Array& array);

  SpecMap specs_;
  std::string role_;
  std::vector<Entry> entries_;  // in key order, as specs_
};

// "[1, 0]"-style multi-index of `flat_index` in `shape` (row-major), for messages.
std::string IndexString(const std::vector<int64_t>& shape, int64_t flat_index);

}  // namespace calico

#endif  // CALICO_ENVS_SPECS_H_
