#include "envs/array_proto.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace calico {
namespace {

absl::StatusOr<DType> DTypeFromProto(DTypeProto dtype, absl::string_view what) {
  switch (dtype) {
    case FLOAT32:
      return DType::kFloat32;
    case INT32:
      return DType::kInt32;
    case UINT8:
      return DType::kUint8;
    case STRING:
      return DType::kString;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": dtype is unset or unknown (", static_cast<int>(dtype),
                       "); expected FLOAT32, INT32, UINT8 or STRING"));
  }
}

DTypeProto DTypeToProto(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
      return FLOAT32;
    case DType::kInt32:
      return INT32;
    case DType::kUint8:
      return UINT8;
    case DType::kString:
      return STRING;
  }
  return DTYPE_UNSPECIFIED;
}

}  // namespace

absl::StatusOr<ArraySpec> SpecFromProto(const ArraySpecProto& proto) {
  ArraySpec spec;
  spec.name = proto.name();
  ASSIGN_OR_RETURN(spec.dtype, DTypeFromProto(proto.dtype(), absl::StrCat("spec '", proto.name(), "'")));
  spec.shape.assign(proto.shape().begin(), proto.shape().end());
  spec.minimum.assign(proto.minimum().begin(), proto.minimum().end());
  spec.maximum.assign(proto.maximum().begin(), proto.maximum().end());
  RETURN_IF_ERROR(spec.Validate());
  return spec;
}

ArraySpecProto SpecToProto(const ArraySpec& spec) {
  ArraySpecProto proto;
  proto.set_name(spec.name);
  proto.set_dtype(DTypeToProto(spec.dtype));
  for (int64_t d : spec.shape) proto.add_shape(d);
  for (double v : spec.minimum) proto.add_minimum(v);
  for (double v : spec.maximum) proto.add_maximum(v);
  return proto;
}

absl::StatusOr<SpecMap> SpecMapFromProtos(
    const google::protobuf::RepeatedPtrField<ArraySpecProto>& protos, absl::string_view role) {
  SpecMap specs;
  for (const ArraySpecProto& proto : protos) {
    absl::StatusOr<ArraySpec> spec = SpecFromProto(proto);
    if (!spec.ok()) {
      return absl::Status(spec.status().code(), absl::StrCat(role, " ", spec.status().message()));
    }
    if (!specs.emplace(spec->name, *spec).second) {
      return absl::InvalidArgumentError(absl::StrCat(role, " spec '", spec->name, "' is given twice"));
    }
  }
  return specs;
}

absl::StatusOr<Array> ArrayFromProto(const ArrayProto& proto) {
  const std::string what = absl::StrCat("array '", proto.name(), "'");
  Array array;
  ASSIGN_OR_RETURN(array.dtype, DTypeFromProto(proto.dtype(), what));
  array.shape.assign(proto.shape().begin(), proto.shape().end());
  if (!ShapeFits(array.shape)) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": shape ", ShapeString(array.shape),
                                                   " has a negative dimension or more than 2^31 elements"));
  }
  for (int64_t d : array.shape) {
    if (d < 0) return absl::InvalidArgumentError(absl::StrCat(what, ": negative dimension in shape ", ShapeString(array.shape)));
  }
  const bool has_float = proto.float_values_size() > 0, has_int = proto.int_values_size() > 0,
             has_bytes = !proto.uint8_values().empty(), has_text = !proto.text().empty();
  const bool wrong_field = (array.dtype != DType::kFloat32 && has_float) ||
                           (array.dtype != DType::kInt32 && has_int) ||
                           (array.dtype != DType::kUint8 && has_bytes) ||
                           (array.dtype != DType::kString && has_text);
  if (wrong_field) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": has values in a field other than the one for dtype ",
                                                   DTypeName(array.dtype)));
  }
  switch (array.dtype) {
    case DType::kFloat32:
      array.floats.assign(proto.float_values().begin(), proto.float_values().end());
      break;
    case DType::kInt32:
      array.ints.assign(proto.int_values().begin(), proto.int_values().end());
      break;
    case DType::kUint8:
      array.bytes.assign(proto.uint8_values().begin(), proto.uint8_values().end());
      break;
    case DType::kString:
      array.text = proto.text();
      if (!array.shape.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(what, ": a string array is a scalar; got shape ",
                                                       ShapeString(array.shape)));
      }
      break;
  }
  if (array.dtype != DType::kString && array.num_stored() != array.num_elements()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": holds ", array.num_stored(), " values; shape ",
                                                   ShapeString(array.shape), " needs ", array.num_elements()));
  }
  return array;
}

ArrayProto ArrayToProto(const std::string& name, const Array& array) {
  ArrayProto proto;
  proto.set_name(name);
  proto.set_dtype(DTypeToProto(array.dtype));
  for (int64_t d : array.shape) proto.add_shape(d);
  switch (array.dtype) {
    case DType::kFloat32:
      proto.mutable_float_values()->Add(array.floats.begin(), array.floats.end());
      break;
    case DType::kInt32:
      proto.mutable_int_values()->Add(array.ints.begin(), array.ints.end());
      break;
    case DType::kUint8:
      proto.set_uint8_values(std::string(array.bytes.begin(), array.bytes.end()));
      break;
    case DType::kString:
      proto.set_text(array.text);
      break;
  }
  return proto;
}

absl::StatusOr<NamedArrays> NamedArraysFromProtos(
    const google::protobuf::RepeatedPtrField<ArrayProto>& protos, absl::string_view role) {
  NamedArrays arrays;
  for (const ArrayProto& proto : protos) {
    absl::StatusOr<Array> array = ArrayFromProto(proto);
    if (!array.ok()) {
      return absl::Status(array.status().code(), absl::StrCat(role, " ", array.status().message()));
    }
    if (!arrays.emplace(proto.name(), std::move(*array)).second) {
      return absl::InvalidArgumentError(absl::StrCat(role, " '", proto.name(), "' is given twice"));
    }
  }
  return arrays;
}

}  // namespace calico
