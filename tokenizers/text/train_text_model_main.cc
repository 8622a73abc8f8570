// Regenerates calico's text model from CalicoTextCorpus():
//
//   bazel run //tokenizers/text:train_text_model -- --out=$PWD/tokenizers/text/calico_text.model
//
// A relative --out is taken relative to the directory `bazel run` was started from.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/file_io.h"
#include "base/status_macros.h"
#include "tokenizers/text/text_corpus.h"
#include "tokenizers/text/text_tokenizer.h"
#include "tokenizers/text/train_text_model.h"

ABSL_FLAG(std::string, out, "", "Where to write the SentencePiece model (required).");
ABSL_FLAG(int, vocab_size, calico::kCalicoTextVocabSize, "Number of text pieces (V_text).");

namespace calico {
namespace {

// `bazel run` starts binaries in their runfiles tree; resolve relative paths against the
// directory the user ran it from.
std::string ResolveOutPath(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  const char* dir = std::getenv("BUILD_WORKING_DIRECTORY");
  return dir != nullptr ? absl::StrCat(dir, "/", path) : path;
}

absl::Status Run() {
  const std::string out = ResolveOutPath(absl::GetFlag(FLAGS_out));
  if (out.empty()) {
    return absl::InvalidArgumentError(
        "--out is required: the path of the .model file to write, e.g. "
        "--out=$PWD/tokenizers/text/calico_text.model");
  }
  const int vocab_size = absl::GetFlag(FLAGS_vocab_size);
  const size_t num_sentences = CalicoTextCorpus().size();
  std::printf("training a BPE SentencePiece model: %zu sentences, vocab size %d\n",
              num_sentences, vocab_size);
  std::fflush(stdout);
  const auto start = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(TrainCalicoTextModel(vocab_size, out));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Read the file back: what was written must load and have the size asked for.
  ASSIGN_OR_RETURN(std::string bytes, ReadFile(out));
  ASSIGN_OR_RETURN(std::unique_ptr<TextTokenizer> tokenizer, TextTokenizer::Load(out));
  if (tokenizer->vocab_size() != vocab_size) {
    return absl::InternalError(absl::StrCat("wrote '", out, "' but it has ",
                                            tokenizer->vocab_size(), " pieces, expected ",
                                            vocab_size));
  }
  std::printf("wrote %s: %zu bytes, vocab size %d, from %zu sentences in %.2f s\n", out.c_str(),
              bytes.size(), tokenizer->vocab_size(), num_sentences, seconds);
  return absl::OkStatus();
}

}  // namespace
}  // namespace calico

int main(int argc, char** argv) {
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() > 1) {
    std::fprintf(stderr, "error: unexpected argument '%s' (flags: --out, --vocab_size)\n",
                 positional[1]);
    return 2;
  }
  const absl::Status status = calico::Run();
  if (!status.ok()) {
    std::fprintf(stderr, "error: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
