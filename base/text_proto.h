// Parsing text-format protobuf (configs, manifests, suites) with errors that say where.
#ifndef CALICO_BASE_TEXT_PROTO_H_
#define CALICO_BASE_TEXT_PROTO_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace calico {

// Parses `text` into `message`. On a syntax error or an unknown field, returns
// InvalidArgument "line L, column C: <protobuf's message>" for the first error (protobuf
// logs nothing); callers prefix what was being read.
absl::Status ParseTextProto(absl::string_view text, google::protobuf::Message* message);

}  // namespace calico

#endif  // CALICO_BASE_TEXT_PROTO_H_
