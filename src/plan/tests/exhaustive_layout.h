// Test reference, independent of the planner's layout enumeration: whether a
// multiset of profiles fits one GPU, by trying every start of every profile
// and letting geometry::CheckLayout judge.
#pragma once

#include <cstddef>
#include <vector>

#include "geometry/gpu_model.h"
#include "geometry/layout.h"

namespace migsched::plan {

inline bool TryStartsFrom(const geometry::GpuModel& model, const std::vector<int>& profiles, size_t i,
                          std::vector<geometry::GpuInstance>& layout) {
  if (i == profiles.size()) return true;
  const geometry::GiProfile& p = model.profiles[static_cast<size_t>(profiles[i])];
  for (int start : p.starts) {
    layout.push_back({profiles[i], p.PlacementAt(start)});
    if (geometry::CheckLayout(model, layout).valid && TryStartsFrom(model, profiles, i + 1, layout)) return true;
    layout.pop_back();
  }
  return false;
}

// Whether `profiles` (indices into model.profiles) have starts together.
inline bool HasStartsByExhaustiveSearch(const geometry::GpuModel& model, const std::vector<int>& profiles) {
  std::vector<geometry::GpuInstance> layout;
  return TryStartsFrom(model, profiles, 0, layout);
}

}  // namespace migsched::plan
