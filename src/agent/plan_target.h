// `apply --plan plan.json --node NAME`: the planner's exact layout for this
// node's GPUs. plan.json is read by the planner's own reader
// (plan/plan_json.h, schema in docs/plan-outputs.md); here the node's GPUs
// are picked out of it and turned into targets. The operations are
// recomputed against the GPUs as they really are (same result when they are
// as the planner assumed; safe when they are not, and after a crash).
#pragma once

#include <string>
#include <vector>

#include "agent/node_state.h"
#include "common/status.h"
#include "fleet/fleet.h"

namespace migsched::agent {

// The plan's GPUs on `node`, in plan order. InvalidArgument when there are
// none (lists the plan's nodes).
Result<std::vector<fleet::FleetGpu>> PlannedGpusOfNode(const fleet::Fleet& plan,
                                                       const std::string& node);

// Targets for the observed GPUs; FailedPrecondition when a planned GPU is
// missing or of another model than the plan says.
Result<std::vector<GpuTarget>> TargetsFromPlan(const std::vector<fleet::FleetGpu>& planned,
                                               const std::vector<ObservedGpu>& gpus);

}  // namespace migsched::agent
