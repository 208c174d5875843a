// What one policy's run of the simulator measured. Everything here is a
// deterministic function of the trace, the fleet, the policy and the seed;
// decision latency, the one wall-clock measurement, is kept apart in
// DecisionLatency so that results can be compared byte for byte.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace migsched::sim {

// The fleet after every instant at which something changed.
struct UsageSample {
  int64_t t_ms = 0;                  // replay: simulated time; fill: arrival number
  int busy_gpus = 0;                 // GPUs with at least one job
  int64_t held_slices = 0;           // memory slices held by jobs
  int64_t stranded_slices = 0;       // free slices no profile can use
  int64_t running_demand_milli = 0;  // what the running jobs asked for (gpu_milli * num_gpu)
  int64_t queued = 0;
  friend bool operator==(const UsageSample&, const UsageSample&) = default;
};

// Fill mode, after each arrival: demand that arrived and demand placed.
struct FillPoint {
  int64_t arrived_milli = 0;
  int64_t allocated_milli = 0;
  friend bool operator==(const FillPoint&, const FillPoint&) = default;
};

// One service (service.h) beside the batch jobs: what it wanted and got.
// A replica "runs" from its start (its instance created) until its service
// scales it down; one still waiting then is withdrawn.
struct ServiceResult {
  std::string name;
  int64_t replicas_wanted = 0;      // scale-ups: replicas requested (service.h ReplicaWant)
  int64_t replicas_started = 0;     // of which started before they were scaled down
  int64_t replica_ms_wanted = 0;    // replica-time the load asked for
  int64_t replica_ms_served = 0;    // replica-time running while wanted
  int64_t under_provisioned_ms = 0; // time with fewer replicas running than wanted
  int64_t start_delay_p50_ms = 0;   // scale-up to start, of the replicas that started
  int64_t start_delay_p99_ms = 0;
  int64_t start_delay_max_ms = 0;
  // Served replica-time over wanted; 1 when nothing was wanted.
  double ServedFraction() const {
    return replica_ms_wanted > 0 ? static_cast<double>(replica_ms_served) / static_cast<double>(replica_ms_wanted) : 1.0;
  }
  friend bool operator==(const ServiceResult&, const ServiceResult&) = default;
};

struct PolicyResult {
  std::string policy;
  std::string isolation;  // "mig", "whole-gpu" or "none"
  std::string setup_note;  // how the policy's layout was chosen, when it says more than its name (static-plan)
  int64_t fleet_gpus = 0;
  // The batch jobs' counts and delays; service replicas are counted in
  // `services` only (GPUs, utilisation, slices and reconfiguration time are
  // the whole fleet's, replicas included).
  int64_t jobs = 0;        // arrivals
  int64_t placed = 0;      // jobs that started
  int64_t unplaced = 0;    // never started: infeasible, unmappable, waiting at the end, or rejected (fill)
  int64_t infeasible = 0;  // of which the scheduler called infeasible or no GPU could run
  int64_t arrived_demand_milli = 0;
  int64_t placed_demand_milli = 0;
  // Replay: placed demand / arrived demand. Fill: allocated / arrived demand
  // when arrived demand first reaches the fleet's capacity.
  double allocation_rate = 0;
  // Time-weighted means over the replay (fill: at the end):
  double utilization_mean = 0;        // running demand / capacity of the GPUs in use
  double slice_utilization_mean = 0;  // held slices / slices of the GPUs in use
  double fleet_utilization_mean = 0;  // running demand / capacity of the whole fleet
  double stranded_slices_mean = 0;
  int64_t stranded_slices_peak = 0;
  int gpus_used_peak = 0;             // "GPUs needed"
  double queue_delay_p50_s = 0;
  double queue_delay_p99_s = 0;
  int64_t reconfigurations = 0;
  // The reconfiguration cost model (engine.h ReconfigurationCost):
  int64_t reconfiguration_ms = 0;            // time paid: every create and destroy, summed over GPUs
  int64_t reconfiguration_waited_jobs = 0;   // jobs whose start waited for their instance
  int64_t reconfiguration_wait_ms = 0;       // summed over those jobs (job-time lost)
  int64_t busy_disrupted = 0;         // busy instances a repartition touched: must be 0
  int64_t end_ms = 0;                 // time of the last event
  int64_t first_rejection = 0;        // fill: 1-based arrival of the first runnable job not placed; 0 = none
  // Fill: arrivals until arrived demand first reached the fleet's capacity
  // (the same for every policy) and how many of them were placed, so that
  // policies compare on the same jobs (each run goes on until it is full).
  int64_t arrivals_at_capacity = 0;
  int64_t placed_at_capacity = 0;
  std::vector<int64_t> queue_delays_ms;  // sorted, one per placed job
  std::vector<UsageSample> samples;
  std::vector<FillPoint> fill_curve;     // fill mode only
  std::vector<ServiceResult> services;   // replay with services only, in their order
  friend bool operator==(const PolicyResult&, const PolicyResult&) = default;
};

// Wall-clock time of the scheduler's decision for each arriving job
// (Submit), measured by a clock the caller injects. Not deterministic.
struct DecisionLatency {
  int64_t samples = 0;
  double p50_us = 0;
  double p99_us = 0;
};

struct PolicyRun {
  PolicyResult result;
  DecisionLatency latency;
};

// The nearest-rank percentile (0 < p <= 100) of sorted values; 0 when empty.
int64_t Percentile(const std::vector<int64_t>& sorted, double p);

}  // namespace migsched::sim
