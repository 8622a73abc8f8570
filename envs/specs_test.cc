#include "envs/specs.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

ArraySpec BoundedFloat(std::vector<int64_t> shape, double lo, double hi) {
  ArraySpec spec;
  spec.name = "torque";
  spec.shape = std::move(shape);
  spec.dtype = DType::kFloat32;
  spec.minimum = {lo};
  spec.maximum = {hi};
  return spec;
}

TEST(ArraySpecTest, ValidSpecsPass) {
  EXPECT_OK(BoundedFloat({2, 3}, -1, 1).Validate());
  ArraySpec image{"pixels", {64, 64, 3}, DType::kUint8, {}, {}};
  EXPECT_OK(image.Validate());
  ArraySpec text{"instruction", {}, DType::kString, {}, {}};
  EXPECT_OK(text.Validate());
}

// Text is tokenised as UTF-8: other bytes are refused, naming where they start.
TEST(ArraySpecTest, TextThatIsNotUtf8IsRefused) {
  const ArraySpec spec{"instruction", {}, DType::kString, {}, {}};
  EXPECT_OK(spec.CheckArray(Array::Text("caf\xC3\xA9 left"), "observation"));
  EXPECT_THAT(spec.CheckArray(Array::Text("go \xFF left"), "observation"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("observation 'instruction': text is not valid UTF-8 (byte 3 of 9)")));
  const SpecMap specs{{"instruction", spec}};
  EXPECT_FALSE(SpecChecker(specs, "observation").FitsAll({{"instruction", Array::Text("\xC0\xAF")}}));
}

TEST(ArraySpecTest, BadSpecsAreRejectedWithReasons) {
  ArraySpec spec = BoundedFloat({2}, 1, -1);
  EXPECT_THAT(spec.Validate(), StatusIs(absl::StatusCode::kInvalidArgument,
                                        AllOf(HasSubstr("'torque'"), HasSubstr("minimum <= maximum"))));
  spec = BoundedFloat({2}, -1, 1);
  spec.maximum = {1, 1, 1};
  EXPECT_THAT(spec.Validate(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("3 maximum values")));
  spec = BoundedFloat({2}, -1, 1);
  spec.maximum.clear();
  EXPECT_THAT(spec.Validate(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("both minimum and maximum")));
  ArraySpec image{"pixels", {64, 64}, DType::kUint8, {}, {}};
  EXPECT_THAT(image.Validate(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("[H, W, 3]")));
  ArraySpec text{"instruction", {2}, DType::kString, {}, {}};
  EXPECT_THAT(text.Validate(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("scalar")));
  ArraySpec unnamed{"", {1}, DType::kFloat32, {}, {}};
  EXPECT_THAT(unnamed.Validate(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty name")));
  spec = BoundedFloat({2}, std::nan(""), 1);
  EXPECT_THAT(spec.Validate(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("minimum <= maximum")));
  // Products that would overflow int64 (to -2 and to 0 here) are refused, not wrapped.
  for (const std::vector<int64_t>& huge : std::vector<std::vector<int64_t>>{
           {int64_t{9223372036854775807}, 2}, {int64_t{1} << 32, int64_t{1} << 32, int64_t{1} << 32}, {1 << 16, 1 << 16}}) {
    ArraySpec big{"big", huge, DType::kFloat32, {}, {}};
    EXPECT_THAT(big.Validate(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("more than 2^31 elements")))
        << ShapeString(huge);
  }
  EXPECT_OK((ArraySpec{"empty", {0, int64_t{1} << 40}, DType::kFloat32, {}, {}}).Validate());
  EXPECT_OK((ArraySpec{"edge", {1 << 15, 1 << 16}, DType::kFloat32, {}, {}}).Validate());
}

TEST(ArraySpecTest, PerElementBoundsAreIndexedRowMajor) {
  ArraySpec spec = BoundedFloat({2}, 0, 0);
  spec.minimum = {-1, -2};
  spec.maximum = {1, 2};
  ASSERT_OK(spec.Validate());
  EXPECT_EQ(spec.min_at(1), -2);
  EXPECT_EQ(spec.max_at(0), 1);
  ArraySpec unbounded{"x", {3}, DType::kFloat32, {}, {}};
  EXPECT_EQ(unbounded.max_at(2), std::numeric_limits<double>::infinity());
}

TEST(ArraySpecTest, CheckArrayNamesKeyIndexAndExpectation) {
  const ArraySpec spec = BoundedFloat({2, 2}, -1, 1);
  EXPECT_OK(spec.CheckArray(Array::Float({2, 2}, {0, 1, -1, 0.5f}), "action"));
  EXPECT_THAT(spec.CheckArray(Array::Float({2, 2}, {0, 0, 1.5f, 0}), "action"),
              StatusIs(absl::StatusCode::kOutOfRange,
                       AllOf(HasSubstr("action 'torque'"), HasSubstr("[1, 0]"), HasSubstr("[-1, 1]"))));
  EXPECT_THAT(spec.CheckArray(Array::Float({2, 2}, {0, std::nanf(""), 0, 0}), "action"),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("[0, 1]"), HasSubstr("finite"))));
  EXPECT_THAT(spec.CheckArray(Array::Float({2, 2}, {0, 0, 0, std::numeric_limits<float>::infinity()}), "action"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("[1, 1]")));
  EXPECT_THAT(spec.CheckArray(Array::Float({4}, {0, 0, 0, 0}), "action"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("shape is [4]; expected [2, 2]")));
  EXPECT_THAT(spec.CheckArray(Array::Float({2, 2}, {0, 0, 0}), "action"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("holds 3 values")));
  EXPECT_THAT(spec.CheckArray(Array::Int({2, 2}, {0, 0, 0, 0}), "action"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("dtype is int32; expected float32")));
}

TEST(ArraySpecTest, IntegerBoundsAreChecked) {
  ArraySpec spec{"button", {1}, DType::kInt32, {0}, {5}};
  EXPECT_OK(spec.CheckArray(Array::Int({1}, {5}), "action"));
  EXPECT_THAT(spec.CheckArray(Array::Int({1}, {6}), "action"),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("is 6")));
}

TEST(CheckArraysTest, MissingAndUnknownKeysAreErrors) {
  SpecMap specs;
  specs["a"] = ArraySpec{"a", {1}, DType::kFloat32, {}, {}};
  NamedArrays arrays;
  EXPECT_THAT(CheckArrays(specs, arrays, "observation"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("observation 'a' is missing")));
  arrays["a"] = Array::Float({1}, {0});
  arrays["b"] = Array::Float({1}, {0});
  EXPECT_THAT(CheckArrays(specs, arrays, "observation"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'b' is not in the spec")));
  arrays.erase("b");
  EXPECT_OK(CheckArrays(specs, arrays, "observation"));
}

// Arrays near a spec: right ones, and ones off in key, dtype, shape, count or value.
std::vector<NamedArrays> ArraysAround(const SpecMap& specs, uint32_t seed) {
  uint32_t state = seed;
  auto next = [&state]() {
    state = state * 1664525u + 1013904223u;
    return state >> 8;
  };
  std::vector<NamedArrays> out;
  for (int trial = 0; trial < 400; ++trial) {
    NamedArrays arrays;
    for (const auto& [key, spec] : specs) {
      Array a;
      a.dtype = spec.dtype;
      a.shape = spec.shape;
      const int64_t n = spec.num_elements();
      for (int64_t i = 0; i < n; ++i) {
        const double lo = std::max(spec.min_at(i), -3.0), hi = std::min(spec.max_at(i), 3.0);
        const double u = (next() % 1000) / 999.0;
        if (spec.dtype == DType::kFloat32) a.floats.push_back(static_cast<float>(lo + (hi - lo) * u));
        if (spec.dtype == DType::kInt32) a.ints.push_back(static_cast<int32_t>(std::lround(lo + (hi - lo) * u)));
        if (spec.dtype == DType::kUint8) a.bytes.push_back(static_cast<uint8_t>(next() % 256));
      }
      // Now and then text that is not UTF-8 (a cut-off multi-byte character).
      if (spec.dtype == DType::kString) a.text = next() % 8 == 0 ? "go l\xC3" : "go left";
      arrays[key] = std::move(a);
    }
    const int change = static_cast<int>(next() % 10);
    Array& first = arrays.begin()->second;
    switch (change) {
      case 0:
        arrays["zzz_unknown"] = Array::Float({1}, {0});
        break;
      case 1:
        arrays.erase(arrays.begin());
        break;
      case 2:
        first.dtype = first.dtype == DType::kFloat32 ? DType::kInt32 : DType::kFloat32;
        break;
      case 3:
        first.shape.push_back(1);
        break;
      case 4:
        first.floats.push_back(0);
        first.ints.push_back(0);
        first.bytes.push_back(0);
        break;
      case 5:
        if (!first.floats.empty()) first.floats[next() % first.floats.size()] = std::nanf("");
        break;
      case 6:
        if (!first.floats.empty()) first.floats.back() = std::numeric_limits<float>::infinity();
        if (!first.ints.empty()) first.ints.back() = 1000;
        break;
      case 7:
        if (!first.floats.empty()) first.floats[0] = -1.0001f;
        if (!first.ints.empty()) first.ints[0] = -1;
        break;
      default:
        break;  // fits
    }
    out.push_back(std::move(arrays));
  }
  return out;
}

TEST(SpecCheckerTest, AgreesWithCheckArraysVerdictAndMessage) {
  std::vector<SpecMap> spec_maps(3);
  spec_maps[0]["action"] = ArraySpec{"action", {3}, DType::kFloat32, {-1, -2, 0}, {1, 2, 0.5}};
  spec_maps[1]["button"] = ArraySpec{"button", {1}, DType::kInt32, {0}, {5}};
  spec_maps[1]["torque"] = BoundedFloat({2, 2}, -1, 1);
  spec_maps[1]["free"] = ArraySpec{"free", {2}, DType::kFloat32, {}, {}};
  spec_maps[2]["pixels"] = ArraySpec{"pixels", {2, 2, 3}, DType::kUint8, {0}, {255}};
  spec_maps[2]["text"] = ArraySpec{"text", {}, DType::kString, {}, {}};
  spec_maps[2]["count"] = ArraySpec{"count", {}, DType::kInt32, {}, {}};
  int fits = 0, fails = 0;
  for (size_t m = 0; m < spec_maps.size(); ++m) {
    ASSERT_OK(ValidateSpecs(spec_maps[m], "action"));
    const SpecChecker checker(spec_maps[m], "action");
    for (const NamedArrays& arrays : ArraysAround(spec_maps[m], static_cast<uint32_t>(m) + 1)) {
      const absl::Status expected = CheckArrays(spec_maps[m], arrays, "action");
      const absl::Status got = checker.Check(arrays);
      EXPECT_EQ(got, expected);
      (expected.ok() ? fits : fails)++;
    }
  }
  // Both verdicts are well represented.
  EXPECT_GT(fits, 200);
  EXPECT_GT(fails, 200);
  EXPECT_OK(SpecChecker().Check(NamedArrays{}));
}

TEST(ValidateSpecsTest, KeyMustMatchName) {
  SpecMap specs;
  specs["a"] = ArraySpec{"b", {1}, DType::kFloat32, {}, {}};
  EXPECT_THAT(ValidateSpecs(specs, "observation"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("filed under 'a' is named 'b'")));
}

TEST(IndexStringTest, RowMajorMultiIndex) {
  EXPECT_EQ(IndexString({2, 3, 4}, 0), "[0, 0, 0]");
  EXPECT_EQ(IndexString({2, 3, 4}, 23), "[1, 2, 3]");
  EXPECT_EQ(IndexString({2, 3, 4}, 13), "[1, 0, 1]");
  EXPECT_EQ(IndexString({}, 0), "[]");
}

}  // namespace
}  // namespace calico
