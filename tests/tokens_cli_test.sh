#!/usr/bin/env bash
# Runs the real `calico` binary on the example inputs and checks its JSON with an
# independent Python implementation of the token rules (tests/check_tokens.py); also
# checks that bad command lines and inputs fail with a clear message, not a crash.
set -euo pipefail

calico=agent/calico
out="${TEST_TMPDIR:-/tmp}"
for example in cartpole_pixels_episode arcade_episode scenes_vqa_episode; do
  "$calico" tokens --input="tests/data/$example.textproto" --format=json > "$out/$example.json"
  /usr/bin/python3 tests/check_tokens.py "tests/data/$example.textproto" "$out/$example.json"
done

# The table form runs too and shows the decoded actions.
# (Into a file first: `| grep -q` would stop reading at the first match, and under
# pipefail a table longer than the pipe's buffer would fail on SIGPIPE.)
"$calico" tokens --input=tests/data/cartpole_pixels_episode.textproto > "$out/table.txt"
grep -q "action decoded from its tokens" "$out/table.txt" ||
  { echo "FAIL: the token table shows no decoded actions"; head -20 "$out/table.txt"; exit 1; }

expect_failure() {  # expect_failure EXPECTED_MESSAGE ARGS...
  local expected="$1"
  shift
  local status=0
  "$calico" "$@" > "$out/stdout" 2> "$out/stderr" || status=$?
  if [[ $status -ne 1 && $status -ne 2 ]]; then
    echo "FAIL: calico $* exited $status (expected 1 or 2)"; cat "$out/stderr"; exit 1
  fi
  if ! grep -q -- "$expected" "$out/stderr"; then
    echo "FAIL: calico $* did not say '$expected':"; cat "$out/stderr"; exit 1
  fi
}

expect_failure "no command given"
expect_failure "unexpected argument" tokens extra
expect_failure "unknown command 'tokenz'" tokenz
expect_failure "needs --input" tokens
expect_failure "cannot read 'tests/data/missing.textproto'" tokens --input=tests/data/missing.textproto
expect_failure "expected 'table' or 'json'" tokens --input=tests/data/arcade_episode.textproto --format=xml
printf 'steps { observation { nam: "x" } }\n' > "$out/bad.textproto"
expect_failure "line 1" tokens --input="$out/bad.textproto"
head -c 20000 tests/data/cartpole_pixels_episode.textproto > "$out/truncated.textproto"
expect_failure "not a valid text-format TokensRequest" tokens --input="$out/truncated.textproto"
printf 'not a sentencepiece model' > "$out/bad.model"
expect_failure "bad.model" tokens --input=tests/data/arcade_episode.textproto --text_model="$out/bad.model"
expect_failure "Unknown command line flag" tokens --no_such_flag=1
# Text observations are tokenised as UTF-8; other bytes are refused, not split as they come.
cat > "$out/latin1.textproto" <<'REQUEST'
observation_spec { name: "t" dtype: STRING shape: [] }
action_spec { name: "a" dtype: INT32 shape: [] minimum: 0 maximum: 5 }
steps { observation { name: "t" dtype: STRING text: "caf\xe9 left" } action { name: "a" dtype: INT32 int_values: [1] } }
REQUEST
expect_failure "step 0: observation 't': text is not valid UTF-8 (byte 3 of 9)" tokens --input="$out/latin1.textproto"
echo "tokens_cli_test: all checks passed"
