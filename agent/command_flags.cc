#include "agent/command_flags.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace calico {
namespace {

// The flags each command's code path in agent/calico_main.cc reads (helpers included:
// collect and scenes load the text model to count tokens for the manifest). A flag added
// there must be added here, or the command refuses it.
const std::map<std::string, std::set<std::string>>& FlagsByCommand() {
  static const auto* table = new std::map<std::string, std::set<std::string>>{
      {"train", {"config", "datasets", "out", "resume", "seconds", "steps", "stop_at", "text_model"}},
      {"tokens", {"format", "input", "text_model", "window", "window_start"}},
      {"text-model", {"out", "vocab_size"}},
      {"envs", {"task"}},
      {"rollout",
       {"batch", "checkpoint", "context", "episodes", "policy", "prompts", "seed", "task", "temperature", "text_model",
        "threads", "video", "video_every", "video_size"}},
      {"collect",
       {"append", "batch", "context", "episodes", "filter", "learner", "noise", "out", "policy", "seed", "task", "temperature",
        "text_model", "threads"}},
      {"scenes",
       {"append", "colour_questions", "colour_working", "count_existence_working", "episodes", "eval_set", "first_seed",
        "kind", "out", "pairs", "png", "size", "text_model", "threads"}},
      {"eval",
       {"batch", "checkpoint", "choice_episodes", "choice_seed", "choose_temperature", "context", "episodes",
        "max_tokens", "policy", "prompts", "report", "seed", "suite", "temperature", "text_model", "text_temperature",
        "threads"}},
      {"caption", {"checkpoint", "image", "max_tokens", "seed", "temperature", "text_model"}},
      {"ask", {"checkpoint", "image", "max_tokens", "question", "seed", "temperature", "text_model"}},
      {"inspect", {"text_model"}},
  };
  return *table;
}

// absl's built-in flags (absl/flags/parse.cc, usage_config): accepted by every command.
bool IsBuiltinFlag(const std::string& name) {
  static const auto* builtin = new std::set<std::string>{
      "help", "helpfull", "helpshort", "helppackage", "helpon", "helpmatch", "version", "only_check_args",
      "flagfile", "fromenv", "tryfromenv", "undefok"};
  return builtin->count(name) > 0;
}

}  // namespace

absl::Status CheckNoIndirectFlags(const std::set<std::string>& given) {
  for (const char* name : {"flagfile", "fromenv", "tryfromenv"}) {
    if (given.count(name) > 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", name, " is not supported: calico checks each command's flags as given on the command line, "
          "and flags read from elsewhere would skip those checks; give the flags themselves"));
    }
  }
  return absl::OkStatus();
}

std::set<std::string> GivenFlagNames(const std::vector<std::string>& args,
                                     const std::function<FlagKind(const std::string&)>& kind_of) {
  std::set<std::string> names;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    const std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    const size_t equals = body.find('=');
    std::string name = body.substr(0, equals);
    if (name.empty()) continue;
    FlagKind kind = kind_of(name);
    if (kind == FlagKind::kUnknown && absl::StartsWith(name, "no") && kind_of(name.substr(2)) == FlagKind::kBool) {
      name = name.substr(2);
      kind = FlagKind::kBool;
    }
    names.insert(name);
    if (kind == FlagKind::kValue && equals == std::string::npos) ++i;  // the next argument is its value
  }
  return names;
}

std::vector<std::string> CommandFlags(const std::string& command) {
  auto it = FlagsByCommand().find(command);
  if (it == FlagsByCommand().end()) return {};
  return std::vector<std::string>(it->second.begin(), it->second.end());
}

absl::Status CheckCommandFlags(const std::string& command, const std::set<std::string>& given) {
  auto it = FlagsByCommand().find(command);
  if (it == FlagsByCommand().end()) return absl::OkStatus();
  for (const std::string& name : given) {
    if (IsBuiltinFlag(name) || it->second.count(name) > 0) continue;
    std::vector<std::string> users;
    for (const auto& [other, flags] : FlagsByCommand()) {
      if (flags.count(name) > 0) users.push_back(other);
    }
    const std::string takes =
        it->second.empty() ? std::string("no flags") : absl::StrCat("--", absl::StrJoin(it->second, ", --"));
    return absl::InvalidArgumentError(absl::StrCat(
        "--", name, " is not used by ", command,
        users.empty() ? std::string() : absl::StrCat(" (", absl::StrJoin(users, ", "), " takes it)"), "; ", command,
        " takes ", takes));
  }
  return absl::OkStatus();
}

}  // namespace calico
