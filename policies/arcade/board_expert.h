// BoardExpert: the shared shell of calico's rule-based arcade players. It turns the
// observation ("board", or "pixels" decoded back to the board: the colour blocks are
// exact) into a Board and asks the game's rules for an action.
#ifndef CALICO_POLICIES_ARCADE_BOARD_EXPERT_H_
#define CALICO_POLICIES_ARCADE_BOARD_EXPERT_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "envs/arcade/arcade_environment.h"
#include "envs/arcade/board.h"
#include "policies/policy.h"

namespace calico {

// Not thread-safe (experts remember earlier frames). Deterministic: no expert uses
// randomness, so the seed passed to Reset does not change its play.
class BoardExpert : public Policy {
 public:
  // Reads the "board" or "pixels" observation of a game with `num_channels` channels.
  BoardExpert(ArcadeObservation observation, int num_channels)
      : observation_(observation), num_channels_(num_channels) {}

  // Starts an episode (a FIRST step does too).
  void Reset(uint64_t seed) final;
  // The action for `timestep`; errors when the observation is missing or does not
  // decode to a board.
  absl::StatusOr<NamedArrays> Act(const TimeStep& timestep) final;

 protected:
  // Forgets the previous episode.
  virtual void ResetGame() = 0;
  // The action (an ArcadeAction) for `board`; `reward` is the reward of the step that
  // led to it and `frame` counts Act calls since Reset (0 on the FIRST step).
  virtual int Choose(const Board& board, double reward, int64_t frame) = 0;

 private:
  ArcadeObservation observation_;
  int num_channels_;
  int64_t frame_ = 0;
};

}  // namespace calico

#endif  // CALICO_POLICIES_ARCADE_BOARD_EXPERT_H_
