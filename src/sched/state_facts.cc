#include "sched/state_facts.h"

#include <bit>

#include "geometry/gpu_state.h"

namespace migsched::sched {

std::vector<StateFact> ComputeStateFacts(const geometry::GpuModel& model,
                                         const geometry::StateSpace& space,
                                         const std::vector<std::int64_t>& mix_weights) {
  std::vector<StateFact> facts(space.size());
  const int profiles = static_cast<int>(model.profiles.size());
  for (size_t id = 0; id < space.size(); ++id) {
    const auto state_id = static_cast<geometry::StateId>(id);
    const geometry::GpuState& state = space.state(state_id);
    StateFact& fact = facts[id];
    fact.free_memory = model.memory_slices - std::popcount(state.occupied);
    fact.free_memory_total = model.memory_slices;
    fact.free_compute = model.compute_slices - state.compute_used;
    fact.stranded = std::popcount(geometry::StrandedSlices(model, state));
    for (int p = 0; p < profiles; ++p) {
      const std::int64_t weight = mix_weights[static_cast<size_t>(p)];
      if (space.Fits(state_id, p).empty()) {
        fact.fragmentation += weight * fact.free_compute;
        continue;
      }
      fact.fit_mask |= 1u << p;
      if (weight != 0) fact.capacity += weight * geometry::FreeCount(space, state_id, p);
    }
  }
  return facts;
}

std::vector<std::int64_t> UniformStandardMix(const geometry::GpuModel& model) {
  std::vector<std::int64_t> weights;
  for (const geometry::GiProfile& profile : model.profiles) {
    weights.push_back(profile.media_variant == geometry::MediaVariant::kStandard ? 1 : 0);
  }
  return weights;
}

}  // namespace migsched::sched
