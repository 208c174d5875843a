// Placement policies: where a new GPU instance should go. Each policy ranks,
// once per (model, profile), every (state, start) at which the profile fits —
// best first — so that at decision time the scheduler only walks that list to
// the first state that some GPU is in. Chosen by name through MakePolicy.
//
//   first-fit   the lowest-index GPU where the profile fits, lowest start
//               (not a state ranking: the scheduler finds that GPU with a
//               fit-mask tree over the GPUs)
//   best-fit    the placement leaving the fewest free memory slices, then
//               compute slices, then stranded slices (prefers busy GPUs)
//   frag-aware  the placement that least reduces the state's capacity for the
//               expected demand mix (FGD, ATC'23, adapted to MIG slots), then
//               as best-fit
//   whole-gpu   no MIG: every job takes whole GPUs
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "geometry/gpu_model.h"
#include "geometry/state_space.h"
#include "sched/state_facts.h"

namespace migsched::sched {

struct RankedPlacement {
  geometry::StateId state = 0;
  int start = 0;
};

// How the scheduler turns the ranking into a GPU.
enum class GpuChoice {
  kRankedStates,   // walk the ranking; take a GPU of the first non-empty state bucket
  kLowestIndex,    // the lowest-index GPU where the profile fits; start from the ranking
  kWholeGpusOnly,  // no MIG instances at all
};

class PlacementPolicy {
 public:
  virtual ~PlacementPolicy() = default;
  virtual std::string_view name() const = 0;
  virtual GpuChoice choice() const = 0;
  // Every (state, start) where `profile` fits, best first; each state once,
  // with the start this policy would use in it.
  virtual std::vector<RankedPlacement> Rank(const geometry::GpuModel& model,
                                            const geometry::StateSpace& space,
                                            const std::vector<StateFact>& facts,
                                            int profile) const = 0;
};

// InvalidArgument naming the valid policies for an unknown name.
Result<std::unique_ptr<PlacementPolicy>> MakePolicy(std::string_view name);

}  // namespace migsched::sched
