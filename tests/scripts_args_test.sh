#!/usr/bin/env bash
# tools/quickstart and tools/recipe refuse bad arguments before installing, building or
# deleting anything: each bad argument exits 2 with a message that names it, and no
# --out that holds anything but an earlier run of theirs is ever replaced.
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
expect_refusal "$root/quickstart" "--train_seconds must be a positive whole number of seconds, got 'abc'" --train_seconds=abc
expect_refusal "$root/quickstart" "--train_seconds must be a positive whole number of seconds, got '0'" --train_seconds=0
expect_refusal "$root/quickstart" "--episodes must be a positive whole number, got '0'" --episodes=0
expect_refusal "$root/quickstart" "refusing --out='/'" --out=/
expect_refusal "$root/quickstart" "refusing --out=''" --out=
expect_refusal "$root/recipe" "usage: tools/recipe" extra
expect_refusal "$root/recipe" "--episodes must be a positive whole number, got 'x'" --episodes=x
expect_refusal "$root/recipe" "--train_seconds must be a positive whole number of seconds, got '0'" --train_seconds=0
expect_refusal "$root/recipe" "refusing --out='/'" --out=/
expect_refusal "$root/recipe" "refusing --out=''" --vision_language --out=
expect_refusal "$root/recipe" "usage: tools/recipe" --vision_language=yes
# Directories that are not an earlier run's are left alone, named by their full path
# (a relative --out is taken from where the script was started).
mkdir -p precious && echo keep > precious/file
for script in quickstart recipe; do
  expect_refusal "$root/$script" "refusing --out='$(pwd -P)/precious': it holds files that no earlier run" --out=precious
  expect_refusal "$root/$script" "it holds the calico checkout" --out="$TEST_SRCDIR"
  expect_refusal "$root/$script" "it is inside the calico checkout" --out="$TEST_SRCDIR/calico/agent"
  expect_refusal "$root/$script" "a comma would split it" --out=/tmp/a,b
  HOME="$PWD/precious" expect_refusal "$root/$script" "it is the home directory" --out="$PWD/precious/"
  mkdir -p "a,b" && (cd "a,b" && expect_refusal "$root/$script" "a comma would split it" --out=run)
done
[[ "$(cat precious/file)" == keep ]] || fail "a refused --out lost its file"
# A trained recipe run is only replaced with --force.
mkdir -p earlier/run && touch earlier/.calico-run earlier/run/LATEST
expect_refusal "$root/recipe" "holds a trained run; pass --force" --out=earlier
# replace_out_dir empties an earlier run's directory, keeps the directory's mode and
# marks it again; it refuses (exit 2) anything check_out_dir refuses.
source "$root/lib/out_dir.sh"
mkdir -p again/run && touch again/.calico-run again/run/ckpt && chmod 700 again
(replace_out_dir test "$PWD/again") || fail "replace_out_dir refused an earlier run's directory"
[[ -e again/.calico-run && ! -e again/run && "$(stat -c %a again)" == 700 ]] || fail "replace_out_dir did not empty and re-mark"
status=0; (replace_out_dir test "$PWD/precious") 2> err.txt || status=$?
[[ $status -eq 2 && -e precious/file ]] || fail "replace_out_dir emptied a directory that is not a run's"
echo "PASS"
