// StateFacts: per-state numbers of one GPU model that placement policies score
// with — free slices, stranded slices, and the capacity a state still has for
// the expected demand mix — computed once over the model's StateSpace.
#pragma once

#include <cstdint>
#include <vector>

#include "geometry/gpu_model.h"
#include "geometry/state_space.h"

namespace migsched::sched {

struct StateFact {
  int free_memory = 0;   // memory slices not in any instance
  int free_memory_total = 0;  // the model's memory slices: free_memory of the empty GPU
  int free_compute = 0;  // compute slices not in any instance
  int stranded = 0;      // free memory slices no profile can use (geometry::StrandedSlices)
  // Sum over the mix of weight x how many more such instances fit
  // (geometry::FreeCount): what the state can still host of future demand.
  std::int64_t capacity = 0;
  // FGD's fragmentation (Weng et al., ATC'23) on MIG: sum over the mix of
  // weight x free compute slices when that profile fits nowhere on the GPU —
  // the free compute that this kind of future demand cannot use.
  std::int64_t fragmentation = 0;
  std::uint32_t fit_mask = 0;  // bit p: profile p fits somewhere
};

// `mix_weights[p]` is the weight of profile p in the expected mix (size =
// model.profiles.size()).
std::vector<StateFact> ComputeStateFacts(const geometry::GpuModel& model,
                                         const geometry::StateSpace& space,
                                         const std::vector<std::int64_t>& mix_weights);

// A model's default mix: weight 1 for every standard-media profile.
std::vector<std::int64_t> UniformStandardMix(const geometry::GpuModel& model);

}  // namespace migsched::sched
