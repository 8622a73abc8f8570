// The `calico` command line: one binary, one subcommand per job.
//
//   calico tokens --input=FILE [--format=table|json] [--window=L --window_start=T]
//   calico text-model --out=FILE [--vocab_size=N]
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "agent/resource_paths.h"
#include "base/file_io.h"
#include "base/status_macros.h"
#include "tokenizers/text/text_tokenizer.h"
#include "tokenizers/text/train_text_model.h"
#include "tokenizers/tokens_command.h"

ABSL_FLAG(std::string, input, "", "tokens: text-format TokensRequest file (specs + timesteps)");
ABSL_FLAG(std::string, format, "table", "tokens: output format, 'table' or 'json'");
ABSL_FLAG(int64_t, window, 0, "tokens: if > 0, show only a window of this many positions");
ABSL_FLAG(int64_t, window_start, 0, "tokens: first timestep of the window");
ABSL_FLAG(std::string, text_model, "", "SentencePiece model (default: the one shipped with calico)");
ABSL_FLAG(std::string, out, "", "text-model: where to write the trained SentencePiece model");
ABSL_FLAG(int32_t, vocab_size, calico::kCalicoTextVocabSize, "text-model: number of text pieces");

namespace calico {
namespace {

constexpr char kUsage[] =
    "calico: a Gato-style generalist agent runtime.\n\n"
    "Commands:\n"
    "  calico tokens --input=FILE [--format=table|json] [--window=L --window_start=T]\n"
    "      Print the token stream of the timesteps in FILE (a text-format TokensRequest,\n"
    "      see tokenizers/tokens_request.proto and tests/data/*.textproto).\n"
    "  calico text-model --out=FILE [--vocab_size=N]\n"
    "      Retrain calico's SentencePiece text model from its generated corpus.\n";

absl::Status Tokens() {
  const std::string input = absl::GetFlag(FLAGS_input);
  if (input.empty()) return absl::InvalidArgumentError("tokens needs --input=FILE (a text-format TokensRequest)");
  TokensCommandOptions options;
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format == "json") {
    options.format = TokensFormat::kJson;
  } else if (format != "table") {
    return absl::InvalidArgumentError(absl::StrCat("--format is '", format, "'; expected 'table' or 'json'"));
  }
  options.window = absl::GetFlag(FLAGS_window);
  options.window_start = absl::GetFlag(FLAGS_window_start);
  if (options.window < 0) return absl::InvalidArgumentError("--window must be >= 0");
  const std::string path = UserPath(input);
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  ASSIGN_OR_RETURN(TokensRequest request, ParseTokensRequest(text, path));
  ASSIGN_OR_RETURN(std::string model_path, FindTextModel(absl::GetFlag(FLAGS_text_model)));
  ASSIGN_OR_RETURN(std::unique_ptr<TextTokenizer> tokenizer, TextTokenizer::Load(model_path));
  ASSIGN_OR_RETURN(std::string output, RunTokensCommand(request, *tokenizer, options));
  std::fputs(output.c_str(), stdout);
  return absl::OkStatus();
}

absl::Status TextModel() {
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) return absl::InvalidArgumentError("text-model needs --out=FILE");
  const std::string path = UserPath(out);
  RETURN_IF_ERROR(TrainCalicoTextModel(absl::GetFlag(FLAGS_vocab_size), path));
  std::printf("wrote a %d-piece SentencePiece model to %s\n", absl::GetFlag(FLAGS_vocab_size), path.c_str());
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() != 2) {
    std::fprintf(stderr, "%s\n%s", args.size() < 2 ? "calico: no command given." : "calico: one command at a time.",
                 kUsage);
    return 2;
  }
  const std::string command = args[1];
  absl::Status status;
  if (command == "tokens") {
    status = Tokens();
  } else if (command == "text-model") {
    status = TextModel();
  } else {
    std::fprintf(stderr, "calico: unknown command '%s'.\n%s", command.c_str(), kUsage);
    return 2;
  }
  if (!status.ok()) {
    std::fprintf(stderr, "calico %s: %s\n", command.c_str(), std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace calico

int main(int argc, char** argv) { return calico::Main(argc, argv); }
