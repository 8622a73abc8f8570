#!/usr/bin/env bash
# tools/compare_reports: scores, the mean difference and its paired bootstrap interval on
# reports whose numbers are worked out by hand, and clear refusals of bad input.
set -euo pipefail
fail() { echo "FAIL: $*"; exit 1; }
cd "${TEST_TMPDIR:-$(mktemp -d)}"
compare="$TEST_SRCDIR/calico/tools/compare_reports"
# Task a (references 0 and 10): baseline returns 0 and 10 (score 50), candidate 2 and 12
# (score 70): every episode gains 2, so every resample differs by +20. Task b (references
# 0 and 100): 30 and 50 in both (score 40), a difference of 0 whatever the resample. So
# the mean difference is +10.0 and its interval is [+10.0, +10.0].
cat > base.json <<'JSON'
{"tasks": [
  {"task": "t/a", "returns": [0, 10], "random_reference": 0, "expert_reference": 10},
  {"task": "t/b", "returns": [30, 50], "random_reference": 0, "expert_reference": 100}]}
JSON
cat > cand.json <<'JSON'
{"tasks": [
  {"task": "t/b", "returns": [30, 50], "random_reference": 0, "expert_reference": 100},
  {"task": "t/a", "returns": [2, 12], "random_reference": 0, "expert_reference": 10}]}
JSON
"$compare" base.json cand.json --draws=200 > out.md
grep -qx '| t/a | 50.0 | 70.0 | +20.0 |' out.md || { cat out.md; fail "task a's row"; }
grep -qx '| t/b | 40.0 | 40.0 | +0.0 |' out.md || { cat out.md; fail "task b's row"; }
grep -qx '| \*\*mean\*\* | \*\*45.0\*\* | \*\*55.0\*\* | \*\*+10.0\*\* \[+10.0, +10.0\] |' out.md || { cat out.md; fail "mean row"; }
# Unpaired noise widens the interval: candidate a returns 12 then 2 (same mean, so the
# same +10.0), but a resample that draws episode 0 twice now differs by +120 or -80.
sed 's/\[2, 12\]/[12, 2]/' cand.json > swapped.json
"$compare" base.json swapped.json --draws=2000 --seed=1 > swapped.md
row="$(grep '^| \*\*mean' swapped.md)"
[[ "$row" == *'**+10.0** ['* ]] || fail "swapped mean: $row"
[[ "$row" != *'[+10.0, +10.0]'* ]] || fail "swapped interval should be wider: $row"
# The same seed gives the same interval.
"$compare" base.json swapped.json --draws=2000 --seed=1 | cmp -s - swapped.md || fail "not deterministic"

# Reports that record different action temperatures for a task say so after the table.
sed 's#"task": "t/a",#"task": "t/a", "action_temperature": 0,#' base.json > greedy.json
sed 's#"task": "t/a",#"task": "t/a", "action_temperature": 1,#' cand.json > sampled.json
"$compare" greedy.json sampled.json --draws=10 > decoding.md
grep -qx 'note: t/a acted greedy in the baseline and T=1 in the candidate' decoding.md || { cat decoding.md; fail "no decoding note"; }
! grep -q 't/b acted' decoding.md || fail "a note for t/b, whose decoding did not change"
sed 's#"task": "t/a",#"task": "t/a", "action_temperature": null,#' base.json > expert.json
"$compare" expert.json greedy.json --draws=10 > expert.md
grep -qx 'note: t/a acted without a model in the baseline and greedy in the candidate' expert.md || { cat expert.md; fail "no note against a policy without a model"; }
# No note where a report does not record temperatures (written before they were), nor
# where the decodings agree.
"$compare" base.json greedy.json --draws=10 > unrecorded.md
! grep -q 'note:' unrecorded.md || fail "a note against a report that records no temperatures"
"$compare" greedy.json greedy.json --draws=10 > same.md
! grep -q 'note:' same.md || fail "a note for identical decodings"

# Reports of suites with other names say that the pairing assumes the same seeds; the
# same name, or a report without one, gives no such note.
sed 's#^{"tasks"#{"suite": "a", "tasks"#' base.json > suite_a.json
sed 's#^{"tasks"#{"suite": "b", "tasks"#' cand.json > suite_b.json
"$compare" suite_a.json suite_b.json --draws=10 > suites.md
grep -q "note: the reports come from suites 'a' and 'b': episode i of a task is paired across them" suites.md ||
  { cat suites.md; fail "no note for reports of differently named suites"; }
"$compare" suite_a.json cand.json --draws=10 > suite_one.md
! grep -q 'come from suites' suite_one.md || fail "a suite note against a report that names no suite"
# Recorded first seeds: equal ones pair without a note whatever the suites' names, other
# ones are refused.
sed 's#^{"suite": "a",#{"suite": "a", "first_seed": 1000000,#' suite_a.json > seed_a.json
sed 's#^{"suite": "b",#{"suite": "b", "first_seed": 1000000,#' suite_b.json > seed_b.json
"$compare" seed_a.json seed_b.json --draws=10 > seeds.md
! grep -q 'come from suites' seeds.md || { cat seeds.md; fail "a suite note where both record the same first seed"; }
sed 's#"first_seed": 1000000#"first_seed": 5000000#' seed_b.json > seed_c.json
status=0; "$compare" seed_a.json seed_c.json > /dev/null 2> err.txt || status=$?
[[ $status -eq 2 ]] && grep -q "the reports' episodes played other seeds (first_seed 1000000 in seed_a.json, 5000000 in seed_c.json)" err.txt ||
  { cat err.txt; fail "reports of other first seeds were paired"; }
# --help prints the usage; a directory is named as one; huge numbers are refused, not a traceback.
"$compare" --help > help.txt || fail "--help exited $?"
grep -q "tools/compare_reports BASELINE/report.json CANDIDATE/report.json" help.txt || fail "--help printed no usage"
mkdir -p adir
status=0; "$compare" adir cand.json > /dev/null 2> err.txt || status=$?
[[ $status -eq 2 ]] && grep -q "adir is a directory; pass the report.json in it" err.txt || { cat err.txt; fail "a directory"; }
status=0; "$compare" base.json cand.json --seed="$(printf '9%.0s' {1..5000})" > /dev/null 2> err.txt || status=$?
[[ $status -eq 2 ]] && grep -q "at most 30 digits" err.txt || { cat err.txt; fail "a 5,000-digit seed"; }
! grep -q Traceback err.txt || fail "a traceback"

# Reports whose tasks were prompted differently say so too; unrecorded prompts give no note.
sed 's#"task": "t/b",#"task": "t/b", "prompt": null,#' base.json > unprompted.json
sed 's#"task": "t/b",#"task": "t/b", "prompt": {"dataset": "/d", "seed": 7, "policy": "expert", "steps": 99, "return": 5},#' cand.json > prompted.json
"$compare" unprompted.json prompted.json --draws=10 > prompt.md
grep -qx 'note: t/b was prompted with none in the baseline and the episode of seed 7 (99 steps) from /d in the candidate' prompt.md || { cat prompt.md; fail "no prompt note"; }
! grep -q 't/a was prompted' prompt.md || fail "a prompt note for t/a, which records no prompt"
sed 's#"seed": 7#"seed": 8#' prompted.json > prompted8.json
"$compare" prompted.json prompted8.json --draws=10 > prompt8.md
grep -q 'note: t/b was prompted with the episode of seed 7 (99 steps) from /d in the baseline and the episode of seed 8' prompt8.md || { cat prompt8.md; fail "no note for another prompt episode"; }
"$compare" prompted.json prompted.json --draws=10 > prompt_same.md
! grep -q 'note:' prompt_same.md || fail "a note for identical prompts"
"$compare" base.json prompted.json --draws=10 > prompt_unrecorded.md
! grep -q 'note:' prompt_unrecorded.md || fail "a note against a report that records no prompts"

expect_refusal() {  # expect_refusal EXPECTED_MESSAGE ARGS...
  local expected="$1"; shift
  local status=0
  "$compare" "$@" > out.txt 2> err.txt || status=$?
  [[ $status -eq 2 ]] || { cat out.txt err.txt; fail "$* exited $status, expected 2"; }
  grep -qF -- "$expected" err.txt || { cat err.txt; fail "$* did not say '$expected'"; }
}
sed 's#"task": "t/a",#"task": "t/a", "action_temperature": "hot",#' base.json > hot.json
expect_refusal "hot.json: task t/a has action_temperature 'hot', not a number or null" hot.json base.json
sed 's#"task": "t/b",#"task": "t/b", "prompt": {"dataset": "/d", "seed": "x", "steps": 1},#' base.json > badprompt.json
expect_refusal "badprompt.json: task t/b has a prompt whose dataset is not text or whose seed or steps are not whole numbers" badprompt.json base.json
sed 's#"task": "t/b",#"task": "t/b", "prompt": 3,#' base.json > badprompt2.json
expect_refusal "badprompt2.json: task t/b has a prompt that is not null or an object with dataset, seed and steps" badprompt2.json base.json
expect_refusal "needs two report.json files" base.json
expect_refusal "cannot read missing.json" base.json missing.json
echo 'not json' > bad.json
expect_refusal "bad.json is not JSON" base.json bad.json
echo '{"tasks": []}' > empty.json
expect_refusal "empty.json has no control tasks" empty.json base.json
sed 's#t/b#t/c#' cand.json > other.json
expect_refusal "different tasks (in one only: t/b, t/c)" base.json other.json
sed 's/\[30, 50\]/[30, 50, 40]/' cand.json > longer.json
expect_refusal "task t/b has 2 episodes in base.json and 3 in longer.json" base.json longer.json
expect_refusal "--draws must be a whole number in [1, 10000000], got '0'" base.json cand.json --draws=0
expect_refusal "--draws must be a whole number in [1, 10000000], got '²'" base.json cand.json --draws=²
# Work is bounded: 10,000,000 draws over 200 episodes would take hours.
python3 -c 'import json; print(json.dumps({"tasks": [{"task": "t/a", "returns": [1] * 200, "random_reference": 0, "expert_reference": 2}]}))' > many.json
expect_refusal "10000000 draws over 200 episodes are 2000000000 resamples, more than the 200000000 this script does in about two minutes; pass --draws=1000000 or fewer" many.json many.json --draws=10000000
# Values that are not what calico writes: refused by name, never a traceback.
sed 's/\[0, 10\]/[NaN, 10]/' base.json > nan.json
expect_refusal "nan.json holds NaN, which JSON does not allow" nan.json cand.json
sed 's/\[0, 10\]/[true, 10]/' base.json > bool.json
expect_refusal "bool.json: task t/a has returns that are not a list of finite numbers" bool.json cand.json
sed 's/\[0, 10\]/"010"/' base.json > text.json
expect_refusal "text.json: task t/a has returns that are not a list of finite numbers" text.json cand.json
sed "s/\[0, 10\]/[1$(printf '0%.0s' $(seq 400)), 10]/" base.json > big.json
expect_refusal "big.json: task t/a has returns that are not a list of finite numbers" big.json cand.json
sed 's/"expert_reference": 10}/"expert_reference": true}/' base.json > boolref.json
expect_refusal "boolref.json: task t/a has a random or expert reference that is not a finite number" boolref.json cand.json
sed 's#"task": "t/b"#"task": "t/a"#' base.json > twice.json
expect_refusal "twice.json: task t/a is listed twice" twice.json cand.json
sed 's#"task": "t/a"#"task": ["t/a"]#' base.json > listname.json
expect_refusal "listname.json: a task's name is ['t/a'], not text" listname.json cand.json
printf '\xff\xfe{}' > latin.json
expect_refusal "latin.json is not UTF-8 text" latin.json cand.json
python3 -c 'print("[" * 100000)' > deep.json
expect_refusal "deep.json" deep.json cand.json
mkfifo pipe.json
expect_refusal "pipe.json is not a regular file" pipe.json cand.json
expect_refusal "unknown flag --bogus" base.json cand.json --bogus
echo PASS
