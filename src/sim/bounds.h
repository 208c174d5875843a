// Bounds on what ANY policy could achieve on a simulation's arrivals — the
// yardstick the measured policies are compared against.
//
// fill: an upper bound on the demand any MIG policy can have placed when
//   arrived demand first reaches the fleet's capacity (where the engine
//   reads `allocation_rate`). The jobs placed then are a subset S of the
//   arrivals so far that sits on the fleet at once, so S obeys, per job j
//   (its cheapest option when it has several):
//     compute:   sum of c_j / C  <= G   (profile compute slices / the model's)
//     memory:    sum of m_j / M  <= G
//     exclusive: sum of e_j      <= G   (e_j = GPUs of a whole-GPU job; 1 for
//                an instance with more than half the GPU's compute, since two
//                of those never share a GPU; else 0)
//   where G is the number of GPUs and a whole-GPU job of N GPUs costs N in
//   every row. The best such S is a 3-row knapsack; its LP relaxation
//   (0 <= x_j <= 1) is larger still. Any non-negative combination of the rows
//   (a surrogate constraint) is obeyed by every feasible x, so the
//   single-row fractional knapsack under it — solved exactly by the greedy
//   value/weight order — bounds the LP, hence S. We take the least such value
//   over a grid of combinations; every one is valid, the grid only decides
//   how tight. Rounded down to whole milli (placed demand is an integer).
//   The fractional counterpart (time-slicing: a job costs its gpu_milli x
//   num_gpu out of 1000 per GPU, nothing else) is min(arrived, capacity).
//   Also: the first arrival n at which the first n arrivals cannot all be on
//   the fleet at once, by the replay bound below (whole-GPU jobs' GPUs plus
//   what the instances need exceeds the fleet): every MIG policy has
//   rejected a job by then (compare PolicyResult::first_rejection).
// replay: a lower bound on the peak GPUs in use of any MIG policy that starts
//   every job when it arrives (no queueing, no repartition delay), over the
//   jobs' nominal [arrival, arrival + run time) intervals. At each instant
//   the running whole-GPU jobs hold W GPUs of their own, and the other jobs
//   need at least max(ceil(sum c_j / C), ceil(sum m_j / M), number of
//   instances with more than half the compute) more. A policy that makes
//   jobs wait can use fewer GPUs (it then has queueing delay). The fractional
//   counterpart is ceil(sum gpu_milli x num_gpu / 1000).
// Jobs no GPU of the fleet can run (SimJob::request empty) are never placed
// by any policy and cost nothing here. Multi-model fleets: each job's share
// is its smallest over the models it may use, which keeps both bounds valid.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "fleet/fleet.h"
#include "sim/engine.h"
#include "sim/sim_job.h"

namespace migsched::sim {

struct FillBounds {
  int64_t arrivals = 0;              // arrivals until demand first reached capacity
  int64_t arrived_demand_milli = 0;  // their demand
  int64_t mig_placed_milli_max = 0;  // no MIG policy places more of it
  int64_t fractional_placed_milli_max = 0;
  double mig_allocation_rate_max = 0;         // mig_placed_milli_max / arrived_demand_milli
  double fractional_allocation_rate_max = 0;  // likewise
  // 1-based; 0 when it does not happen before arrived demand reaches
  // FillOptions::max_demand_percent of capacity.
  int64_t mig_forced_rejection_by = 0;
};

struct ReplayBounds {
  int mig_gpus_needed_min = 0;         // fewest GPUs at peak, jobs starting on arrival
  int64_t mig_peak_at_ms = 0;          // an instant at which that many are needed
  int fractional_gpus_needed_min = 0;  // the same for an ideal fractional packer
};

// InvalidArgument for an empty job list or an empty fleet.
Result<FillBounds> ComputeFillBounds(const std::vector<SimJob>& jobs, const fleet::Fleet& fleet,
                                     const FillOptions& options);

// InvalidArgument for compress outside RunReplay's range.
Result<ReplayBounds> ComputeReplayBounds(const std::vector<SimJob>& jobs, const fleet::Fleet& fleet,
                                         const ReplayOptions& options);

}  // namespace migsched::sim
