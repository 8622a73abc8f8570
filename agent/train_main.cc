// A stand-alone `train` for trying RunTraining by hand until `calico train` wires it in:
//
//   bazel run //agent:train_main -- --config=run.textproto [--resume]
//
// SIGINT / SIGTERM finish the current update, write a checkpoint and exit 0; a second
// signal kills the process.
#include <cstdio>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "agent/resource_paths.h"
#include "agent/train.h"
#include "base/file_io.h"
#include "base/status_macros.h"

ABSL_FLAG(std::string, config, "", "text-format TrainConfig (agent/train_config.proto)");
ABSL_FLAG(bool, resume, false, "continue from the output directory's LATEST checkpoint");
ABSL_FLAG(std::string, text_model, "", "SentencePiece model (default: calico's)");

namespace calico {
namespace {

absl::Status Main() {
  const std::string path = UserPath(absl::GetFlag(FLAGS_config));
  if (path.empty()) return absl::InvalidArgumentError("--config=FILE is required");
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  ASSIGN_OR_RETURN(TrainConfig config, ParseTrainConfig(text, path));
  // Paths in the config are the user's, like the flags'.
  for (std::string& dataset : *config.mutable_datasets()) dataset = UserPath(dataset);
  config.set_output_dir(UserPath(config.output_dir()));
  TrainOptions options;
  ASSIGN_OR_RETURN(options.text_model_path, FindTextModel(absl::GetFlag(FLAGS_text_model)));
  options.resume = absl::GetFlag(FLAGS_resume);
  options.progress = &std::cout;
  options.stop = InstallStopSignalHandlers();
  return RunTraining(config, options).status();
}

}  // namespace
}  // namespace calico

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  absl::Status status = calico::Main();
  if (!status.ok()) {
    std::fprintf(stderr, "train: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}
