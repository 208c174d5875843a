// StateSpace: every GpuState a model can reach from the empty GPU, numbered,
// with the answers to all placement questions precomputed.
//
// A GPU has few reachable states (A100-40GB: a few hundred; RTX PRO 6000 with
// its eleven profiles: a few hundred more), so Fits, Place and Remove become
// single array reads: a placement query costs nanoseconds. Schedulers keep a
// StateId per GPU and never look at instance lists on the hot path.
//
// Example (A100-40GB): from kEmpty, Fits(3g.20gb) = {0,4}; Place at 4; then
// Fits(4g.20gb) = {0} and Fits(3g.20gb) = {0}; Place 4g at 0; now every Fits
// is empty: 4g+3g fills the GPU.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/check.h"
#include "common/status.h"
#include "geometry/gpu_model.h"
#include "geometry/gpu_state.h"
#include "geometry/start_set.h"

namespace migsched::geometry {

using StateId = uint16_t;

class StateSpace {
 public:
  static constexpr StateId kEmpty = 0;
  static constexpr StateId kNoState = 0xFFFF;  // the result of an impossible transition

  // Explores all states reachable from the empty GPU. ResourceExhausted if the
  // model has more than 65534 states (no real GPU comes close).
  static Result<StateSpace> Build(const GpuModel& model);

  // Starts at which `profile` (an index into model.profiles) fits.
  StartSet Fits(StateId state, int profile) const {
    MIGSCHED_DCHECK(state < states_.size());
    return StartSet(fits_[state * profile_count_ + static_cast<size_t>(profile)]);
  }
  // The state after placing `profile` at `start`; kNoState unless Fits has it.
  StateId Place(StateId state, int profile, int start) const {
    return place_[TransitionIndex(state, profile, start)];
  }
  // The state after removing that instance; kNoState if it cannot be present.
  StateId Remove(StateId state, int profile, int start) const {
    return remove_[TransitionIndex(state, profile, start)];
  }

  const GpuState& state(StateId id) const { return states_[id]; }
  std::optional<StateId> Find(const GpuState& state) const;
  size_t size() const { return states_.size(); }
  size_t profile_count() const { return profile_count_; }

 private:
  StateSpace(size_t profile_count, size_t memory_slices)
      : profile_count_(profile_count), memory_slices_(memory_slices) {}

  size_t TransitionIndex(StateId state, int profile, int start) const {
    MIGSCHED_DCHECK(state < states_.size() && start >= 0 &&
                    static_cast<size_t>(start) < memory_slices_);
    return (state * profile_count_ + static_cast<size_t>(profile)) * memory_slices_ +
           static_cast<size_t>(start);
  }

  size_t profile_count_;
  size_t memory_slices_;
  std::vector<GpuState> states_;
  std::unordered_map<uint64_t, StateId> ids_;  // GpuState::Key() -> id
  std::vector<uint16_t> fits_;                 // [state][profile] -> start bitmask
  std::vector<StateId> place_;                 // [state][profile][start]
  std::vector<StateId> remove_;                // [state][profile][start]
};

}  // namespace migsched::geometry

namespace migsched::geometry {

// How many more instances of `profile` fit from `state` — the "Free" column of
// nvidia-smi mig -lgip. Profiles have equal-size placements, so filling the
// lowest free start first is optimal (interval scheduling).
int FreeCount(const StateSpace& space, StateId state, int profile);

}  // namespace migsched::geometry
