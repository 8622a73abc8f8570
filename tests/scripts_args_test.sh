#!/usr/bin/env bash
# tools/quickstart and tools/recipe refuse bad arguments before installing, building or
# deleting anything: each bad argument exits 2 with a message that names it.
set -euo pipefail
fail() { echo "FAIL: $*"; exit 1; }
expect_refusal() {  # expect_refusal SCRIPT EXPECTED_MESSAGE ARGS...
  local script="$1" expected="$2"; shift 2
  local status=0
  "$script" "$@" > out.txt 2> err.txt || status=$?
  [[ $status -eq 2 ]] || { cat out.txt err.txt; fail "$script $* exited $status, expected 2"; }
  grep -q -- "$expected" err.txt || { cat err.txt; fail "$script $* did not say '$expected'"; }
  ! grep -q "== " out.txt || fail "$script $* started a stage"
}
cd "${TEST_TMPDIR:-$(mktemp -d)}"
root="$TEST_SRCDIR/calico/tools"
expect_refusal "$root/quickstart" "usage: tools/quickstart" --bogus
expect_refusal "$root/quickstart" "--train_seconds must be a whole number of seconds, got 'abc'" --train_seconds=abc
expect_refusal "$root/quickstart" "--episodes must be a positive whole number, got '0'" --episodes=0
expect_refusal "$root/quickstart" "refusing --out='/'" --out=/
expect_refusal "$root/quickstart" "refusing --out=''" --out=
expect_refusal "$root/recipe" "usage: tools/recipe" extra
expect_refusal "$root/recipe" "--episodes must be a positive whole number, got 'x'" --episodes=x
expect_refusal "$root/recipe" "refusing --out='/'" --out=/
expect_refusal "$root/recipe" "refusing --out=''" --vision_language --out=
expect_refusal "$root/recipe" "usage: tools/recipe" --vision_language=yes
echo "PASS"
