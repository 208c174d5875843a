// The static-plan baseline's layout: the fleet cut once by the planner
// (plan::PlanFleet) for the trace's own mix, then never changed. It answers
// "what does dynamic repartitioning buy over the best static layout an
// operator would run?" rather than over an NVIDIA preset no one would choose
// for this mix.
//
// The mix is the expected concurrent demand per request shape (a profile on a
// model, or whole GPUs):
//   replay: each shape's own peak of jobs running at once over the jobs'
//           nominal intervals [arrival, arrival + run time) (arrivals divided
//           by compress, as the engine does). Sizing every shape for its own
//           peak is what a static layout must do never to make a job wait for
//           the wrong slice size. Service replicas (service.h) count
//           over the intervals their services want them.
//   fill:   the shapes of the arrivals (FillArrivals) until arrived demand
//           first reaches the fleet's capacity: the mix the allocation rate is
//           read against.
// Each shape becomes a planner workload (an instance shape: memory and compute
// of its profile, allowed on its models; whole GPUs: a training workload, one
// replica per GPU). The planner places the most replicas on the fewest GPUs;
// its instances become idle instances of the static layout, and its
// whole-GPU GPUs and the GPUs it leaves unused stay empty (whole-GPU jobs run
// there). Deterministic: the planner is.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "fleet/fleet.h"
#include "geometry/catalog.h"
#include "sim/service.h"
#include "sim/sim_job.h"

namespace migsched::sim {

// One request shape and how many of it the static layout is cut for.
struct ShapeDemand {
  int whole_gpus = 0;                         // > 0: whole GPUs per job
  std::vector<sched::ProfileOption> options;  // the job's MIG options, or the models whole GPUs may be
  int64_t count = 0;                          // instances (or whole GPUs) wanted at once
};

enum class StaticPlanBasis { kReplayPeak, kFillMix };

struct StaticPlanSpec {
  StaticPlanBasis basis = StaticPlanBasis::kReplayPeak;
  double compress = 1.0;  // replay
  uint64_t seed = 1;      // fill
  std::span<const ServiceLoad> services = {};  // replay: services beside the jobs
};

// Shapes in order of first occurrence among the jobs; jobs no GPU can run are not counted.
std::vector<ShapeDemand> ConcurrentDemand(const std::vector<SimJob>& jobs, const fleet::Fleet& fleet,
                                          const StaticPlanSpec& spec);

struct StaticPlan {
  fleet::Fleet fleet;               // the cut fleet: idle instances, empty GPUs
  int64_t replicas_wanted = 0;      // sum of the shapes' counts
  int64_t replicas_unplaced = 0;    // what the planner could not fit on the fleet
  int gpus_cut = 0;                 // GPUs holding at least one instance
};

// The planner's errors pass through (prefixed "static-plan").
Result<StaticPlan> PlanStaticFleet(const std::vector<SimJob>& jobs, const geometry::Catalog& catalog,
                                   const fleet::Fleet& fleet, const StaticPlanSpec& spec);

}  // namespace migsched::sim
