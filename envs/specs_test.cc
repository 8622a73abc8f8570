#include "envs/specs.h"

#include <cmath>
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
