// The discrete-event engine: drives one Backend through a trace with a
// simulated clock. Pure and deterministic: time is the events' time, the only
// randomness is the seeded sampling of fill mode, and the wall clock (for
// decision latency) and progress reporting are injected by the caller.
//
// replay: each job arrives at its submit time (divided by `compress` to raise
//   the load; run times are kept) and, once placed, leaves after its run
//   time. At one instant departures go first, then finished repartitions,
//   then arrivals. Jobs still waiting when the last event has passed are
//   unplaced.
// fill (the FGD paper's experiment): jobs arrive in trace order, then drawn
//   with replacement, and never leave; a job that does not fit at once is
//   rejected. Arrivals continue past 100% of the fleet's capacity until
//   `patience` arrivals in a row are rejected (the fleet is full) or arrived
//   demand reaches `max_demand_percent` of capacity.
//
// The engine checks the invariants as it goes: a job is placed at most once,
// a repartition never destroys an instance that holds a running job (counted
// in busy_disrupted, with the backend's own count), and at the end every job
// is placed, waiting or unplaced.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "common/status.h"
#include "fleet/fleet.h"
#include "sim/backend.h"
#include "sim/sim_job.h"
#include "sim/sim_result.h"

namespace migsched::sim {

struct EngineHooks {
  std::function<int64_t()> clock_ns;                          // empty: no latency measured
  std::function<void(int64_t done, int64_t total)> progress;  // empty: silent
};

struct ReplayOptions {
  double compress = 1.0;  // arrival times are divided by this (> 1 raises the load); 0.001..1e9
};

struct FillOptions {
  uint64_t seed = 1;
  int64_t patience = 200;
  int64_t max_demand_percent = 200;
};

// `fleet` is the fleet the backend was built on (for instance sizes).
// Internal when the backend breaks an invariant (a job placed twice, a
// decision about an unknown job); the backend's own errors pass through.
Result<PolicyRun> RunReplay(const std::vector<SimJob>& jobs, const fleet::Fleet& fleet, Backend& backend,
                            const ReplayOptions& options, const EngineHooks& hooks = {});

Result<PolicyRun> RunFill(const std::vector<SimJob>& jobs, const fleet::Fleet& fleet, Backend& backend,
                          const FillOptions& options, const EngineHooks& hooks = {});

}  // namespace migsched::sim
