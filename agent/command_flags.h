// Which `calico` flags each command reads, so a flag given to a command that would
// ignore it is an error that says so (`collect --first_seed=50` would otherwise record
// seeds 0.. again: collect reads --seed), not a silent surprise.
#ifndef CALICO_AGENT_COMMAND_FLAGS_H_
#define CALICO_AGENT_COMMAND_FLAGS_H_

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace calico {

// What a flag name is to the command line's parser.
enum class FlagKind { kUnknown, kBool, kValue };

// The names of the flags on a command line, as given: "--name", "--name=value", "-name",
// and "--noname" for a boolean (absl's negation). As absl parses it, a value flag without
// "=" takes the next argument as its value ("--question -x"), and nothing after "--" is
// a flag.
std::set<std::string> GivenFlagNames(const std::vector<std::string>& args,
                                     const std::function<FlagKind(const std::string&)>& kind_of);

// OK if every flag in `given` is one `command` reads (absl's own, --help and the like,
// are always allowed); otherwise InvalidArgument naming the first flag that is not and
// the flags the command takes. An unknown command is left to the caller.
absl::Status CheckCommandFlags(const std::string& command, const std::set<std::string>& given);

// InvalidArgument if `given` names a flag that reads more flags from elsewhere (absl's
// --flagfile, --fromenv, --tryfromenv): calico checks the flags of each command line
// before it parses them, and flags from a file or the environment would pass unchecked
// (and --flagfile=/dev/zero reads without end). Call before absl::ParseCommandLine.
absl::Status CheckNoIndirectFlags(const std::set<std::string>& given);

// The flags `command` reads, sorted; empty for an unknown command.
std::vector<std::string> CommandFlags(const std::string& command);

}  // namespace calico

#endif  // CALICO_AGENT_COMMAND_FLAGS_H_
