// Simulated arrivals of a planner workload mix — the online side of the one
// flow: the same workloads file `migsched plan` reads, each arriving job a
// replica of one workload, its request the planner's right-sizing
// (plan::RightSizeOnModels) on the fleet's models. Arrival and run times are
// the synthetic generator's (Poisson arrivals, exponential run times, same
// seed, same times); each job's workload is drawn with probability
// proportional to the workload's replicas.
//
// A job's request: one option per model whose choice is a MIG profile, in
// catalog order; a workload whose first choice is a whole GPU (training,
// needs above the largest profile) asks for one whole GPU of the models it
// may use. Its demand (gpu_milli, for utilisation and the time-slicing
// baseline) is its first choice's compute share, rounded
// down (seven 1g instances of an H100 make 994 milli, not 1001). Fleet labels are not
// scheduler constraints: require_labels is ignored here.
#pragma once

#include <vector>

#include "common/status.h"
#include "fleet/fleet.h"
#include "plan/workload.h"
#include "sim/sim_job.h"
#include "trace/synthetic.h"

namespace migsched::sim {

// InvalidArgument for no workloads, no replicas at all, or a workload sized
// by demand_rps (the simulator draws replicas; give replicas instead), and
// for arrival options GenerateSynthetic rejects. A workload that fits no
// model of the fleet gives jobs without a request (reported unplaced).
Result<std::vector<SimJob>> WorkloadJobs(const std::vector<plan::Workload>& workloads,
                                         const fleet::Fleet& fleet,
                                         const trace::SyntheticOptions& arrivals);

}  // namespace migsched::sim
