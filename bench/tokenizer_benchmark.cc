// Tokenization throughput on one core: values (or pixels, or characters) per second for
// each tokenizer and for whole timesteps of typical control tasks.
//
//   bazel run //bench:tokenizer_benchmark
#include <memory>
#include <string>
#include <vector>

#include "base/random.h"
#include "benchmark/benchmark.h"
#include "envs/array.h"
#include "tokenizers/continuous.h"
#include "tokenizers/discrete.h"
#include "tokenizers/image.h"
#include "tokenizers/sequence_builder.h"
#include "tokenizers/text/text_tokenizer.h"

namespace calico {
namespace {

const Vocabulary& Vocab() {
  static const Vocabulary* vocab = new Vocabulary(*Vocabulary::Create(512));
  return *vocab;
}

std::vector<float> RandomFloats(int n) {
  Rng rng(1);
  std::vector<float> values(n);
  for (float& v : values) v = static_cast<float>((rng.Uniform() - 0.5) * 20.0);
  return values;
}

void BM_ContinuousTokenize(benchmark::State& state) {
  const std::vector<float> values = RandomFloats(static_cast<int>(state.range(0)));
  std::vector<int32_t> ids;
  ids.reserve(values.size());
  for (auto _ : state) {
    ids.clear();
    benchmark::DoNotOptimize(TokenizeContinuous(Vocab(), values, "x", &ids));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * values.size());
}
BENCHMARK(BM_ContinuousTokenize)->Arg(64)->Arg(1 << 16);

void BM_ContinuousDetokenize(benchmark::State& state) {
  const std::vector<float> values = RandomFloats(static_cast<int>(state.range(0)));
  std::vector<int32_t> ids;
  (void)TokenizeContinuous(Vocab(), values, "x", &ids);
  std::vector<float> out(values.size());
  for (auto _ : state) {
    benchmark::DoNotOptimize(DetokenizeContinuous(Vocab(), ids, "x", absl::MakeSpan(out)));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * values.size());
}
BENCHMARK(BM_ContinuousDetokenize)->Arg(1 << 16);

void BM_DiscreteTokenize(benchmark::State& state) {
  std::vector<int32_t> values(static_cast<size_t>(state.range(0)));
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<int32_t>(i % 1024);
  std::vector<int32_t> ids;
  ids.reserve(values.size());
  for (auto _ : state) {
    ids.clear();
    benchmark::DoNotOptimize(TokenizeDiscrete(Vocab(), values, "x", &ids));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * values.size());
}
BENCHMARK(BM_DiscreteTokenize)->Arg(1 << 16);

Array RandomImage(int side) {
  Rng rng(2);
  std::vector<uint8_t> bytes(static_cast<size_t>(side) * side * 3);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng.Next());
  return Array::Uint8({side, side, 3}, std::move(bytes));
}

// Items are pixel values (H * W * 3 bytes).
void BM_ImagePatches(benchmark::State& state) {
  const Array image = RandomImage(static_cast<int>(state.range(0)));
  std::vector<float> patches;
  std::vector<PatchPosition> positions;
  Rng rng(3);
  for (auto _ : state) {
    patches.clear();
    positions.clear();
    benchmark::DoNotOptimize(TokenizeImage(image, "pixels", &rng, &patches, &positions));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * image.bytes.size());
}
BENCHMARK(BM_ImagePatches)->Arg(64)->Arg(80)->Arg(256);

// Items are characters of text.
void BM_TextEncode(benchmark::State& state) {
  static const TextTokenizer* text = TextTokenizer::Load("tokenizers/text/calico_text.model")->release();
  const std::string sentence = "a small red sphere left of a large blue box and a green cylinder behind them";
  for (auto _ : state) benchmark::DoNotOptimize(text->Encode(sentence));
  state.SetItemsProcessed(state.iterations() * sentence.size());
}
BENCHMARK(BM_TextEncode);

// A whole timestep: `floats` continuous observation values, an optional 64x64 image,
// and a 6-dimensional continuous action. Items are observation + action values.
void BM_Timestep(benchmark::State& state) {
  const int floats = static_cast<int>(state.range(0));
  const bool pixels = state.range(1) != 0;
  SequenceBuilderOptions options;
  options.observation_spec["state"] = {"state", {floats}, DType::kFloat32, {}, {}};
  if (pixels) options.observation_spec["pixels"] = {"pixels", {64, 64, 3}, DType::kUint8, {}, {}};
  options.action_spec["torque"] = {"torque", {6}, DType::kFloat32, {-1}, {1}};
  SequenceBuilder builder = *SequenceBuilder::Create(options, Vocab(), nullptr);
  Timestep step;
  step.observation["state"] = Array::Float({floats}, RandomFloats(floats));
  if (pixels) step.observation["pixels"] = RandomImage(64);
  step.action = NamedArrays{{"torque", Array::Float({6}, {0.1f, -0.2f, 0.3f, -0.4f, 0.5f, -0.6f})}};
  const int64_t values = floats + 6 + (pixels ? 64 * 64 * 3 : 0);
  TokenStream stream;
  for (auto _ : state) {
    stream = TokenStream();
    benchmark::DoNotOptimize(builder.AppendTimestep(step, nullptr, &stream));
  }
  state.SetItemsProcessed(state.iterations() * values);
}
BENCHMARK(BM_Timestep)->Args({17, 0})->Args({17, 1})->Args({400, 0});

}  // namespace
}  // namespace calico
