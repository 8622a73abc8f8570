// model_bench: one measurement of calico's transformer per run, printed as a JSON line,
// so bench/compare_torch.py can put it side by side with the PyTorch reference.
//
//   model_bench --mode=sgemm  --threads=2                 SGEMM peak (n^3 GEMM)
//   model_bench --mode=train  --preset=small --batch=8 --seq=1024 --steps=3
//   model_bench --mode=decode --preset=small --context=1000 --steps=50
//   model_bench --mode=linear --preset=small --threads=2
//
// train: tokens/s and model FLOP/s of the fastest of --steps full training steps
// (forward, backward, AdamW; the mean is printed too) on Gato-layout batches, and the
// process's peak resident memory. decode: mean time of one
// KV-cache step (one new token, one sequence) after a prefill of `context` positions.
// linear: the decoder's row-invariant kernel against the Eigen GEMM training uses, side
// by side (interleaved, median of 2 x --steps each) on the preset's matrices at decode-sized
// row counts; one line per shape.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "base/random.h"
#include "bench/gato_batch.h"
#include "model/config.h"
#include "model/decoder.h"
#include "model/linear.h"
#include "model/threading.h"
#include "model/trainer.h"

ABSL_FLAG(std::string, mode, "train", "sgemm, train, decode or linear");
ABSL_FLAG(std::string, preset, "small", "model preset");
ABSL_FLAG(int, threads, 2, "threads");
ABSL_FLAG(int, batch, 8, "train: batch rows");
ABSL_FLAG(int, seq, 1024, "train: positions per row");
ABSL_FLAG(int, steps, 3, "train: timed steps (after one warm-up); decode: timed steps");
ABSL_FLAG(int, context, 1000, "decode: positions in the cache before the timed steps");
ABSL_FLAG(int, n, 2048, "sgemm: matrix size");
ABSL_FLAG(int, rotate_mib, 0,
          "linear: rotate over copies of each weight matrix filling this many MiB, so that calls read "
          "their weights from the cache level (or memory) a decode step over a whole model would; 0: "
          "one copy, warm");

namespace calico {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Peak resident memory of this process (VmHWM). Not getrusage's ru_maxrss: Linux keeps
// that across fork + exec, so a child of a big Python process would report the parent's.
double PeakRssMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return -1;
}

// Useful FLOPs of one training step: 3x the forward matmuls (forward, and two for
// backward), causal attention counted over the visible half, the head only at targets.
double TrainFlops(const ModelConfig& c, const Batch& b) {
  const double C = c.width(), F = c.ff_width(), T = b.seq_len, V = c.vocab_size();
  const double tokens = b.num_positions();
  const double per_token_layer = 2 * C * 3 * C + 2 * C * C + 2 * 2 * C * F + 2 * C * T;
  double forward = tokens * per_token_layer * c.num_layers();
  forward += b.num_patches() * 2.0 * 768 * C + b.num_targets() * 2.0 * C * V;
  return 3 * forward;
}

int Sgemm() {
  const int64_t n = absl::GetFlag(FLAGS_n);
  std::vector<float> a(n * n, 0.5f), w(n * n, 0.25f), y(n * n);
  double best = 1e30;
  for (int rep = 0; rep < 5; ++rep) {
    const auto t0 = Clock::now();
    LinearForward(a.data(), w.data(), static_cast<const float*>(nullptr), n, n, n, y.data());
    best = std::min(best, Seconds(t0, Clock::now()));
  }
  std::printf("{\"mode\": \"sgemm\", \"n\": %lld, \"threads\": %d, \"gflops\": %.1f}\n",
              static_cast<long long>(n), ModelThreads(), 2.0 * n * n * n / best / 1e9);
  return 0;
}

int Train(const ModelConfig& config) {
  AdamWOptions options;
  options.warmup_steps = 1;
  auto trainer = Trainer::Create(config, options, 1);
  if (!trainer.ok()) {
    std::fprintf(stderr, "%s\n", trainer.status().ToString().c_str());
    return 1;
  }
  const Batch batch = GatoLayoutBatch(config, absl::GetFlag(FLAGS_batch), absl::GetFlag(FLAGS_seq), 7);
  const int steps = absl::GetFlag(FLAGS_steps);
  double loss = 0, total = 0, best = 1e30;
  for (int s = 0; s <= steps; ++s) {
    const auto t0 = Clock::now();
    auto result = trainer->Step(batch);
    if (!result.ok()) {
      std::fprintf(stderr, "%s\n", result.status().ToString().c_str());
      return 1;
    }
    loss = result->loss;
    if (s == 0) continue;  // step 0 warms up (allocations)
    const double t = Seconds(t0, Clock::now());
    total += t;
    best = std::min(best, t);
  }
  // The fastest step: on a machine shared with other work, the least disturbed one.
  const double per_step = best;
  const double mean_step = total / steps;
  std::printf(
      "{\"mode\": \"train\", \"preset\": \"%s\", \"threads\": %d, \"batch\": %lld, \"seq\": %lld, "
      "\"targets\": %lld, \"step_s\": %.4f, \"mean_step_s\": %.4f, \"tokens_per_s\": %.1f, \"model_gflops\": %.2f, "
      "\"loss\": %.4f, \"peak_rss_mib\": %.1f, \"activation_mib\": %.1f, \"params\": %lld}\n",
      config.name().c_str(), ModelThreads(), static_cast<long long>(batch.batch_size),
      static_cast<long long>(batch.seq_len), static_cast<long long>(batch.num_targets()),
      per_step, mean_step, batch.num_positions() / per_step, TrainFlops(config, batch) / per_step / 1e9,
      loss, PeakRssMiB(), trainer->model().activation_bytes() / 1048576.0,
      static_cast<long long>(trainer->model().layout().size()));
  return 0;
}

int Decode(const ModelConfig& config) {
  auto model = Transformer::Create(config, 1);
  if (!model.ok()) return 1;
  const int context = absl::GetFlag(FLAGS_context), steps = absl::GetFlag(FLAGS_steps);
  auto cache = KvCache::Create(config, 1, context + steps);
  if (!cache.ok()) return 1;
  Decoder decoder(&*model);
  const Batch prompt = GatoLayoutBatch(config, 1, context, 3);
  std::vector<float> logits;
  if (absl::Status s = decoder.Append({0}, {prompt}, &*cache, &logits); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  Batch one = Batch::Zeros(1, 1);
  std::vector<double> times;
  for (int s = 0; s < steps; ++s) {
    one.ids[0] = 512 + (s * 37) % 1024;
    const auto t0 = Clock::now();
    if (!decoder.Append({0}, {one}, &*cache, &logits).ok()) return 1;
    times.push_back(Seconds(t0, Clock::now()) * 1e3);
  }
  std::sort(times.begin(), times.end());
  double mean = 0;
  for (double t : times) mean += t / times.size();
  std::printf("{\"mode\": \"decode\", \"preset\": \"%s\", \"threads\": %d, \"context\": %d, "
              "\"mean_ms\": %.3f, \"median_ms\": %.3f, \"p90_ms\": %.3f}\n",
              config.name().c_str(), ModelThreads(), context, mean, times[times.size() / 2],
              times[times.size() * 9 / 10]);
  return 0;
}

// The median of `v` (not empty).
double Median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

// Seconds of one call of f.
template <typename F>
double TimeOnce(const F& f) {
  const auto t0 = Clock::now();
  f();
  return Seconds(t0, Clock::now());
}

int Linear(const ModelConfig& c) {
  const int64_t C = c.width(), F = c.ff_width(), V = c.vocab_size();
  struct Shape {
    const char* name;
    int64_t in, out;
  };
  const Shape shapes[] = {{"qkv", C, 3 * C}, {"proj", C, C}, {"fc", C, F}, {"fc2", F, C}, {"patch", 768, C},
                          {"head", C, V}};
  const int steps = std::max(3, absl::GetFlag(FLAGS_steps));
  Rng rng(1);
  const int64_t rotate_bytes = int64_t{absl::GetFlag(FLAGS_rotate_mib)} << 20;
  for (const Shape& shape : shapes) {
    const int64_t size = shape.in * shape.out;
    const int64_t copies = rotate_bytes > 0 ? std::max<int64_t>(2, rotate_bytes / (4 * size)) : 1;
    std::vector<float> weights(copies * size), bias(shape.out);
    for (int64_t i = 0; i < size; ++i) weights[i] = static_cast<float>(rng.Uniform() - 0.5);
    for (int64_t c = 1; c < copies; ++c) std::copy_n(weights.begin(), size, weights.begin() + c * size);
    for (float& v : bias) v = static_cast<float>(rng.Uniform() - 0.5);
    // Decode rows: one sequence's action token or a MuJoCo timestep (2-7 positions), 8 or
    // 16 sequences' tokens, a pixel timestep (27 positions) of one sequence, and of 16
    // sequences (432). The head runs only at each
    // sequence's last position, so at most one row per sequence.
    for (int64_t rows : {1, 2, 3, 5, 7, 8, 16, 27, 128, 432}) {
      if (std::string(shape.name) == "head" && rows > 16) continue;
      std::vector<float> x(rows * shape.in), y(rows * shape.out);
      for (float& v : x) v = static_cast<float>(rng.Uniform() - 0.5);
      // Medians, each kernel first in every other repetition, the weight copy drawn at
      // random: with copies taken in order, a call found the next copy partly fetched
      // already, and the same kernel timed against itself differed up to 3x.
      std::vector<double> eigen_times, invariant_times;
      for (int rep = 0; rep < 2 * steps; ++rep) {
        for (int which : {rep % 2, 1 - rep % 2}) {
          const float* w = weights.data() + size * static_cast<int64_t>(rng.UniformInt(0, copies));
          if (which == 0) {
            eigen_times.push_back(TimeOnce([&] {
              LinearForward(x.data(), w, bias.data(), rows, shape.in, shape.out, y.data());
            }));
          } else {
            invariant_times.push_back(TimeOnce([&] {
              LinearForwardRowInvariant(x.data(), w, bias.data(), rows, shape.in, shape.out, y.data());
            }));
          }
        }
      }
      const double eigen = Median(eigen_times), invariant = Median(invariant_times);
      const double flops = 2.0 * rows * shape.in * shape.out;
      std::printf("{\"mode\": \"linear\", \"matrix\": \"%s\", \"rows\": %lld, \"in\": %lld, \"out\": %lld, "
                  "\"threads\": %d, \"rotate_mib\": %d, \"eigen_us\": %.1f, \"row_invariant_us\": %.1f, \"eigen_gflops\": %.1f, "
                  "\"row_invariant_gflops\": %.1f, \"time_ratio\": %.2f}\n",
                  shape.name, static_cast<long long>(rows), static_cast<long long>(shape.in),
                  static_cast<long long>(shape.out), ModelThreads(), absl::GetFlag(FLAGS_rotate_mib), eigen * 1e6, invariant * 1e6, flops / eigen / 1e9,
                  flops / invariant / 1e9, invariant / eigen);
    }
  }
  return 0;
}

}  // namespace
}  // namespace calico

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  calico::SetModelThreads(absl::GetFlag(FLAGS_threads));
  const std::string mode = absl::GetFlag(FLAGS_mode);
  if (mode == "sgemm") return calico::Sgemm();
  auto config = calico::ModelPreset(absl::GetFlag(FLAGS_preset));
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().ToString().c_str());
    return 1;
  }
  if (mode == "train") return calico::Train(*config);
  if (mode == "decode") return calico::Decode(*config);
  if (mode == "linear") return calico::Linear(*config);
  std::fprintf(stderr, "unknown --mode=%s, expected sgemm, train, decode or linear\n", mode.c_str());
  return 1;
}
