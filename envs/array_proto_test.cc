#include "envs/array_proto.h"

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::HasSubstr;

template <typename T>
T ParseText(const std::string& text) {
  T proto;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &proto)) << text;
  return proto;
}

TEST(ArrayProtoTest, EveryDtypeRoundTrips) {
  const std::vector<std::pair<std::string, Array>> arrays = {
      {"f", Array::Float({2}, {1.5f, -2})},
      {"i", Array::Int({1, 2}, {3, 1023})},
      {"u", Array::Uint8({1, 1, 3}, {0, 128, 255})},
      {"s", Array::Text("swing up")},
  };
  for (const auto& [name, array] : arrays) {
    ArrayProto proto = ArrayToProto(name, array);
    ASSERT_OK_AND_ASSIGN(Array back, ArrayFromProto(proto));
    EXPECT_EQ(back.dtype, array.dtype);
    EXPECT_EQ(back.shape, array.shape);
    EXPECT_EQ(back.floats, array.floats);
    EXPECT_EQ(back.ints, array.ints);
    EXPECT_EQ(back.bytes, array.bytes);
    EXPECT_EQ(back.text, array.text);
  }
}

TEST(ArrayProtoTest, SpecRoundTrips) {
  ArraySpec spec{"torque", {2}, DType::kFloat32, {-1, -2}, {1, 2}};
  ASSERT_OK_AND_ASSIGN(ArraySpec back, SpecFromProto(SpecToProto(spec)));
  EXPECT_EQ(back.name, spec.name);
  EXPECT_EQ(back.shape, spec.shape);
  EXPECT_EQ(back.minimum, spec.minimum);
  EXPECT_EQ(back.maximum, spec.maximum);
}

TEST(ArrayProtoTest, WrongFieldOrCountIsAnError) {
  EXPECT_THAT(ArrayFromProto(ParseText<ArrayProto>("name: 'x' dtype: FLOAT32 shape: 2 int_values: [1, 2]")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("field other than the one for dtype float32")));
  EXPECT_THAT(ArrayFromProto(ParseText<ArrayProto>("name: 'x' dtype: FLOAT32 shape: 3 float_values: [1, 2]")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("holds 2 values; shape [3] needs 3")));
  EXPECT_THAT(ArrayFromProto(ParseText<ArrayProto>("name: 'x' shape: 1 float_values: 1")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("dtype is unset")));
  EXPECT_THAT(ArrayFromProto(ParseText<ArrayProto>("name: 'x' dtype: STRING shape: 2 text: 'hi'")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("scalar")));
  EXPECT_THAT(ArrayFromProto(ParseText<ArrayProto>("name: 'x' dtype: INT32 shape: -1")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("negative dimension")));
  // 2^32 x 2^32 x 2^32 would wrap to 0 elements and match the 0 values stored.
  EXPECT_THAT(ArrayFromProto(ParseText<ArrayProto>(
                  "name: 'x' dtype: INT32 shape: 4294967296 shape: 4294967296 shape: 4294967296")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("more than 2^31 elements")));
}

TEST(ArrayProtoTest, DuplicateNamesAreErrors) {
  google::protobuf::RepeatedPtrField<ArrayProto> arrays;
  *arrays.Add() = ArrayToProto("a", Array::Float({1}, {0}));
  *arrays.Add() = ArrayToProto("a", Array::Float({1}, {1}));
  EXPECT_THAT(NamedArraysFromProtos(arrays, "observation"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("observation 'a' is given twice")));
  google::protobuf::RepeatedPtrField<ArraySpecProto> specs;
  *specs.Add() = SpecToProto(ArraySpec{"a", {1}, DType::kFloat32, {}, {}});
  *specs.Add() = SpecToProto(ArraySpec{"a", {1}, DType::kFloat32, {}, {}});
  EXPECT_THAT(SpecMapFromProtos(specs, "action"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("action spec 'a' is given twice")));
}

TEST(ArrayProtoTest, InvalidSpecIsReportedWithRole) {
  google::protobuf::RepeatedPtrField<ArraySpecProto> specs;
  *specs.Add() = ParseText<ArraySpecProto>("name: 'img' dtype: UINT8 shape: [4, 4]");
  EXPECT_THAT(SpecMapFromProtos(specs, "observation"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("observation spec 'img'")));
}

}  // namespace
}  // namespace calico
