// `calico train`: offline training of one transformer on a mixture of tasks' episodes
// (DESIGN.md "The token stream", issue 6 "Training").
//
// A run lives in its output directory:
//   ckpt-000123      checkpoints (model/checkpoint.h) after 123 updates; the newest
//                    keep_checkpoints stay, older ones are deleted
//   LATEST           the name of the newest complete checkpoint, replaced atomically after
//                    the checkpoint itself is on disk, so it never names a torn file
//   metrics.jsonl    one JSON object per logged update: "step" (the update's 0-based
//                    number, as StepResult::step), "loss", "grad_norm", "learning_rate",
//                    "tokens_per_second" and "elapsed_seconds" (this invocation's), and
//                    the loss split by target: "text_loss", "action_loss" (null when the
//                    batch has no such target) and "task_loss" {task: loss}, each the
//                    mean cross-entropy over those targets of the batch, from a forward
//                    pass with the parameters the update started from.
//                    A resume drops records of updates its checkpoint does not include.
//   train_config.textproto  the config of the latest invocation, defaults filled in,
//                    with what it fitted (fitted_max_steps) and loaded (loaded_data)
//   train.lock       locked (flock) by the calico train writing the run, which refuses a
//                    second one; it holds the last holder's process id
//
// Batch i is drawn with the sampler restarted from a seed derived from (config seed, i)
// (Sampler::Next(batch_seed)), so a resumed run sees exactly the batches an uninterrupted
// one would, and with the same thread count ends with bit-identical parameters.
#ifndef CALICO_AGENT_TRAIN_H_
#define CALICO_AGENT_TRAIN_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/train_config.pb.h"

namespace calico {

inline constexpr char kLatestCheckpointFile[] = "LATEST";
inline constexpr char kMetricsFile[] = "metrics.jsonl";
inline constexpr char kRunConfigFile[] = "train_config.textproto";
inline constexpr char kRunLockFile[] = "train.lock";

// Parses a text-format TrainConfig, fills in the defaults its .proto documents and checks
// it (CheckTrainConfig). `source` names the text in errors (usually the file path).
// Errors: a syntax error or unknown field ("SOURCE: line L, column C: ..."), or an
// invalid value naming the field. Thread-safe.
absl::StatusOr<TrainConfig> ParseTrainConfig(absl::string_view text, absl::string_view source);

// The first half of ParseTrainConfig: syntax and field names only, no defaults, no checks.
// For a caller that changes fields first (command-line overrides such as --steps, which
// the learning-rate schedule's defaults derive from) and then calls FinishTrainConfig.
absl::StatusOr<TrainConfig> ParseTrainConfigText(absl::string_view text, absl::string_view source);

// The second half: fills in defaults (ApplyTrainConfigDefaults) and checks the result
// (CheckTrainConfig), naming `source` in errors.
absl::Status FinishTrainConfig(absl::string_view source, TrainConfig* config);

// Fills in unset fields with their documented defaults (idempotent). Thread-safe.
void ApplyTrainConfigDefaults(TrainConfig* config);

// For a run's record of its config (train_config.textproto) given back as a config: clears
// the fields the record lists in defaulted_fields, the list itself, fitted_max_steps and
// loaded_data, which calico train wrote there, so that the defaults follow command-line
// overrides (--steps) as in the config the run began with, and a resume keeps or redoes a
// fit as it would with that config. A config that is not a record (neither
// defaulted_fields nor loaded_data) is left as it is. calico train --config calls it
// before its overrides; ParseTrainConfig does not (it reads a record as written).
// Thread-safe.
void ForgetRecordedValues(TrainConfig* config);

// OK if `config` (defaults applied) can start a run: datasets and output_dir given, a known
// preset or a valid ModelConfig, positive sizes, a budget, a valid AdamW schedule,
// probabilities in [0, 1], weights >= 0 and each task named once. Does not touch the
// file system (RunTraining checks the datasets). Thread-safe.
absl::Status CheckTrainConfig(const TrainConfig& config);

// The updates a run ends at: fitted_max_steps once the schedule has been fitted to the
// time budget (fit_steps_to_seconds), otherwise max_steps (0: no step budget).
int64_t EffectiveMaxSteps(const TrainConfig& config);

// Where the cosine ends: decay_steps, scaled by fitted_max_steps / max_steps once the
// schedule has been fitted (rounded, never below warmup_steps).
int64_t EffectiveDecaySteps(const TrainConfig& config);

// Where each task_weight_phases entry starts: its from_step, moved with the schedule
// once it has been fitted (scaled by fitted_max_steps / max_steps and rounded, as
// decay_steps is), so a curriculum keeps its proportions on a slower machine. A phase
// never moves to or before the update where the fit is made (the first
// min(10, warmup_steps)); one configured there stays. Increasing, one per phase.
std::vector<int64_t> EffectivePhaseStarts(const TrainConfig& config);

// The total updates a time budget holds: `done` updates so far, `seconds_left` of the
// budget and `seconds_per_step` measured; never more than `max_steps` nor fewer than
// `done`. A pace that is not a positive finite number keeps max_steps.
int64_t StepsThatFit(int64_t done, double seconds_left, double seconds_per_step, int64_t max_steps);

struct TrainOptions {
  // The SentencePiece text model; it fixes the vocabulary, whose size must equal the
  // model's vocab_size.
  std::string text_model_path;
  // Continue from output_dir's LATEST checkpoint (an error if there is none). Without
  // it, an output_dir that already holds a checkpoint is an error (never overwrite a run).
  bool resume = false;
  // Progress lines and the summary; null for silence.
  std::ostream* progress = nullptr;
  // When it becomes true (e.g. from InstallStopSignalHandlers), the run finishes the
  // current update, writes a checkpoint and returns OK with `stopped` set.
  const std::atomic<bool>* stop = nullptr;
  // > 0: end this invocation, with a checkpoint, once the run has done this many
  // updates, leaving the schedule as configured (max_steps, decay_steps, the fit), so a
  // later --resume continues as if uninterrupted; e.g. to add DAgger episodes between
  // the parts. At or past the run's last update it changes nothing.
  int64_t stop_at_step = 0;
  // In (0, 1): the same at this fraction of the run's updates, rounded up (of the fitted
  // number once fit_steps_to_seconds has fitted it). Needs a step budget (max_steps).
  // Not together with stop_at_step.
  double stop_at_fraction = 0;
  // Seconds on a monotonic clock, for max_seconds and the schedule's fit; empty: the
  // steady clock (tests pass one whose every reading is a second later).
  std::function<double()> clock;
};

struct TrainReport {
  int64_t first_step = 0;  // updates done before this invocation (resume)
  int64_t steps = 0;       // updates done in total at the end
  double first_loss = 0;   // loss of this invocation's first update
  double last_loss = 0;    // loss of the last update
  double seconds = 0;      // wall time of the loop
  double tokens_per_second = 0;  // positions (B * L) per second of the loop
  bool stopped = false;           // ended by the stop flag
  bool paused = false;            // ended at stop_at_step / stop_at_fraction, before the run's end
  std::string last_checkpoint;    // path of the checkpoint written last
  std::map<std::string, int64_t> episodes_per_task;  // what was loaded
};

// Runs (or resumes) the training `config` describes. Checks everything cheap first: the
// config, the text model, vocabulary size against the model's, every dataset (missing or
// empty ones are errors naming the directory), task weights against the data, the
// output directory's state. Then loops Trainer::Step, writing progress every
// log_every_steps, a metrics record (metrics.jsonl) per logged step, a checkpoint every
// checkpoint_every_steps, at the end and on a stop request. A non-finite loss ends the
// run with FailedPrecondition naming the step; the last checkpoint stays as it was.
// A resume whose config or data differs from the run's stored record
// (train_config.textproto) prints a note naming the changes, split into those that make
// the run differ from an uninterrupted one and those that do not (checkpoint and log
// intervals); a resume with nothing left to do, or stopped before its first update,
// writes nothing. A fresh run refuses an output_dir that holds checkpoints; pruning
// (keep_checkpoints) only removes the run's own older checkpoints, never the one LATEST
// names. One run per output_dir at a time: a second, in this process or another, fails
// with Unavailable (kRunLockFile). Sets the process's model thread count.
absl::StatusOr<TrainReport> RunTraining(const TrainConfig& config, const TrainOptions& options);

// The checkpoint file name for `step` updates ("ckpt-000123"). Thread-safe.
std::string CheckpointName(int64_t step);

// The path of the checkpoint LATEST names in `output_dir`; NotFound if there is none.
absl::StatusOr<std::string> LatestCheckpoint(const std::string& output_dir);

// What a --checkpoint flag names: a training run's directory gives its LATEST checkpoint
// (LatestCheckpoint's errors; without LATEST, the NotFound names the newest ckpt-* file
// there), anything else is taken as a checkpoint file as is.
absl::StatusOr<std::string> ResolveCheckpoint(const std::string& path);

// Installs SIGINT and SIGTERM handlers that set the returned flag (async-signal-safe: the
// handler only stores to a lock-free std::atomic<bool>); a second signal restores the
// default action and re-raises it, so a stuck run can still be killed. Call from the
// main thread; later calls return the same flag.
const std::atomic<bool>* InstallStopSignalHandlers();

// The signal (SIGINT or SIGTERM) whose handler set the stop flag first; 0 if none came.
// A command that stopped on it should end by that signal once its work is saved (reset
// the default action and raise it), so a calling script sees the interruption instead
// of a success and stops too. Thread-safe.
int StopSignalNumber();

}  // namespace calico

#endif  // CALICO_AGENT_TRAIN_H_
