#include "model/checkpoint.h"

#include <sys/stat.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "base/file_io.h"
#include "base/memory_limit.h"
#include "base/fnv1a.h"
#include "base/status_macros.h"
#include "model/config.h"
#include "model/parameters.h"

namespace calico {
namespace {

constexpr char kMagic[8] = {'C', 'A', 'L', 'I', 'C', 'O', 'C', 'K'};
constexpr uint32_t kVersion = 1;
// A ModelConfig is well under a kilobyte; more is a corrupt size field.
constexpr uint32_t kMaxConfigBytes = 1 << 16;
// Magic, version, config size, config, step, RNG state, parameter count.
constexpr size_t kMaxHeaderBytes = 8 + 4 + 4 + kMaxConfigBytes + 24;

template <typename T>
void Put(std::string* out, T value) {
  out->append(reinterpret_cast<const char*>(&value), sizeof(T));
}

void PutFloats(std::string* out, const std::vector<float>& v) {
  out->append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

// The parsed contents of a checkpoint file.
struct Contents {
  ModelConfig config;
  int64_t step = 0;
  uint64_t rng_state = 0;
  std::vector<float> params, m, v;
};

// Reads with bounds checks; every failure names the file and what was expected.
class Reader {
 public:
  Reader(const std::string& path, const std::string& data) : path_(path), data_(data) {}

  absl::Status Read(void* dst, size_t n, const char* what) {
    if (data_.size() - pos_ < n) {
      return absl::DataLossError(absl::StrCat("checkpoint ", path_, " is truncated: ", what,
                                              " needs ", n, " bytes at offset ", pos_,
                                              ", the file has ", data_.size()));
    }
    std::memcpy(dst, data_.data() + pos_, n);
    pos_ += n;
    return absl::OkStatus();
  }

  size_t pos() const { return pos_; }

 private:
  const std::string& path_;
  const std::string& data_;
  size_t pos_ = 0;
};

// Everything before the parameter arrays: magic, version, config, step, RNG state and
// parameter count, from `data` (the whole file or its first bytes) of a file of
// `file_size` bytes. Checks that the file is exactly as long as its config says, so a
// caller can check that from the first bytes before reading a file of any size. Leaves
// `r` at the first parameter and returns the parameter count.
absl::StatusOr<int64_t> ParseHeader(const std::string& path, Reader& r, uint64_t file_size, Contents* c) {
  char magic[8];
  RETURN_IF_ERROR(r.Read(magic, 8, "the magic number"));
  if (std::memcmp(magic, kMagic, 8) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("file ", path, " is not a calico checkpoint (no CALICOCK magic number)"));
  }
  uint32_t version = 0;
  RETURN_IF_ERROR(r.Read(&version, 4, "the version"));
  if (version != kVersion) {
    return absl::InvalidArgumentError(absl::StrCat("checkpoint ", path, " has format version ",
                                                   version, ", expected ", kVersion));
  }
  uint32_t config_size = 0;
  RETURN_IF_ERROR(r.Read(&config_size, 4, "the config size"));
  if (config_size > kMaxConfigBytes || config_size > file_size) {
    return absl::DataLossError(absl::StrCat("checkpoint ", path, " is corrupt or truncated: config of ",
                                            config_size, " bytes in a file of ", file_size));
  }
  std::string config_bytes(config_size, '\0');
  RETURN_IF_ERROR(r.Read(config_bytes.data(), config_size, "the config"));
  if (!c->config.ParseFromString(config_bytes)) {
    return absl::DataLossError(absl::StrCat("checkpoint ", path, " is corrupt: its config does not parse"));
  }
  if (absl::Status valid = ValidateModelConfig(c->config); !valid.ok()) {
    return absl::DataLossError(absl::StrCat("checkpoint ", path, " is corrupt: ", valid.message()));
  }
  int64_t count = 0;
  RETURN_IF_ERROR(r.Read(&c->step, 8, "the step"));
  RETURN_IF_ERROR(r.Read(&c->rng_state, 8, "the RNG state"));
  RETURN_IF_ERROR(r.Read(&count, 8, "the parameter count"));
  const int64_t expected = ParameterLayout(c->config).size();
  if (count != expected) {
    return absl::DataLossError(absl::StrCat("checkpoint ", path, " is corrupt: ", count,
                                            " parameters, its config has ", expected));
  }
  const uint64_t body = r.pos() + 3 * static_cast<uint64_t>(count) * sizeof(float) + 8;
  if (file_size != body) {
    return absl::DataLossError(absl::StrCat("checkpoint ", path, " is ", file_size < body ? "truncated" : "too long",
                                            ": ", file_size, " bytes, expected ", body));
  }
  return count;
}

// The bytes of checkpoint `path`, read only once its header has said how many to expect:
// a wrong file of any size (or a corrupt one) is refused from its first bytes, and one
// larger than this process's memory by its size. A pipe or device is refused without
// being opened: the commands read a checkpoint more than once (its config, then its
// parameters), which a stream cannot give them, and a FIFO without a writer would block.
absl::StatusOr<std::string> ReadCheckpointBytes(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0 || S_ISDIR(info.st_mode)) {
    return ReadFile(path);  // names a missing path or a directory
  }
  if (!S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint ", path, " is not a regular file (a pipe or a device); checkpoints are read more than once, "
        "so give the path of the file itself"));
  }
  {
    std::ifstream in(path, std::ios::binary);
    std::string head(kMaxHeaderBytes, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<size_t>(in.gcount()));
    Reader probe(path, head);
    Contents ignored;
    ASSIGN_OR_RETURN(const int64_t count,
                     ParseHeader(path, probe, static_cast<uint64_t>(info.st_size), &ignored));
    if (const MemoryLimit memory = ProcessMemoryLimit(); memory.bytes > 0 && info.st_size > memory.bytes) {
      return absl::ResourceExhaustedError(absl::StrFormat(
          "checkpoint %s holds %d parameters (%.1f GiB with the optimiser state), more than the %.1f GiB of %s",
          path, count, info.st_size / 1073741824.0, memory.bytes / 1073741824.0, memory.source));
    }
  }
  // A checkpoint is as large as its model (12 bytes per parameter with the AdamW moments).
  return ReadFile(path, std::numeric_limits<int64_t>::max());
}

absl::StatusOr<Contents> Parse(const std::string& path) {
  ASSIGN_OR_RETURN(std::string data, ReadCheckpointBytes(path));
  Reader r(path, data);
  Contents c;
  // The checksum covers everything: with the sizes checked, check it before the values.
  if (data.size() < 8) {
    return absl::DataLossError(absl::StrCat("checkpoint ", path, " is truncated: ", data.size(), " bytes"));
  }
  uint64_t stored = 0;
  std::memcpy(&stored, data.data() + data.size() - 8, 8);
  ASSIGN_OR_RETURN(const int64_t count, ParseHeader(path, r, data.size(), &c));
  if (Fnv1a64(absl::string_view(data.data(), data.size() - 8)) != stored) {
    return absl::DataLossError(
        absl::StrCat("checkpoint ", path, " is corrupt: checksum mismatch"));
  }
  if (c.step < 0) {
    return absl::DataLossError(absl::StrCat("checkpoint ", path, " is corrupt: step ", c.step));
  }
  for (std::vector<float>* v : {&c.params, &c.m, &c.v}) {
    v->resize(count);
    RETURN_IF_ERROR(r.Read(v->data(), count * sizeof(float), "the parameter arrays"));
  }
  // A checksum only says the bytes are the ones written. Training stops before a
  // non-finite update is applied, so NaN or infinity here (or a negative second moment)
  // means the file was made otherwise; acting with it would fail later with a message
  // about logits, not about the checkpoint.
  const ParameterLayout layout(c.config);
  const std::pair<const std::vector<float>*, const char*> arrays[] = {
      {&c.params, "parameters"}, {&c.m, "AdamW first moments"}, {&c.v, "AdamW second moments"}};
  for (const auto& [values, what] : arrays) {
    const bool second_moment = values == &c.v;
    for (int64_t i = 0; i < count; ++i) {
      const float x = (*values)[i];
      if (std::isfinite(x) && (!second_moment || x >= 0.0f)) continue;
      std::string tensor = "?";
      for (const TensorInfo& info : layout.tensors()) {
        if (i >= info.offset && i < info.offset + info.size) tensor = absl::StrCat(info.name, "[", i - info.offset, "]");
      }
      return absl::DataLossError(absl::StrCat("checkpoint ", path, " is corrupt: its ", what, " hold ", x, " at ",
                                              tensor, second_moment ? " (expected finite and >= 0)" : " (expected finite)"));
    }
  }
  return c;
}

}  // namespace

absl::Status SaveCheckpoint(const Trainer& trainer, const std::string& path) {
  std::string out;
  out.append(kMagic, 8);
  Put<uint32_t>(&out, kVersion);
  const std::string config = trainer.model().config().SerializeAsString();
  Put<uint32_t>(&out, static_cast<uint32_t>(config.size()));
  out += config;
  Put<int64_t>(&out, trainer.step());
  Put<uint64_t>(&out, trainer.rng().state());
  Put<int64_t>(&out, trainer.model().layout().size());
  PutFloats(&out, trainer.model().parameters());
  PutFloats(&out, trainer.optimizer().first_moment());
  PutFloats(&out, trainer.optimizer().second_moment());
  Put<uint64_t>(&out, Fnv1a64(out));
  return WriteFileAtomically(path, out);
}

absl::StatusOr<ModelConfig> ReadCheckpointConfig(const std::string& path) {
  ASSIGN_OR_RETURN(Contents c, Parse(path));
  return c.config;
}

absl::Status RestoreCheckpoint(const std::string& path, Trainer* trainer) {
  ASSIGN_OR_RETURN(Contents c, Parse(path));
  std::vector<std::string> diffs;
  for (std::string& d : ModelConfigDifferences(c.config, trainer->model().config())) {
    // The name is a label; only the shape decides whether parameters fit.
    if (d.rfind("name:", 0) != 0) diffs.push_back(std::move(d));
  }
  if (!diffs.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("checkpoint ", path, " was made for a different model config (checkpoint vs model): ",
                     absl::StrJoin(diffs, ", ")));
  }
  RETURN_IF_ERROR(trainer->optimizer().SetState(c.step, std::move(c.m), std::move(c.v)));
  trainer->model().parameters() = std::move(c.params);
  trainer->rng() = Rng(c.rng_state);
  return absl::OkStatus();
}

}  // namespace calico
