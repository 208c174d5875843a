// Enumerates every maximal layout of a GPU model: sets of instances with
// valid placements to which no further instance (of the allowed profiles) can
// be added. These are the configurations a planner chooses among.
//
// Each set of non-overlapping instances is visited once, in a canonical order
// (by start slot), walking StateSpace's tables. For the A100/H100 family with
// the base profiles (1g, 1g with twice the memory, 2g, 3g, 4g, 7g) there are
// 723 valid sets, 78 of them maximal, forming 38 distinct profile multisets.
#pragma once

#include <cstddef>
#include <vector>

#include "geometry/gpu_model.h"
#include "geometry/layout.h"
#include "geometry/state_space.h"

namespace migsched::geometry {

struct LayoutCensus {
  std::vector<std::vector<GpuInstance>> maximal_layouts;  // in canonical order
  size_t valid_layouts = 0;        // every valid set of instances, the empty one included
  size_t distinct_multisets = 0;   // maximal layouts that differ in profiles, not starts
  size_t full_layouts = 0;         // maximal layouts using all compute and memory slices
};

// `allowed` selects profiles by index (empty: all profiles). Maximality is
// judged against the allowed profiles only.
LayoutCensus EnumerateLayouts(const GpuModel& model, const StateSpace& space,
                              const std::vector<int>& allowed = {});

}  // namespace migsched::geometry
