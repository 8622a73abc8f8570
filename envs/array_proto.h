// Conversions between Array / ArraySpec and their protobuf forms, with validation.
#ifndef CALICO_ENVS_ARRAY_PROTO_H_
#define CALICO_ENVS_ARRAY_PROTO_H_

#include <string>

#include "absl/status/statusor.h"
#include "envs/array.h"
#include "envs/array.pb.h"
#include "envs/specs.h"

namespace calico {

// Reads and validates a spec (ArraySpec::Validate).
absl::StatusOr<ArraySpec> SpecFromProto(const ArraySpecProto& proto);
// Writes a spec; SpecFromProto reads it back unchanged.
ArraySpecProto SpecToProto(const ArraySpec& spec);

// Reads a spec list into a SpecMap; duplicate names are an error.
absl::StatusOr<SpecMap> SpecMapFromProtos(
    const google::protobuf::RepeatedPtrField<ArraySpecProto>& protos, absl::string_view role);

// Reads an array. Only the value field of its dtype may be set, holding one value per
// element; the message names the array and the field.
absl::StatusOr<Array> ArrayFromProto(const ArrayProto& proto);
// Writes `array` under `name`, its values in the field of its dtype; ArrayFromProto reads
// it back unchanged.
ArrayProto ArrayToProto(const std::string& name, const Array& array);

// Reads an array list into NamedArrays; duplicate names are an error.
absl::StatusOr<NamedArrays> NamedArraysFromProtos(
    const google::protobuf::RepeatedPtrField<ArrayProto>& protos, absl::string_view role);

}  // namespace calico

#endif  // CALICO_ENVS_ARRAY_PROTO_H_
