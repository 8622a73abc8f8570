#include "policies/linear_policy.h"

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/file_io.h"
#include "base/status_macros.h"

namespace calico {
namespace {

constexpr char kMagic[] = "calico-linear-policy";
constexpr int kVersion = 1;

void AppendNumbers(const char* label, const std::vector<double>& values, std::string* out) {
  absl::StrAppend(out, label);
  for (double v : values) absl::StrAppendFormat(out, " %.17g", v);
  absl::StrAppend(out, "\n");
}

// Reads "<label> <count numbers>" from line `index` of `lines`.
absl::Status ParseNumbers(const std::vector<std::string>& lines, size_t index, absl::string_view label, int count,
                          absl::string_view source, std::vector<double>* out) {
  if (index >= lines.size()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": ended before line ", index + 1, " ('", label,
                                                   "' with ", count, " numbers expected)"));
  }
  std::vector<std::string> fields = absl::StrSplit(lines[index], ' ', absl::SkipEmpty());
  if (fields.empty() || fields[0] != label) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, " line ", index + 1, ": expected '", label, "', found '", lines[index].substr(0, 40), "'"));
  }
  if (static_cast<int>(fields.size()) - 1 != count) {
    return absl::InvalidArgumentError(absl::StrCat(source, " line ", index + 1, ": '", label, "' has ",
                                                   fields.size() - 1, " numbers, expected ", count));
  }
  out->clear();
  for (size_t i = 1; i < fields.size(); ++i) {
    double v;
    if (!absl::SimpleAtod(fields[i], &v) || !std::isfinite(v)) {
      return absl::InvalidArgumentError(absl::StrCat(source, " line ", index + 1, ": '", label, "' value ", i - 1,
                                                     " is '", fields[i], "', expected a finite number"));
    }
    out->push_back(v);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ParseWord(const std::vector<std::string>& lines, size_t index, absl::string_view label,
                                      absl::string_view source) {
  if (index >= lines.size()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": ended before line ", index + 1, " ('", label, "')"));
  }
  std::vector<std::string> fields = absl::StrSplit(lines[index], ' ', absl::SkipEmpty());
  if (fields.size() != 2 || fields[0] != label) {
    return absl::InvalidArgumentError(absl::StrCat(source, " line ", index + 1, ": expected '", label,
                                                   " <value>', found '", lines[index].substr(0, 40), "'"));
  }
  return fields[1];
}

absl::StatusOr<int> ParseSize(const std::vector<std::string>& lines, size_t index, absl::string_view label,
                              absl::string_view source) {
  ASSIGN_OR_RETURN(std::string word, ParseWord(lines, index, label, source));
  int value;
  if (!absl::SimpleAtoi(word, &value) || value <= 0 || value > 100000) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, " line ", index + 1, ": ", label, " '", word, "', expected an integer in [1, 100000]"));
  }
  return value;
}

}  // namespace

int LinearPolicyParams::feature_size() const {
  if (features == "linear") return observation_size;
  if (features == "quadratic") return observation_size + observation_size * (observation_size + 1) / 2;
  return 0;
}

absl::Status LinearPolicyParams::Validate() const {
  if (features != "linear" && features != "quadratic") {
    return absl::InvalidArgumentError(
        absl::StrCat("linear policy features '", features, "': expected 'linear' or 'quadratic'"));
  }
  if (observation_size <= 0 || action_size <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("linear policy sizes ", observation_size, " -> ", action_size,
                                                   ": expected positive sizes"));
  }
  const size_t n = observation_size, m = action_size, f = feature_size();
  if (mean.size() != n || std.size() != n || weights.size() != m * f || bias.size() != m) {
    return absl::InvalidArgumentError(absl::StrCat("linear policy arrays: mean ", mean.size(), ", std ", std.size(),
                                                   ", weights ", weights.size(), ", bias ", bias.size(),
                                                   "; expected ", n, ", ", n, ", ", m * f, ", ", m));
  }
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(mean[i]) || !std::isfinite(std[i]) || !(std[i] > 0.0)) {
      return absl::InvalidArgumentError(absl::StrCat("linear policy normaliser element ", i, ": mean ", mean[i],
                                                     ", std ", std[i], "; expected finite values and std > 0"));
    }
  }
  for (double w : weights) {
    if (!std::isfinite(w)) return absl::InvalidArgumentError("linear policy weights: expected finite values");
  }
  for (double b : bias) {
    if (!std::isfinite(b)) return absl::InvalidArgumentError("linear policy bias: expected finite values");
  }
  return absl::OkStatus();
}

std::string LinearPolicyToText(const LinearPolicyParams& params) {
  std::string out = absl::StrCat(kMagic, " ", kVersion, "\n");
  absl::StrAppend(&out, "task ", params.task, "\n");
  absl::StrAppend(&out, "observation_size ", params.observation_size, "\n");
  absl::StrAppend(&out, "action_size ", params.action_size, "\n");
  absl::StrAppend(&out, "features ", params.features, "\n");
  AppendNumbers("mean", params.mean, &out);
  AppendNumbers("std", params.std, &out);
  AppendNumbers("weights", params.weights, &out);
  AppendNumbers("bias", params.bias, &out);
  return out;
}

absl::StatusOr<LinearPolicyParams> LinearPolicyFromText(absl::string_view text, absl::string_view source) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n', absl::SkipWhitespace());
  if (lines.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": empty, expected a '", kMagic, " ", kVersion, "' file"));
  }
  std::vector<std::string> header = absl::StrSplit(lines[0], ' ', absl::SkipEmpty());
  if (header.size() != 2 || header[0] != kMagic) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": not a linear policy file (first line should be '", kMagic, " ", kVersion, "')"));
  }
  if (header[1] != std::to_string(kVersion)) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": linear policy format version '", header[1], "', this build reads version ", kVersion));
  }
  LinearPolicyParams params;
  ASSIGN_OR_RETURN(params.task, ParseWord(lines, 1, "task", source));
  ASSIGN_OR_RETURN(params.observation_size, ParseSize(lines, 2, "observation_size", source));
  ASSIGN_OR_RETURN(params.action_size, ParseSize(lines, 3, "action_size", source));
  ASSIGN_OR_RETURN(params.features, ParseWord(lines, 4, "features", source));
  const int n = params.observation_size, m = params.action_size, f = params.feature_size();
  if (f == 0) {
    return absl::InvalidArgumentError(absl::StrCat(source, " line 5: features '", params.features,
                                                   "', expected 'linear' or 'quadratic'"));
  }
  RETURN_IF_ERROR(ParseNumbers(lines, 5, "mean", n, source, &params.mean));
  RETURN_IF_ERROR(ParseNumbers(lines, 6, "std", n, source, &params.std));
  RETURN_IF_ERROR(ParseNumbers(lines, 7, "weights", m * f, source, &params.weights));
  RETURN_IF_ERROR(ParseNumbers(lines, 8, "bias", m, source, &params.bias));
  if (lines.size() > 9) {
    return absl::InvalidArgumentError(absl::StrCat(source, " line 10: unexpected content after 'bias'"));
  }
  if (absl::Status status = params.Validate(); !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": ", status.message()));
  }
  return params;
}

absl::StatusOr<LinearPolicyParams> LoadLinearPolicyFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return LinearPolicyFromText(text, path);
}

absl::Status SaveLinearPolicyFile(const LinearPolicyParams& params, const std::string& path) {
  RETURN_IF_ERROR(params.Validate());
  return WriteFileAtomically(path, LinearPolicyToText(params));
}

std::vector<double> FlattenFloatObservations(const NamedArrays& observation) {
  std::vector<double> x;
  for (const auto& [key, array] : observation) {
    if (array.dtype != DType::kFloat32) continue;
    x.insert(x.end(), array.floats.begin(), array.floats.end());
  }
  return x;
}

int FloatObservationSize(const SpecMap& spec) {
  int64_t size = 0;
  for (const auto& [key, array] : spec) {
    if (array.dtype == DType::kFloat32) size += array.num_elements();
  }
  return static_cast<int>(size);
}

Array ClipToActionSpec(const std::vector<double>& raw, const ArraySpec& spec) {
  std::vector<float> values(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    const double lo = spec.min_at(i), hi = spec.max_at(i);
    double v = std::isnan(raw[i]) ? 0.5 * (lo + hi) : raw[i];
    v = std::min(std::max(v, lo), hi);
    float f = static_cast<float>(v);
    // Float rounding must not leave the bounds.
    if (f < lo) f = std::nextafter(f, static_cast<float>(hi));
    if (f > hi) f = std::nextafter(f, static_cast<float>(lo));
    values[i] = f;
  }
  return Array::Float(spec.shape, std::move(values));
}

void LinearPolicy::Evaluate(const LinearPolicyParams& params, const std::vector<double>& x, std::vector<double>* features,
                            std::vector<double>* out) {
  const int n = params.observation_size, m = params.action_size, f = params.feature_size();
  features->resize(f);
  for (int j = 0; j < n; ++j) (*features)[j] = (x[j] - params.mean[j]) / params.std[j];
  if (params.features == "quadratic") {
    int k = n;
    for (int i = 0; i < n; ++i) {
      for (int j = i; j < n; ++j) (*features)[k++] = (*features)[i] * (*features)[j];
    }
  }
  out->assign(m, 0.0);
  for (int i = 0; i < m; ++i) {
    double sum = params.bias[i];
    const double* row = params.weights.data() + static_cast<size_t>(i) * f;
    for (int j = 0; j < f; ++j) sum += row[j] * (*features)[j];
    (*out)[i] = sum;
  }
}

absl::StatusOr<std::unique_ptr<LinearPolicy>> LinearPolicy::Create(LinearPolicyParams params,
                                                                   const SpecMap& observation_spec,
                                                                   const SpecMap& action_spec) {
  RETURN_IF_ERROR(params.Validate());
  const int n = FloatObservationSize(observation_spec);
  if (n != params.observation_size) {
    return absl::InvalidArgumentError(absl::StrCat("linear policy for '", params.task, "' reads ",
                                                   params.observation_size, " observation values; the task has ", n));
  }
  auto it = action_spec.find("action");
  if (action_spec.size() != 1 || it == action_spec.end() || it->second.dtype != DType::kFloat32) {
    return absl::InvalidArgumentError("linear policy: expected one FLOAT32 action array named 'action'");
  }
  if (it->second.num_elements() != params.action_size) {
    return absl::InvalidArgumentError(absl::StrCat("linear policy for '", params.task, "' makes ", params.action_size,
                                                   " action values; the task takes ", it->second.num_elements()));
  }
  for (int i = 0; i < params.action_size; ++i) {
    if (!std::isfinite(it->second.min_at(i)) || !std::isfinite(it->second.max_at(i))) {
      return absl::InvalidArgumentError("linear policy: expected a bounded action spec");
    }
  }
  return std::unique_ptr<LinearPolicy>(new LinearPolicy(std::move(params), it->second));
}

absl::StatusOr<NamedArrays> LinearPolicy::Act(const TimeStep& timestep) {
  const std::vector<double> x = FlattenFloatObservations(timestep.observation);
  if (static_cast<int>(x.size()) != params_.observation_size) {
    return absl::InvalidArgumentError(absl::StrCat("linear policy: observation has ", x.size(),
                                                   " float values, expected ", params_.observation_size));
  }
  Evaluate(params_, x, &features_, &raw_);
  return NamedArrays{{"action", ClipToActionSpec(raw_, action_spec_)}};
}

}  // namespace calico
