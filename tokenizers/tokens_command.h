// The body of `calico tokens`: tokenises a TokensRequest and renders the stream as a
// table (for people) or JSON (for checks written in other languages).
#ifndef CALICO_TOKENIZERS_TOKENS_COMMAND_H_
#define CALICO_TOKENIZERS_TOKENS_COMMAND_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "tokenizers/text/text_tokenizer.h"
#include "tokenizers/tokens_request.pb.h"

namespace calico {

enum class TokensFormat { kTable, kJson };

struct TokensCommandOptions {
  TokensFormat format = TokensFormat::kTable;
  // > 0: show only the window of this many positions cut at `window_start`.
  int64_t window = 0;
  int64_t window_start = 0;
};

// Tokenises `request` with `text` (whose size fixes the vocabulary) and renders every
// position: timestep, kind, id or patch, local position, loss flag and source key, plus
// each action decoded back from its tokens. Errors name what in the request is wrong.
absl::StatusOr<std::string> RunTokensCommand(const TokensRequest& request, const TextTokenizer& text,
                                             const TokensCommandOptions& options);

// Parses the text-format TokensRequest in `text`; a syntax error names `source` and the
// line and column.
absl::StatusOr<TokensRequest> ParseTokensRequest(const std::string& text, const std::string& source);

}  // namespace calico

#endif  // CALICO_TOKENIZERS_TOKENS_COMMAND_H_
