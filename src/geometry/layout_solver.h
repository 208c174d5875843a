// Finding starts for profiles given without one.
//
// Given a GPU state (e.g. instances already placed) and a multiset of
// profiles, find starts for all of them at once, or prove none exist. Order
// matters to the search, not to the hardware: placing 1g.5gb, 1g.5gb, 2g.10gb
// and then 3g.20gb greedily fails on an A100 (the 1g's land in both halves),
// while 3g.20gb first succeeds. The solver places the largest profiles first
// and backtracks, remembering states already proven dead, so it is exact.
#pragma once

#include <optional>
#include <string>
#include <span>
#include <vector>

#include "geometry/gpu_model.h"
#include "geometry/layout.h"
#include "geometry/state_space.h"

namespace migsched::geometry {

// Starts for every profile in `profiles` (indices into model.profiles) on top
// of state `from`, returned in a creation order that works (largest first),
// or nullopt if no assignment of starts exists. Among solutions it prefers the
// highest start for each profile in turn — what the driver itself does on an
// empty GPU (1g@6, 2g@4, 3g@4) — which keeps the low half free for 4g and 7g.
std::optional<std::vector<GpuInstance>> SolvePlacement(const GpuModel& model,
                                                       const StateSpace& space, StateId from,
                                                       std::span<const int> profiles);

}  // namespace migsched::geometry

namespace migsched::geometry {

// Why SolvePlacement found nothing, in words, from the first failing check:
// compute, memory, the single +me, per-profile room, else a placement conflict
// ("no combination of allowed starts holds them all").
std::string ExplainNoPlacement(const GpuModel& model, const StateSpace& space, StateId from,
                               std::span<const int> profiles);

}  // namespace migsched::geometry
