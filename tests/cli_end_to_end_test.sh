#!/usr/bin/env bash
# The calico commands end to end, as a person runs them: list tasks, roll out experts with
# a video, collect a dataset from two tasks (one from pixels), append to it, inspect it,
# damage it and inspect again, evaluate on a suite with a report, write a vision-language
# scenes dataset with PNGs, train on control and scenes data together, and the clear
# errors of bad requests.
set -euo pipefail
calico=agent/calico
tmp="${TEST_TMPDIR:-$(mktemp -d)}"

fail() { echo "FAIL: $*"; exit 1; }
expect_failure() {  # expect_failure EXPECTED_MESSAGE ARGS...
  local expected="$1"; shift
  local status=0
  "$calico" "$@" > "$tmp/out" 2> "$tmp/err" || status=$?
  [[ $status -eq 1 || $status -eq 2 ]] || { cat "$tmp/err"; fail "calico $* exited $status"; }
  grep -q -- "$expected" "$tmp/err" || { cat "$tmp/err"; fail "calico $* did not say '$expected'"; }
}

"$calico" envs > "$tmp/envs"
grep -q "^26 tasks" "$tmp/envs" || fail "envs did not list 26 tasks"
grep -q "mujoco/cartpole_swingup_pixels" "$tmp/envs" || fail "envs misses a pixels task"
grep -q "observation pixels: uint8 \[64, 64, 3\]" "$tmp/envs" || fail "envs misses the pixel spec"

"$calico" rollout --task=mujoco/cartpole_balance --episodes=2 --video="$tmp/balance.gif" --video_size=64x96 > "$tmp/rollout"
grep -q "normalised score" "$tmp/rollout" || fail "rollout printed no score"
head -c 6 "$tmp/balance.gif" | grep -q "GIF89a" || fail "rollout video is not a GIF"
# A video path that cannot be written fails before the episodes (breakout would take minutes).
expect_failure "video: cannot write '$tmp/no/such/dir/x.gif': its directory" \
    rollout --task=arcade/breakout --episodes=1000 --video="$tmp/no/such/dir/x.gif"
grep -q "episode 1/" "$tmp/out" && fail "rollout ran episodes before refusing its video path"
"$calico" rollout --task=arcade/breakout --policy=random --episodes=3 > "$tmp/random"
grep -q "random policy, 3 episodes" "$tmp/random" || fail "random rollout summary missing"

"$calico" collect --task=mujoco/point_mass_easy_pixels,arcade/freeway --episodes=3 --out="$tmp/data" > "$tmp/collect"
grep -q "wrote 6 episodes" "$tmp/collect" || { cat "$tmp/collect"; fail "collect did not write 6 episodes"; }
"$calico" collect --task=arcade/freeway --episodes=2 --seed=10 --append --filter=0.8 --out="$tmp/data" > "$tmp/append"
# The filter's count and the kept episodes add up to the 2 run, and inspect lists the kept.
summary=$(grep -E "^wrote [0-9]+ episodes \([0-9]+ steps\) to .*; [0-9]+ dropped by the return filter" "$tmp/append") ||
  { cat "$tmp/append"; fail "the append printed no summary"; }
kept=$(sed -E 's/^wrote ([0-9]+) episodes.*/\1/' <<< "$summary")
dropped=$(sed -E 's/.*; ([0-9]+) dropped.*/\1/' <<< "$summary")
(( kept + dropped == 2 )) || fail "the append kept $kept and dropped $dropped of 2 episodes"
"$calico" inspect "$tmp/data" > "$tmp/inspect"
grep -q "^OK: " "$tmp/inspect" || { cat "$tmp/inspect"; fail "inspect of a fresh dataset is not OK"; }
grep -qE "^arcade/freeway +$((3 + kept)) " "$tmp/inspect" || { cat "$tmp/inspect"; fail "inspect does not list 3 + $kept freeway episodes"; }
grep -qE "^mujoco/point_mass_easy_pixels +3 " "$tmp/inspect" || fail "inspect misses a task"
expect_failure "$tmp/missing.model" inspect "$tmp/data" --text_model="$tmp/missing.model"
expect_failure "already holds a dataset" collect --task=arcade/freeway --episodes=1 --out="$tmp/data"

shard=$(ls "$tmp/data"/shard-*arcade_freeway*.tfrecord | head -1)
printf '\x01' | dd of="$shard" bs=1 seek=40 conv=notrunc status=none
status=0
"$calico" inspect "$tmp/data" > "$tmp/inspect2" || status=$?
[[ $status -eq 1 ]] || fail "inspect of a damaged dataset exited $status"
grep -q "records fail their CRC" "$tmp/inspect2" || { cat "$tmp/inspect2"; fail "damage not reported"; }

cat > "$tmp/suite.textproto" <<'SUITE'
name: "e2e"
episodes: 3
tasks { task: "mujoco/cartpole_balance" }
tasks { task: "arcade/freeway" }
SUITE
"$calico" eval --suite="$tmp/suite.textproto" --report="$tmp/report" > "$tmp/eval"
# On the seeds the shipped references were measured on (0..49), the expert scores 100
# and the random policy 0 (to a hundredth: the references are stored to four decimals).
cat > "$tmp/reference_suite.textproto" <<'SUITE'
name: "references"
episodes: 50
first_seed: 0
tasks { task: "mujoco/acrobot_swingup" }
tasks { task: "mujoco/point_mass_easy" }
SUITE
for policy in expert random; do
  "$calico" eval --suite="$tmp/reference_suite.textproto" --policy=$policy --report="$tmp/reference_$policy" > /dev/null
  want=0; [[ $policy == expert ]] && want=100
  scores="$(grep -o '"score": {"value": [-0-9.e+]*' "$tmp/reference_$policy/report.json" | cut -d' ' -f3)"
  [[ $(wc -l <<< "$scores") -eq 2 ]] || fail "expected two task scores for $policy, got: $scores"
  for score in $scores; do
    awk -v s="$score" -v w="$want" 'BEGIN { d = s - w; exit !(d < 0.01 && d > -0.01) }' ||
      fail "$policy scored $score on the reference seeds, expected $want"
  done
done
grep -q "| \*\*IQM\*\* |" "$tmp/eval" || fail "eval printed no IQM"
for f in report.json report.md report.html videos/arcade_freeway.gif; do
  [[ -s "$tmp/report/$f" ]] || fail "report file $f missing"
done

# A vision-language dataset of rendered scenes, with PNGs to look at.
"$calico" scenes --out="$tmp/scenes" --episodes=4 --png="$tmp/scenes_png" > "$tmp/scenes_out"
grep -q "wrote 4 episodes (20 scenes 64x64, seeds 0..19, training set)" "$tmp/scenes_out" || { cat "$tmp/scenes_out"; fail "scenes summary"; }
head -c 8 "$tmp/scenes_png/scene-19.png" | grep -q "PNG" || fail "scenes wrote no PNG"
grep -q "^scene-6.png	6	caption: .* q: .* a: " "$tmp/scenes_png/index.tsv" || { cat "$tmp/scenes_png/index.tsv"; fail "scenes index"; }
"$calico" inspect "$tmp/scenes" > "$tmp/scenes_inspect"
grep -q "scenes/caption" "$tmp/scenes_inspect" && grep -q "scenes/vqa" "$tmp/scenes_inspect" || fail "scenes tasks missing"
expect_failure "held-out evaluation range" scenes --out="$tmp/scenes2" --episodes=4 --first_seed=999999
expect_failure "uses seeds >= 1000000" scenes --out="$tmp/scenes2" --episodes=4 --eval_set
expect_failure "multiple of 16" scenes --out="$tmp/scenes2" --size=50
expect_failure "caption, vqa, mixed or vqa_text" scenes --out="$tmp/scenes2" --kind=poems
expect_failure "already holds a dataset" scenes --out="$tmp/scenes" --episodes=1
expect_failure "needs --out" scenes
# --colour_working: colour answers after the caption up to the shape asked about, or
# after every object's shape and colour (then the asked shape and its colour again).
"$calico" scenes --out="$tmp/scenes_cw" --episodes=2 --kind=vqa --colour_working=caption_prefix --png="$tmp/scenes_cw_png" > /dev/null
grep -q "what colour is the \([a-z]*\)? a: a [a-z ]* \1, so [a-z]*" "$tmp/scenes_cw_png/index.tsv" || { cat "$tmp/scenes_cw_png/index.tsv"; fail "no colour answer after its caption prefix"; }
"$calico" scenes --out="$tmp/scenes_cp" --episodes=2 --kind=vqa --colour_working=shape_colour_pairs --png="$tmp/scenes_cp_png" > /dev/null
grep -q "what colour is the \([a-z]*\)? a: [a-z ]*\1 \([a-z]*\)[a-z ]*, so \2\( q:\|$\)" "$tmp/scenes_cp_png/index.tsv" || { cat "$tmp/scenes_cp_png/index.tsv"; fail "no colour answer after its shape-colour pairs"; }
"$calico" scenes --out="$tmp/scenes_cl" --episodes=2 --kind=vqa --colour_working=shape_colour_lookup --png="$tmp/scenes_cl_png" > /dev/null
grep -q "what colour is the \([a-z]*\)? a: [a-z ]*\1 \([a-z]*\)[a-z ]*, \1 \2, so \2\( q:\|$\)" "$tmp/scenes_cl_png/index.tsv" || { cat "$tmp/scenes_cl_png/index.tsv"; fail "no colour answer after its pairs and the asked pair"; }
expect_failure "working form 'shape_colour_lookup'.*use --colour_working=shape_colour_lookup" scenes --out="$tmp/scenes_cl" --append --first_seed=500 --episodes=2 --kind=vqa --colour_working=shape_colour_pairs
expect_failure "expected none, caption_prefix, shape_colour_pairs or shape_colour_lookup" scenes --out="$tmp/scenes2" --colour_working=yes
expect_failure "working form 'caption_prefix'.*use --colour_working=caption_prefix" scenes --out="$tmp/scenes_cw" --append --first_seed=500 --episodes=2 --kind=vqa
grep -q "what colour is the [a-z]*? a: [a-z]*\( q:\|$\)" "$tmp/scenes_png/index.tsv" || { cat "$tmp/scenes_png/index.tsv"; fail "colour answers without --colour_working"; }
# --count_existence_working=shape_lookup: count and existence answers after the pairs and
# those of the shape asked about ("no <shape>" where there is none).
"$calico" scenes --out="$tmp/scenes_ce" --episodes=4 --kind=vqa --count_existence_working=shape_lookup --png="$tmp/scenes_ce_png" > /dev/null
grep -q "how many \([a-z]*\)e\?s are there? a: [a-z ]*, \(no \1\|\1 [a-z ]*\), so \(zero\|one\|two\|three\|four\)\( q:\|$\)" "$tmp/scenes_ce_png/index.tsv" || { cat "$tmp/scenes_ce_png/index.tsv"; fail "no count answer after its working"; }
grep -q "is there an\? [a-z]* \([a-z]*\)? a: [a-z ]*, \(no \1\|\1 [a-z ]*\), so \(yes\|no\)\( q:\|$\)" "$tmp/scenes_ce_png/index.tsv" || { cat "$tmp/scenes_ce_png/index.tsv"; fail "no existence answer after its working"; }
expect_failure "written with --count_existence_working=shape_lookup.*use --count_existence_working=shape_lookup" scenes --out="$tmp/scenes_ce" --append --first_seed=500 --episodes=2 --kind=vqa
expect_failure "count and existence working 'yes'; expected none or shape_lookup" scenes --out="$tmp/scenes2" --count_existence_working=yes
# A VQA text too long for the space a large image leaves is found before any rendering.
expect_failure "vqa episode 1 (scene seeds from 5), checked before writing: .*at most 512 fit.*nothing was written" scenes --out="$tmp/scenes_big" --size=352 --episodes=2
[[ ! -e "$tmp/scenes_big" ]] || fail "a refused scenes run left its --out"
# Appending with the same PNG directory keeps the earlier scenes in its index.
"$calico" scenes --out="$tmp/scenes" --append --first_seed=500 --episodes=1 --png="$tmp/scenes_png" > /dev/null
grep -q "^scene-6.png	6	" "$tmp/scenes_png/index.tsv" && grep -q "^scene-504.png	504	" "$tmp/scenes_png/index.tsv" || { cat "$tmp/scenes_png/index.tsv"; fail "the appended index lost or lacks scenes"; }
# Ctrl-C keeps the finished episodes, listed in the manifest.
"$calico" scenes --out="$tmp/scenes_int" --episodes=100000 --threads=1 > "$tmp/scenes_int_out" 2>&1 &
scenes_pid=$!
for _ in $(seq 600); do grep -q "^scenes: 100/" "$tmp/scenes_int_out" 2>/dev/null && break; sleep 0.1; done
kill -INT "$scenes_pid"
# It saves its work, then ends by the signal (status 130), so a calling script stops too.
scenes_status=0
wait "$scenes_pid" || scenes_status=$?
[[ $scenes_status -eq 130 ]] || { cat "$tmp/scenes_int_out"; fail "scenes stopped by SIGINT exited $scenes_status, expected 130"; }
grep -q "stopped on request" "$tmp/scenes_int_out" || { cat "$tmp/scenes_int_out"; fail "no stop note"; }
"$calico" inspect "$tmp/scenes_int" | grep -q "^OK: " || fail "the interrupted scenes dataset does not inspect OK"

# Train a nano model for a few updates on fresh control data and the scenes, then act.
# Flags a command would ignore, contradictory ones and counts out of range: refused
# before any work.
expect_failure "--first_seed is not used by collect (scenes takes it)" collect --task=arcade/freeway --first_seed=5 --out="$tmp/never"
expect_failure "--noise is not used by rollout" rollout --task=arcade/freeway --noise=0.5
expect_failure "with the random policy: its actions are random already" collect --task=arcade/freeway --policy=random --noise=0.5 --out="$tmp/random_noise"
expect_failure "--episodes is 0; expected a count in \[1, 1000000\]" rollout --task=arcade/freeway --episodes=0
expect_failure "--temperature sets how a transformer acts; it needs --checkpoint" rollout --task=arcade/freeway --temperature=1
expect_failure "--context sets how a transformer acts; it needs --checkpoint" eval --suite="$tmp/suite.textproto" --context=100
expect_failure "--policy and --checkpoint both name the policy" eval --suite="$tmp/suite.textproto" --policy=random --checkpoint="$tmp/x"
expect_failure "--video_size needs --video" rollout --task=arcade/freeway --video_size=10x10
expect_failure "reaches seed 1000000, where the evaluation suites' held-out episodes start" collect --task=arcade/freeway --seed=999995 --out="$tmp/never"
expect_failure "--question is not used by caption (ask takes it)" caption --checkpoint="$tmp/x" --image=x.png --question=what
echo "--episodes=-5" > "$tmp/flags"
expect_failure "--flagfile is not supported" collect --task=arcade/freeway --flagfile="$tmp/flags" --out="$tmp/never"
expect_failure "task 'arcade/freeway' is named twice" collect --task=arcade/freeway,arcade/freeway --out="$tmp/never"
expect_failure "runs past the largest seed" rollout --task=arcade/freeway --seed=18446744073709551615 --episodes=2
expect_failure "size 368 gives 529 image patches" scenes --out="$tmp/never" --size=368
# An empty value would read as "not given" to the command and as given to the checks.
expect_failure "--learner is empty; give it a value or leave it out" collect --task=mujoco/cartpole_balance --learner= --temperature=1 --out="$tmp/never"
expect_failure "--checkpoint is empty" rollout --task=mujoco/cartpole_balance --checkpoint= --temperature=1
# text-model writes a regular file; a device or pipe at --out is refused, not replaced.
mkfifo "$tmp/fifo.model"
expect_failure "--out: '$tmp/fifo.model' is not a regular file" text-model --out="$tmp/fifo.model"
[[ -p "$tmp/fifo.model" ]] || fail "text-model replaced a FIFO"
[[ ! -e "$tmp/never" ]] || fail "a refused command wrote its --out"
"$calico" collect --task=mujoco/cartpole_balance,arcade/freeway --episodes=2 --out="$tmp/train_data" > /dev/null
cat > "$tmp/train.textproto" <<TRAIN
datasets: "$tmp/train_data"
datasets: "$tmp/scenes"
preset: "nano"
batch_size: 2
sequence_length: 256
max_steps: 6
checkpoint_every_steps: 3
log_every_steps: 2
output_dir: "$tmp/run"
TRAIN
"$calico" train --config="$tmp/train.textproto" > "$tmp/train"
grep -q "after 6 updates" "$tmp/train" || { cat "$tmp/train"; fail "train did not finish 6 updates"; }
[[ -f "$tmp/run/LATEST" && -s "$tmp/run/metrics.jsonl" ]] || fail "train left no LATEST or metrics"
"$calico" train --config="$tmp/train.textproto" --steps=8 --resume > "$tmp/resume"
grep -q "after 8 updates" "$tmp/resume" || { cat "$tmp/resume"; fail "resume did not continue to 8 updates"; }
expect_failure "already holds a run (LATEST); resume it" train --config="$tmp/train.textproto"
# A run, a dataset and a report each keep a directory of their own.
expect_failure "holds a dataset (MANIFEST.textproto); write the run to a directory of its own" \
    train --config="$tmp/train.textproto" --out="$tmp/train_data"
[[ ! -e "$tmp/train_data/LATEST" ]] || fail "train wrote a run into a dataset"
expect_failure "holds a training run (LATEST); write the dataset to a directory of its own" \
    collect --task=arcade/freeway --episodes=1 --out="$tmp/run"
[[ ! -e "$tmp/run/MANIFEST.textproto" ]] || fail "collect wrote a dataset into a run"
expect_failure "report: '$tmp/train_data' holds a dataset (MANIFEST.textproto)" \
    eval --suite="$tmp/suite.textproto" --episodes=1 --report="$tmp/train_data"
[[ ! -e "$tmp/train_data/videos" ]] || fail "eval wrote into a dataset"
expect_failure "--steps is the total number of updates a run ends at, not a number to add" \
    train --config="$tmp/train.textproto" --resume --steps=+2
# The checkpoints record their text model: resuming with another is refused by name.
"$calico" text-model --out="$tmp/other_text.model" --vocab_size=300 > /dev/null
# text-model replaces an earlier text model, and nothing else.
"$calico" text-model --out="$tmp/other_text.model" --vocab_size=300 > /dev/null || fail "text-model did not replace its own model"
cp "$tmp/train.textproto" "$tmp/not_a_model"
expect_failure "--out: '$tmp/not_a_model' exists and is not a text model" text-model --out="$tmp/not_a_model"
cmp -s "$tmp/train.textproto" "$tmp/not_a_model" || fail "text-model replaced a file that was not a text model"
expect_failure "resume with the text model the run began with" train --config="$tmp/train.textproto" --steps=10 --resume --text_model="$tmp/other_text.model"
# Flags stand in for fields the file leaves out, and the schedule's defaults follow --steps.
printf 'preset: "nano"\nbatch_size: 2\nsequence_length: 256\n' > "$tmp/bare.textproto"
"$calico" train --config="$tmp/bare.textproto" --datasets="$tmp/train_data" --out="$tmp/bare_run" --steps=2 > "$tmp/bare"
grep -q "done after 2 updates" "$tmp/bare" || { cat "$tmp/bare"; fail "a config completed by flags did not train"; }
# A pause half way (DAgger rounds go between the parts), then the rest of the schedule.
"$calico" train --config="$tmp/bare.textproto" --datasets="$tmp/train_data" --out="$tmp/pause_run" --steps=4 --stop_at=50% > "$tmp/pause"
grep -q "paused as asked after 2 updates" "$tmp/pause" || { cat "$tmp/pause"; fail "--stop_at=50% did not pause after 2 of 4 updates"; }
"$calico" train --config="$tmp/bare.textproto" --datasets="$tmp/train_data" --out="$tmp/pause_run" --steps=4 --resume > "$tmp/pause"
grep -q "done after 4 updates (2 in this run)" "$tmp/pause" || { cat "$tmp/pause"; fail "the paused run did not resume to 4 updates"; }
expect_failure "--stop_at=100%: expected a percentage of the run's updates in (0%, 100%)" train --config="$tmp/bare.textproto" --datasets="$tmp/train_data" --out="$tmp/pause_bad" --steps=4 --stop_at=100%
expect_failure "--stop_at=2x: expected an update number >= 1" train --config="$tmp/bare.textproto" --datasets="$tmp/train_data" --out="$tmp/pause_bad" --steps=4 --stop_at=2x
expect_failure "--stop_at=0: expected an update number >= 1" train --config="$tmp/bare.textproto" --datasets="$tmp/train_data" --out="$tmp/pause_bad" --steps=4 --stop_at=0
expect_failure "--stop_at=99999999999999999999: the update number is too large" train --config="$tmp/bare.textproto" --datasets="$tmp/train_data" --out="$tmp/pause_bad" --steps=4 --stop_at=99999999999999999999
[[ ! -e "$tmp/pause_bad" ]] || fail "a refused --stop_at left a run directory"
grep -q "decay_steps: 2$" "$tmp/bare_run/train_config.textproto" || fail "decay_steps did not follow --steps"
# The run's record given back as the config: its filled-in defaults follow --steps again
# (decay_steps 4, not the recorded 2), and a record copied with its run names the run it
# came from unless --out says otherwise.
cp -r "$tmp/bare_run" "$tmp/bare_copy"
"$calico" train --config="$tmp/bare_copy/train_config.textproto" --steps=2 --resume > "$tmp/bare"
grep -q "is the record of the run in $tmp/bare_run, which this invocation trains" "$tmp/bare" ||
  { cat "$tmp/bare"; fail "a record away from its run did not name the run it trains"; }
"$calico" train --config="$tmp/bare_copy/train_config.textproto" --out="$tmp/bare_copy" --resume --steps=4 > "$tmp/bare"
grep -q "done after 4 updates (2 in this run)" "$tmp/bare" || { cat "$tmp/bare"; fail "the record did not resume its copy to 4 updates"; }
grep -q "decay_steps: 4$" "$tmp/bare_copy/train_config.textproto" || fail "a record given back kept its decay_steps against --steps"
# The record holds absolute paths, so it names the same data and run from anywhere.
calico_path="$(pwd)/$calico"
(cd "$tmp" && "$calico_path" train --config=bare.textproto --datasets=train_data --out=rel_run --steps=1 > /dev/null)
grep -q "output_dir: \"$(cd "$tmp" && pwd -P)/rel_run\"" "$tmp/rel_run/train_config.textproto" ||
  { cat "$tmp/rel_run/train_config.textproto"; fail "the record keeps a relative output_dir"; }
expect_failure "datasets is missing" train --config="$tmp/bare.textproto" --out="$tmp/bare_run2" --steps=2
expect_failure "--steps must be >= 0" train --config="$tmp/bare.textproto" --steps=-1
checkpoint="$tmp/run/$(cat "$tmp/run/LATEST")"
# Episodes recorded under a task's name with other specs (an older calico's) are refused
# by train and flagged by inspect, naming the difference.
cp -r "$tmp/train_data" "$tmp/old_specs"
python3 - "$tmp/old_specs/MANIFEST.textproto" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
old = 'name: "position"\n    shape: 3'
assert old in text, "the cartpole position spec is not in the manifest"
open(path, "w").write(text.replace(old, 'name: "position"\n    shape: 4', 1))
PY
expect_failure "its episodes of 'mujoco/cartpole_balance' do not fit that task (observation 'position' is float32\[4\] in the dataset, float32\[3\] in the task)" \
    train --config="$tmp/bare.textproto" --datasets="$tmp/old_specs" --out="$tmp/old_specs_run" --steps=2
[[ ! -e "$tmp/old_specs_run" ]] || fail "train started a run on episodes with other specs"
status=0
"$calico" inspect "$tmp/old_specs" > "$tmp/inspect_specs" || status=$?
[[ $status -eq 1 ]] && grep -q "^UNUSABLE: .*do not fit that task" "$tmp/inspect_specs" ||
  { cat "$tmp/inspect_specs"; fail "inspect did not flag episodes with other specs (exit $status)"; }
"$calico" rollout --task=arcade/freeway --checkpoint="$checkpoint" --episodes=1 > "$tmp/acted"
# A checkpoint given as a pipe is refused by name, not read (an endless one filled memory).
expect_failure "is not a regular file (a pipe or a device)" rollout --task=mujoco/cartpole_balance --checkpoint=<(cat /dev/zero)
# More environments at once than the KV caches fit in memory: refused with the size.
# (Not under AddressSanitizer, whose shadow memory exceeds any such limit.)
if [[ -z "${CALICO_ASAN:-}" ]]; then
  # One OpenMP thread and two malloc arenas: address space a many-core machine would
  # reserve for them is not what this checks.
  (ulimit -v 800000; export OMP_NUM_THREADS=1 MALLOC_ARENA_MAX=2
   expect_failure "KV cache: 4096 sequences of 256 positions with model nano need" \
      rollout --task=arcade/freeway --checkpoint="$checkpoint" --batch=4096 --episodes=4096)
fi
grep -q "mean return" "$tmp/acted" || fail "rollout with a checkpoint printed no return"
"$calico" eval --suite="$tmp/suite.textproto" --checkpoint="$checkpoint" --episodes=1 > "$tmp/eval_ckpt"
grep -q "| \*\*IQM\*\* |" "$tmp/eval_ckpt" || fail "eval with a checkpoint printed no IQM"
grep -q "| arcade/freeway | greedy | " "$tmp/eval_ckpt" || { cat "$tmp/eval_ckpt"; fail "eval's table does not say how actions were decoded"; }
# --prompts: each task's first episode in the dataset prompts its policy, and the report
# says which; a task the dataset lacks acts without one.
printf 'name: "p" episodes: 1\ntasks { task: "mujoco/cartpole_balance" }\ntasks { task: "mujoco/point_mass_easy" }\n' > "$tmp/prompt_suite.textproto"
"$calico" eval --suite="$tmp/prompt_suite.textproto" --checkpoint="$checkpoint" --prompts="$tmp/train_data" --report="$tmp/prompt_report" > "$tmp/eval_prompt"
grep -q "note: mujoco/cartpole_balance is prompted with the first episode of it in $tmp/train_data (seed [0-9]*, 1000 steps, return " "$tmp/eval_prompt" || { cat "$tmp/eval_prompt"; fail "no note of the prompt"; }
grep -q "note: $tmp/train_data holds no episode of mujoco/point_mass_easy; it acts without a prompt" "$tmp/eval_prompt" || { cat "$tmp/eval_prompt"; fail "no note of the missing prompt"; }
grep -q "warning: .*ckpt-[0-9]* was not trained on mujoco/point_mass_easy (it was trained on .*arcade/freeway.*); it acts there all the same" "$tmp/eval_prompt" || { cat "$tmp/eval_prompt"; fail "no warning that the checkpoint never saw point_mass_easy"; }
grep -q "| mujoco/cartpole_balance | greedy | seed [0-9]*, 1000 steps, return [0-9.]* | " "$tmp/eval_prompt" || { cat "$tmp/eval_prompt"; fail "the table does not show the prompt"; }
grep -q "| mujoco/point_mass_easy | greedy | none | " "$tmp/eval_prompt" || { cat "$tmp/eval_prompt"; fail "the table does not show the unprompted task"; }
grep -q "\"task\": \"mujoco/cartpole_balance\", .*\"prompt\": {\"dataset\": \"$tmp/train_data\", \"seed\": [0-9]*, \"policy\": \"expert\", \"steps\": 1000, " "$tmp/prompt_report/report.json" || fail "report.json lacks cartpole's prompt"
grep -q '"task": "mujoco/point_mass_easy", .*"prompt": null,' "$tmp/prompt_report/report.json" || fail "report.json lacks point_mass's missing prompt"
expect_failure "--prompts sets how a transformer acts; it needs --checkpoint" eval --suite="$tmp/prompt_suite.textproto" --prompts="$tmp/train_data"
# A suite may set a task's temperature; the report records the one each task used.
printf 'name: "t" episodes: 1\ntasks { task: "arcade/freeway" temperature: 0 }\ntasks { task: "mujoco/cartpole_balance" }\n' > "$tmp/temp_suite.textproto"
"$calico" eval --suite="$tmp/temp_suite.textproto" --checkpoint="$checkpoint" --temperature=0.5 --report="$tmp/temp_report" > "$tmp/eval_temp"
grep -q "note: arcade/freeway acts at temperature 0, set in the suite" "$tmp/eval_temp" || { cat "$tmp/eval_temp"; fail "no note of the suite's temperature"; }
grep -q "| arcade/freeway | greedy | " "$tmp/eval_temp" || { cat "$tmp/eval_temp"; fail "freeway not greedy"; }
grep -q "| mujoco/cartpole_balance | T=0.5 | " "$tmp/eval_temp" || { cat "$tmp/eval_temp"; fail "cartpole not at --temperature"; }
grep -q '"task": "arcade/freeway", .*"action_temperature": 0,' "$tmp/temp_report/report.json" || fail "report.json lacks freeway's temperature"
"$calico" eval --suite="$tmp/temp_suite.textproto" --policy=expert > "$tmp/eval_temp_expert"
grep -q "note: the suite's temperature for arcade/freeway applies to a checkpoint's actions; policy expert ignores it" "$tmp/eval_temp_expert" || { cat "$tmp/eval_temp_expert"; fail "no note that the expert ignores the temperature"; }
# The suite's temperature is the one the policy acts at: greedy cartpole returns the same
# whatever --seed seeds the sampling, while at --temperature=1e6 (uniform) it does not.
printf 'name: "c" episodes: 2\ntasks { task: "mujoco/cartpole_balance" temperature: 0 }\n' > "$tmp/greedy_suite.textproto"
printf 'name: "c" episodes: 2\ntasks { task: "mujoco/cartpole_balance" }\n' > "$tmp/default_suite.textproto"
for suite in greedy default; do
  for seed in 1 2; do
    "$calico" eval --suite="$tmp/${suite}_suite.textproto" --checkpoint="$checkpoint" --temperature=1e6 --seed=$seed --report="$tmp/${suite}_$seed" > /dev/null
    grep -o '"returns": \[[^]]*\]' "$tmp/${suite}_$seed/report.json" > "$tmp/${suite}_$seed.returns"
  done
done
cmp -s "$tmp/greedy_1.returns" "$tmp/greedy_2.returns" || fail "the suite's temperature 0 did not make the actions greedy"
# Those suites play seeds 0 and 1, where collect records demonstrations: eval says so.
"$calico" eval --suite="$tmp/greedy_suite.textproto" --checkpoint="$checkpoint" > "$tmp/eval_low_seeds"
grep -q "note: $tmp/greedy_suite.textproto plays control seeds from 0, below 1000000 where \`calico collect\` records" \
    "$tmp/eval_low_seeds" || { cat "$tmp/eval_low_seeds"; fail "no note that the control seeds are training seeds"; }
# A flag for a kind of task the suite lacks is refused, not ignored.
expect_failure "--max_tokens sets how scene tasks' text is written, and $tmp/greedy_suite.textproto has none" \
    eval --suite="$tmp/greedy_suite.textproto" --checkpoint="$checkpoint" --max_tokens=5
cmp -s "$tmp/default_1.returns" "$tmp/default_2.returns" && fail "at --temperature=1e6 the sampling seed changed nothing"
# --choose_temperature: each candidate on validation seeds, then the best one acts.
"$calico" eval --suite="$tmp/default_suite.textproto" --checkpoint="$checkpoint" --choose_temperature=0,1e6 --choice_episodes=2 --choice_seed=3000000 --report="$tmp/chosen" > "$tmp/eval_chosen"
grep -q "choose mujoco/cartpole_balance, greedy: mean return .* over 2 validation episodes (seeds 3000000..3000001)" "$tmp/eval_chosen" || { cat "$tmp/eval_chosen"; fail "no validation line"; }
grep -q "| task | greedy | T=1e+06 | chosen |" "$tmp/eval_chosen" || { cat "$tmp/eval_chosen"; fail "no choice table"; }
chosen="$(grep -o '"chosen": [0-9e.+]*' "$tmp/chosen/report.json" | cut -d' ' -f2)"
grep -q "\"action_temperature\": $chosen," "$tmp/chosen/report.json" || fail "the task did not act at the chosen temperature $chosen"
expect_failure "meet the seeds the suite scores for 'mujoco/cartpole_balance' (0..1)" eval --suite="$tmp/default_suite.textproto" --checkpoint="$checkpoint" --choose_temperature=0,1 --choice_seed=1
expect_failure "--choose_temperature: 'warm' is not a number" eval --suite="$tmp/default_suite.textproto" --checkpoint="$checkpoint" --choose_temperature=0,warm
expect_failure "--temperature and --choose_temperature both set" eval --suite="$tmp/default_suite.textproto" --checkpoint="$checkpoint" --choose_temperature=0,1 --temperature=1
expect_failure "--choose_temperature sets how a transformer acts; it needs --checkpoint" eval --suite="$tmp/default_suite.textproto" --choose_temperature=0,1
expect_failure "--choice_episodes needs --choose_temperature" eval --suite="$tmp/default_suite.textproto" --checkpoint="$checkpoint" --choice_episodes=3
printf 'tasks { task: "arcade/freeway" temperature: -1 }\n' > "$tmp/bad_temp_suite.textproto"
expect_failure "temperature of 'arcade/freeway' is -1; expected a number in \[0, 1e6\]" eval --suite="$tmp/bad_temp_suite.textproto" --checkpoint="$checkpoint"
expect_failure "cannot read '$tmp/no_such_checkpoint': No such file" rollout --task=arcade/freeway --checkpoint="$tmp/no_such_checkpoint"
expect_failure "--context is -1" rollout --task=arcade/freeway --checkpoint="$checkpoint" --context=-1
expect_failure "context_length 100000" rollout --task=arcade/freeway --checkpoint="$checkpoint" --context=100000
# A context of one timestep (freeway: 102 positions) acts; one too short for a timestep is refused.
"$calico" rollout --task=arcade/freeway --checkpoint="$checkpoint" --episodes=1 --context=102 > "$tmp/acted_short"
grep -q "mean return" "$tmp/acted_short" || fail "rollout with --context=102 printed no return"
expect_failure "a context of 50 positions cannot hold the prompt (0) and one timestep (102)" rollout --task=arcade/freeway --checkpoint="$checkpoint" --episodes=1 --context=50
# In a suite the context suits cartpole (8 positions a timestep) but not freeway, its
# second task: refused before cartpole's episodes run, also before a temperature choice.
expect_failure "the policy cannot act in arcade/freeway (checked before any episode): .*cannot hold the prompt (0) and one timestep (102)" eval --suite="$tmp/suite.textproto" --checkpoint="$checkpoint" --context=50
grep -q "episode" "$tmp/out" && { cat "$tmp/out"; fail "eval ran episodes before refusing the context"; }
expect_failure "the policy cannot act in arcade/freeway (checked before any episode)" eval --suite="$tmp/suite.textproto" --checkpoint="$checkpoint" --context=50 --choose_temperature=0,1 --choice_seed=3000000
grep -q "choose " "$tmp/out" && { cat "$tmp/out"; fail "eval ran validation episodes before refusing the context"; }
expect_failure "--temperature is 1e+308; expected a number in \[0, 1e6\]" rollout --task=arcade/freeway --checkpoint="$checkpoint" --temperature=1e308

# DAgger: the checkpoint acts while the expert labels the states it reaches.
# Batched: three episodes on two slots, so a slot starts a second episode.
"$calico" collect --task=arcade/freeway --episodes=3 --batch=2 --learner="$tmp/run" --temperature=1 --out="$tmp/dagger" > "$tmp/dagger_out"
grep -q "wrote 3 episodes" "$tmp/dagger_out" || { cat "$tmp/dagger_out"; fail "collect --learner wrote no episode"; }
grep -q "arcade/freeway episode 3/3" "$tmp/dagger_out" || { cat "$tmp/dagger_out"; fail "collect --learner showed no progress"; }
grep -q "collect arcade/freeway: the expert's label differed from the learner's action on [0-9]* of [0-9]* steps" "$tmp/dagger_out" ||
  { cat "$tmp/dagger_out"; fail "collect --learner did not report how often the learner erred"; }
"$calico" inspect "$tmp/dagger" | grep -q "^OK: " || fail "the DAgger dataset does not inspect OK"
expect_failure "action noise and a learner together" collect --task=arcade/freeway --learner="$tmp/run" --noise=0.1 --out="$tmp/dagger2"
expect_failure "a learner with the random policy" collect --task=arcade/freeway --learner="$tmp/run" --policy=random --out="$tmp/dagger3"
expect_failure "--temperature sets how the learner acts; it needs --learner" collect --task=arcade/freeway --temperature=1 --out="$tmp/dagger4"
expect_failure "no_such_checkpoint" collect --task=arcade/freeway --learner="$tmp/no_such_checkpoint" --out="$tmp/dagger3"
expect_failure "--batch sets how the learner acts; it needs --learner" collect --task=arcade/freeway --batch=2 --out="$tmp/dagger5"
expect_failure "--batch is 0; expected 1..4096 environments" collect --task=arcade/freeway --learner="$tmp/run" --batch=0 --out="$tmp/dagger6"
[[ ! -e "$tmp/dagger2" && ! -e "$tmp/dagger3" && ! -e "$tmp/dagger4" && ! -e "$tmp/dagger5" && ! -e "$tmp/dagger6" ]] || fail "a refused collect --learner left a dataset directory"

# Vision-language inference and evaluation with the same (barely trained) checkpoint: the
# commands run and the bad requests are clear errors; what the text says is not checked.
"$calico" caption --checkpoint="$tmp/run" --image="$tmp/scenes_png/scene-3.png" --max_tokens=4 > "$tmp/caption" 2> "$tmp/caption_err"
[[ -s "$tmp/caption" ]] || fail "caption printed nothing"
"$calico" ask --checkpoint="$checkpoint" --image="$tmp/scenes_png/scene-3.png" --question="What colour is the box" \
  --max_tokens=4 --temperature=1 --seed=2 > "$tmp/ask" 2> "$tmp/ask_err"
grep -q "note: the model described the image as" "$tmp/ask_err" || { cat "$tmp/ask_err"; fail "ask did not say what the model saw"; }
"$calico" rollout --task=mujoco/cartpole_balance --episodes=1 --video="$tmp/small.gif" --video_size=48x48 > /dev/null
printf 'name: "vl" episodes: 3 first_seed: 1000000\ntasks { task: "scenes/vqa" }\ntasks { task: "mujoco/cartpole_balance" }\n' > "$tmp/vl_suite.textproto"
"$calico" eval --suite="$tmp/vl_suite.textproto" --checkpoint="$tmp/run" --episodes=1 --max_tokens=3 --report="$tmp/vl_report" > "$tmp/eval_vl"
grep -q "| scenes/vqa | accuracy | 1 |" "$tmp/eval_vl" || { cat "$tmp/eval_vl"; fail "eval printed no VQA accuracy"; }
grep -q "| \*\*IQM\*\* |" "$tmp/eval_vl" || fail "eval of a mixed suite printed no control IQM"
grep -q '"vision_language": \[' "$tmp/vl_report/report.json" || fail "report.json has no vision_language section"
"$calico" eval --suite=agent/suites/vision_language.textproto --episodes=5 > "$tmp/eval_truth"
grep -q "| scenes/vqa | accuracy | 5 | 100.0 |" "$tmp/eval_truth" || { cat "$tmp/eval_truth"; fail "expert (ground truth) VQA is not 100%"; }
# Answering from the caption as text: a checkpoint that saw images only still answers (no
# warning that it never learned images), and the ground truth scores 100.
"$calico" eval --suite=agent/suites/vqa_from_text.textproto --checkpoint="$tmp/run" --episodes=2 --max_tokens=3 > "$tmp/eval_text"
grep -q "| scenes/vqa_text | accuracy | 2 |" "$tmp/eval_text" || { cat "$tmp/eval_text"; fail "eval printed no text-only VQA accuracy"; }
grep -q "warning: this checkpoint" "$tmp/eval_text" && { cat "$tmp/eval_text"; fail "eval warned a scenes-trained checkpoint"; }
# A checkpoint that saw no image is warned of for scenes/vqa, not for scenes/vqa_text alone.
"$calico" eval --suite=agent/suites/vqa_from_text.textproto --checkpoint="$tmp/bare_run" --episodes=1 --max_tokens=2 > "$tmp/eval_bare"
grep -q "warning: this checkpoint was trained on .* and on no vision-language task with images" "$tmp/eval_bare" ||
  { cat "$tmp/eval_bare"; fail "eval did not warn that a control-only checkpoint never saw an image"; }
printf 'name: "t" episodes: 2 first_seed: 1000000\ntasks { task: "scenes/vqa_text" }\n' > "$tmp/text_suite.textproto"
"$calico" eval --suite="$tmp/text_suite.textproto" --checkpoint="$tmp/bare_run" --max_tokens=2 > "$tmp/eval_bare_text"
grep -q "| scenes/vqa_text | accuracy | 2 |" "$tmp/eval_bare_text" || { cat "$tmp/eval_bare_text"; fail "no text-only VQA accuracy"; }
grep -q "no vision-language task with images" "$tmp/eval_bare_text" && { cat "$tmp/eval_bare_text"; fail "eval warned of images for a suite without them"; }
"$calico" eval --suite=agent/suites/vqa_from_text.textproto --policy=expert --episodes=3 > "$tmp/eval_text_truth"
grep -q "| scenes/vqa_text | accuracy | 3 | 100.0 |" "$tmp/eval_text_truth" || { cat "$tmp/eval_text_truth"; fail "ground-truth text-only VQA is not 100%"; }
expect_failure "needs a model that writes text" eval --suite=agent/suites/vision_language.textproto --policy=random --episodes=2
expect_failure "--temperature sets how control tasks are played, and agent/suites/vision_language.textproto has none" \
    eval --suite=agent/suites/vision_language.textproto --checkpoint="$tmp/run" --temperature=0.5
printf 'first_seed: 5 tasks { task: "scenes/vqa" }\n' > "$tmp/vl_low.textproto"
expect_failure "held-out scene seeds start at 1000000" eval --suite="$tmp/vl_low.textproto"
# --threads and --batch are checked before the scenes (scored first here) are answered.
expect_failure "--threads is 0; expected 1..256" eval --suite="$tmp/vl_suite.textproto" --policy=expert --threads=0
expect_failure "--batch is 5000; expected 1..4096" eval --suite="$tmp/vl_suite.textproto" --checkpoint="$tmp/run" --batch=5000
expect_failure "small.gif is not a PNG file" caption --checkpoint="$checkpoint" --image="$tmp/small.gif"
expect_failure "no_such.png" caption --checkpoint="$checkpoint" --image="$tmp/no_such.png"
expect_failure "the question is empty" ask --checkpoint="$checkpoint" --image="$tmp/scenes_png/scene-3.png" --question="  "
expect_failure "needs --image" caption --checkpoint="$checkpoint"
expect_failure "--max_tokens 0, expected >= 1" caption --checkpoint="$checkpoint" --image="$tmp/scenes_png/scene-3.png" --max_tokens=0
expect_failure "'$tmp/scenes_png/index.tsv' is a file, not a dataset directory" rollout --checkpoint="$checkpoint" --task=arcade/freeway --prompts="$tmp/scenes_png/index.tsv"
expect_failure "needs --checkpoint" ask --image="$tmp/scenes_png/scene-3.png" --question="how many objects are there?"

expect_failure "unknown task 'mujoco/nope'" rollout --task=mujoco/nope
expect_failure "known tasks: arcade/asterix" rollout --task=nope/nope
expect_failure "expected 'expert' or 'random'" rollout --task=arcade/breakout --policy=clever
expect_failure "expected HEIGHTxWIDTH" rollout --task=arcade/breakout --video="$tmp/x.gif" --video_size=big
# A mistyped --video never replaces a file that is not a video.
printf 'keep me' > "$tmp/precious.gif"
expect_failure "exists and is not a GIF; refusing to replace it" rollout --task=arcade/breakout --video="$tmp/precious.gif"
[[ "$(cat "$tmp/precious.gif")" == "keep me" ]] || fail "rollout --video replaced a file that was not a GIF"
CALICO_TEXT_MODEL="$tmp/no_such.model" expect_failure "CALICO_TEXT_MODEL is '$tmp/no_such.model', which cannot be read" \
    scenes --out="$tmp/never_scenes" --episodes=1
[[ ! -e "$tmp/never_scenes" ]] || fail "scenes with an unreadable CALICO_TEXT_MODEL made its directory"
expect_failure "--size sets the scenes' image size, and vqa_text episodes have no images" \
    scenes --out="$tmp/never_scenes" --episodes=1 --kind=vqa_text --size=32
expect_failure "/proc/calico_no_such" scenes --out="$tmp/never_scenes" --episodes=1 --png=/proc/calico_no_such
[[ ! -e "$tmp/never_scenes" ]] || fail "scenes with an unwritable --png left a dataset directory"
expect_failure "does not end in .gif" rollout --task=arcade/breakout --video="$tmp/vl_suite.textproto"
expect_failure "needs --out" collect --task=arcade/breakout
expect_failure "not a calico dataset" inspect "$tmp"
expect_failure "'$tmp/nowhere' does not exist" inspect "$tmp/nowhere"
expect_failure "--filter=2: expected a fraction" collect --task=arcade/breakout --out="$tmp/f" --filter=2
expect_failure "--threads=0: expected 1..256" collect --task=arcade/breakout --out="$tmp/f" --threads=0
expect_failure "--threads=100000: expected 1..256" collect --task=arcade/breakout --out="$tmp/f" --threads=100000
[[ ! -e "$tmp/f" ]] || fail "a refused collect made its directory"
# A command's --help lists its own flags and succeeds.
"$calico" collect --help > "$tmp/help" || fail "collect --help exited $?"
grep -q -- "--noise (collect" "$tmp/help" || { cat "$tmp/help"; fail "collect --help misses --noise"; }
grep -q -- "--suite" "$tmp/help" && fail "collect --help lists eval's --suite"
printf 'tasks { task: "arcade/breakout" } bogus: 1\n' > "$tmp/bad_suite.textproto"
expect_failure "not a valid SuiteConfig" eval --suite="$tmp/bad_suite.textproto"
echo "cli_end_to_end_test: all checks passed"
