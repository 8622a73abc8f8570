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
expect_refusal "$root/quickstart" "unknown argument '--bogus'" --bogus
expect_refusal "$root/quickstart" "usage: tools/quickstart" --train-seconds=5
expect_refusal "$root/quickstart" "--train_seconds must be a positive whole number of seconds, got 'abc'" --train_seconds=abc
expect_refusal "$root/quickstart" "--train_seconds must be a positive whole number of seconds, got '0'" --train_seconds=0
expect_refusal "$root/quickstart" "--episodes must be a whole number from 1 to 1000000, got '0'" --episodes=0
# calico eval's own limit, checked before the minutes of collection and training.
expect_refusal "$root/quickstart" "--episodes must be a whole number from 1 to 1000000, got '1000001'" --episodes=1000001
expect_refusal "$root/recipe" "got '3000000000'" --episodes=3000000000
expect_refusal "$root/quickstart" "refusing --out='/'" --out=/
expect_refusal "$root/quickstart" "refusing --out=''" --out=
expect_refusal "$root/recipe" "usage: tools/recipe" extra
expect_refusal "$root/recipe" "--episodes must be a whole number from 1 to 1000000, got 'x'" --episodes=x
expect_refusal "$root/recipe" "--train_seconds must be a positive whole number of seconds, got '0'" --train_seconds=0
expect_refusal "$root/recipe" "refusing --out='/'" --out=/
expect_refusal "$root/recipe" "refusing --out=''" --vision_language --out=
expect_refusal "$root/recipe" "unknown argument '--vision_language=yes'" --vision_language=yes
expect_refusal "$root/recipe" "unknown argument '--dagger=1'" --dagger --dagger=1
expect_refusal "$root/recipe" "usage: tools/recipe .*\[--dagger\]" --dagger extra
expect_refusal "$root/recipe" "--scenes_first needs --vision_language (it trains on the scenes)" --scenes_first
expect_refusal "$root/recipe" "--colour_working needs --vision_language" --colour_working=shape_colour_lookup
expect_refusal "$root/recipe" "--colour_working must be none, caption_prefix, shape_colour_pairs or shape_colour_lookup, got 'lookup'" --vision_language --colour_working=lookup
expect_refusal "$root/recipe" "got ''" --vision_language --colour_working=
expect_refusal "$root/recipe" "--colour_questions needs --vision_language" --colour_questions=every
expect_refusal "$root/recipe" "--colour_questions must be sampled or every, got 'all'" --vision_language --colour_questions=all
expect_refusal "$root/recipe" "--colour_questions must be sampled or every, got ''" --vision_language --colour_questions=
expect_refusal "$root/recipe" "--count_existence_working needs --vision_language" --count_existence_working=shape_lookup
expect_refusal "$root/recipe" "--count_existence_working must be none or shape_lookup, got 'lookup'" --vision_language --count_existence_working=lookup
expect_refusal "$root/recipe" "--episodes= is empty; expected a whole number from 1 to 1000000" --episodes=
expect_refusal "$root/recipe" "--train_seconds= is empty; expected a positive whole number of seconds" --train_seconds=
expect_refusal "$root/quickstart" "--episodes= is empty; expected a whole number from 1 to 1000000" --episodes=
expect_refusal "$root/quickstart" "--train_seconds= is empty" --train_seconds=
expect_refusal "$root/recipe" "unknown argument '--scenes_first=1'" --vision_language --scenes_first=1
for script in quickstart recipe; do
  "$root/$script" --help > out.txt 2> err.txt || fail "$script --help exited $?"
  grep -q "usage: tools/$script" out.txt || fail "$script --help printed no usage on stdout"
done
expect_refusal "$root/fuzz" "SECONDS must be a whole number from 1 to 9999999, got 'abc'" record_reader abc
expect_refusal "$root/fuzz" "got '0'" record_reader 0
expect_refusal "$root/fuzz" "unknown target 'nope'" nope
expect_refusal "$root/setup" "usage: tools/setup" --check extra
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
# A trained recipe run is only replaced with --force, and the resume command it prints
# is quoted (a space in the path) and absolute.
mkdir -p "ear lier/run" && touch "ear lier/.calico-run" "ear lier/run/LATEST"
expect_refusal "$root/recipe" "holds a trained run; pass --force" --out="ear lier" --train_seconds=60
grep -qF -- "--datasets=$(pwd -P)/ear\\ lier/data --out=$(pwd -P)/ear\\ lier/run --resume --seconds=60" err.txt ||
  { cat err.txt; fail "recipe's resume command is not quoted, absolute and complete"; }
# With --dagger the hint also gives the round's collection, for a run paused before it.
expect_refusal "$root/recipe" "holds a trained run; pass --force" --out="ear lier" --dagger
grep -qF -- "collect --out=$(pwd -P)/ear\\ lier/data --append --learner=$(pwd -P)/ear\\ lier/run --temperature=1" err.txt ||
  { cat err.txt; fail "recipe --dagger's resume hint does not give the DAgger round's collection"; }
# Where the run recorded its config, the resume command names that record, not the
# config of the flags given now (a --scenes_first run resumed without the flag, or the reverse).
touch "ear lier/run/train_config.textproto"
expect_refusal "$root/recipe" "holds a trained run; pass --force" --out="ear lier" --vision_language --scenes_first
grep -qF -- "train --config=$(pwd -P)/ear\\ lier/run/train_config.textproto --datasets=" err.txt ||
  { cat err.txt; fail "recipe's resume command does not name the run's own config record"; }
# A directory marked by the other script is refused by name: the quickstart does not
# replace a recipe's two hours of training, nor the reverse.
mkdir -p recipe_run/run && printf 'tools/recipe' > recipe_run/.calico-run && touch recipe_run/run/LATEST
expect_refusal "$root/quickstart" "it holds a run of tools/recipe (its .calico-run marker)" --out=recipe_run
mkdir -p quick_run && printf 'tools/quickstart' > quick_run/.calico-run
expect_refusal "$root/recipe" "it holds a run of tools/quickstart" --out=quick_run
# replace_out_dir deletes only what a run writes (data/, run/, report/), keeps the
# directory's mode and anything a person put beside them, and marks it as the script's;
# it refuses (exit 2) anything check_out_dir refuses.
source "$root/lib/out_dir.sh"
mkdir -p again/run again/data again/report again/report-baseline && touch again/.calico-run again/run/ckpt again/notes.txt
chmod 700 again
(replace_out_dir test "$PWD/again") || fail "replace_out_dir refused an earlier run's directory"
[[ ! -e again/run && ! -e again/data && ! -e again/report ]] || fail "replace_out_dir left a run's entries"
[[ -d again/report-baseline && -e again/notes.txt ]] || fail "replace_out_dir deleted what a person put there"
[[ "$(cat again/.calico-run)" == test && "$(stat -c %a again)" == 700 ]] || fail "replace_out_dir did not re-mark"
status=0; (replace_out_dir test "$PWD/precious") 2> err.txt || status=$?
[[ $status -eq 2 && -e precious/file ]] || fail "replace_out_dir emptied a directory that is not a run's"
# native_build_flags keys the native build on what -march=native means on this CPU:
# the same compiler output gives the same key, another CPU's another key, and a
# compiler that cannot say is an error that names the script, not a build without a key.
source "$root/lib/native_build.sh"
fake_compiler() {  # fake_compiler NAME MARCH: a "compiler" whose -v names MARCH
  printf '#!/bin/sh\necho " cc1 -E -quiet - -march=%s -mmmx" >&2\n' "$2" > "$1" && chmod +x "$1"
}
fake_compiler avx_only sandybridge && fake_compiler avx512 cooperlake
flags_avx="$(CC="$PWD/avx_only" native_build_flags)" || fail "native_build_flags failed with a working compiler"
flags_avx_again="$(CC="$PWD/avx_only" native_build_flags)"
flags_avx512="$(CC="$PWD/avx512" native_build_flags)"
[[ "$(head -1 <<< "$flags_avx")" == --config=native ]] || fail "native_build_flags does not start with --config=native: $flags_avx"
[[ "$(sed -n 2p <<< "$flags_avx")" =~ ^--copt=-DCALICO_NATIVE_CPU_KEY=[0-9a-f]{16}$ ]] || fail "no CPU key in: $flags_avx"
[[ "$flags_avx" == "$flags_avx_again" ]] || fail "native_build_flags gave two keys for one CPU"
[[ "$flags_avx" != "$flags_avx512" ]] || fail "native_build_flags gave one key for two CPUs"
status=0; (CC=/nonexistent/cc native_build_flags tools/recipe > out.txt) 2> err.txt || status=$?
[[ $status -eq 1 && ! -s out.txt ]] || fail "native_build_flags without a compiler exited $status and printed: $(cat out.txt)"
grep -q "^tools/recipe: '/nonexistent/cc -march=native -E -v' failed" err.txt || { cat err.txt; fail "native_build_flags' error names neither the script nor the compiler"; }
# native_bazel_build passes those flags and the targets to bazel, and builds nothing
# when there is no key.
bazel() { echo "bazel $*"; }
[[ "$(CC="$PWD/avx512" native_bazel_build tools/quickstart //agent:calico //bench:all)" == \
   "bazel build $(tr '\n' ' ' <<< "$flags_avx512")//agent:calico //bench:all" ]] || fail "native_bazel_build ran: $(CC="$PWD/avx512" native_bazel_build t //agent:calico //bench:all)"
status=0; (CC=/nonexistent/cc native_bazel_build tools/quickstart //agent:calico > out.txt) 2> err.txt || status=$?
[[ $status -eq 1 && ! -s out.txt ]] || fail "native_bazel_build without a key exited $status and ran: $(cat out.txt)"
unset -f bazel
if command -v gcc > /dev/null; then
  [[ "$(native_build_flags)" == "$(native_build_flags)" ]] || fail "native_build_flags is not stable with this machine's gcc"
fi
echo "PASS"
