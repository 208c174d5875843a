// Long-running services beside the batch jobs: an inference service whose
// replicas scale with its load. A request-rate series (a step function:
// each point's rate holds until the next point) becomes the replicas the
// service wants over time, and those become replica requests to the same
// scheduler backend as the batch jobs (engine.h runs them).
//
// The rule: desired replicas = ceil(rate / replica_rps), clamped to
// [min_replicas, max_replicas]. Scale-down releases the newest replicas
// first, so replica slot k is wanted exactly while desired > k. Example,
// replica_rps 10, min 1, max 3, rate 0 s: 5, 60 s: 25, 120 s: 12, end 180 s:
//   desired 1 from 0 s, 3 from 60 s, 2 from 120 s, 0 at 180 s
//   slot 0 wanted [0, 180), slot 1 [60, 180), slot 2 [60, 120)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "fleet/fleet.h"
#include "sim/backend.h"
#include "trace/trace.h"

namespace migsched::sim {

// Rates are integer thousandths of a request per second (quantities are integers).
struct RatePoint {
  int64_t t_ms = 0;
  int64_t milli_rps = 0;  // >= 0
  friend bool operator==(const RatePoint&, const RatePoint&) = default;
};

struct ServiceSpec {
  std::string name;
  // One replica's request, as a trace row gives it (gpu_milli, gpu_memory_mib
  // or profile; one GPU, num_gpu 1); mapped by profile_mapping.h like the jobs.
  trace::TraceJob replica;
  int64_t replica_milli_rps = 0;  // what one replica sustains; > 0
  int min_replicas = 0;
  int max_replicas = 0;           // >= min_replicas, >= 1
  std::vector<RatePoint> rate;    // at least one point, times strictly increasing
  // 0: the series is played once. Otherwise it repeats every period_ms
  // (its times taken relative to the first point, all within one period).
  int64_t period_ms = 0;
  int64_t end_ms = 0;             // the service stops (every replica released); > the first point
};

// From `t_ms` on, the service wants `replicas` (the last step is 0 at end_ms).
struct ScaleStep {
  int64_t t_ms = 0;
  int replicas = 0;
  friend bool operator==(const ScaleStep&, const ScaleStep&) = default;
};

// One replica the service wants over [start_ms, end_ms): slot k is the
// (k+1)-th replica running at once; a slot wanted several times is several
// ReplicaWants.
struct ReplicaWant {
  int slot = 0;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  friend bool operator==(const ReplicaWant&, const ReplicaWant&) = default;
};

// InvalidArgument "service '<name>': ..." for a spec that breaks its
// contract above, or whose repeated series has more than 1,000,000 points
// (the file reader checks the same with file:line first).
Status ValidateService(const ServiceSpec& spec);

// The desired replica count over time, one step per change, ending with 0 at
// end_ms. The spec must be valid.
std::vector<ScaleStep> DesiredReplicas(const ServiceSpec& spec);

// The replicas those steps want, newest released first, ordered by
// (start_ms, slot).
std::vector<ReplicaWant> ReplicaWants(const std::vector<ScaleStep>& steps);

// A service as the engine runs it: its replica request on the fleet and the
// replicas it wants.
struct ServiceLoad {
  std::string name;
  SimRequest request;
  std::vector<ReplicaWant> replicas;
};

// Validates and maps every service. InvalidArgument when a spec is invalid,
// asks for more than 1,000,000 replica starts, or no GPU of the fleet can
// run its replica.
Result<std::vector<ServiceLoad>> PrepareServices(const std::vector<ServiceSpec>& specs, const fleet::Fleet& fleet);

}  // namespace migsched::sim
