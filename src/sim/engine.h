// The discrete-event engine: drives one Backend through a trace with a
// simulated clock. Pure and deterministic: time is the events' time, the only
// randomness is the seeded sampling of fill mode, and the wall clock (for
// decision latency) and progress reporting are injected by the caller.
//
// replay: each job arrives at its submit time (divided by `compress` to raise
//   the load; run times are kept) and, once placed, leaves after its run
//   time. At one instant departures go first, then finished repartitions,
//   then arrivals. Jobs still waiting when the last event has passed are
//   unplaced. Services (service.h) run beside the jobs: their replicas are
//   requests to the same backend, and are measured apart (ServiceResult).
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
#include "sim/service.h"
#include "sim/sim_job.h"
#include "sim/sim_result.h"

namespace migsched::sim {

struct EngineHooks {
  std::function<int64_t()> clock_ns;                          // empty: no latency measured
  std::function<void(int64_t done, int64_t total)> progress;  // empty: silent
};

// What changing a MIG layout costs, per GPU instance (a GI with its one CI),
// in simulated milliseconds. A job whose instance must be created (on free
// slices, or by a repartition) starts once its GPU's ops are done: the
// destroys and the create run one after another on that GPU (a gang's GPUs in
// parallel). A job that leaves under ReleaseMode::kDestroy frees its slices
// only once its instance is destroyed. Reusing an idle instance, whole GPUs
// and the no-MIG baselines cost nothing. The defaults and their source are in
// docs/simulator.md ("Reconfiguration cost").
struct ReconfigurationCost {
  int64_t create_ms = 0;
  int64_t destroy_ms = 0;
};
inline constexpr ReconfigurationCost kDefaultReconfigurationCost{.create_ms = 2000, .destroy_ms = 1000};

struct ReplayOptions {
  double compress = 1.0;  // arrival times are divided by this (> 1 raises the load); 0.001..1e9
  ReconfigurationCost cost = {};
  // Services beside the jobs (service.h), their times not compressed: each
  // replica is submitted when its service scales up and leaves when it scales
  // down (withdrawn from the queue if it has not started by then). At one
  // instant replicas arrive after the jobs, and scale-downs come before departures.
  std::vector<ServiceLoad> services = {};
};

struct FillOptions {
  uint64_t seed = 1;
  int64_t patience = 200;
  int64_t max_demand_percent = 200;
  // Paid and reported; in fill mode jobs never leave and a job's start time
  // does not change the allocation, so the cost moves no result but the time paid.
  ReconfigurationCost cost = {};
};

// `fleet` is the fleet the backend was built on (for instance sizes).
// Internal when the backend breaks an invariant (a job placed twice, a
// decision about an unknown job); the backend's own errors pass through.
Result<PolicyRun> RunReplay(const std::vector<SimJob>& jobs, const fleet::Fleet& fleet, Backend& backend,
                            const ReplayOptions& options, const EngineHooks& hooks = {});

Result<PolicyRun> RunFill(const std::vector<SimJob>& jobs, const fleet::Fleet& fleet, Backend& backend,
                          const FillOptions& options, const EngineHooks& hooks = {});

}  // namespace migsched::sim
