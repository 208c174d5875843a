// `apply --plan plan.json --node NAME`: the planner's exact layout for this
// node's GPUs (schema in docs/plan-json.md / the team brief). Only the keys
// the agent needs are read: gpus[].{node, index, model, mig_enabled,
// instances[].{profile, start, size}}. The operations are recomputed against
// the GPUs as they really are (same result when they are as the planner
// assumed; safe when they are not, and after a crash).
//
// A small reader of our own: plan/plan_json.h (the planner's full reader) was
// not in main when this was written; switching to it changes only this file.
#pragma once

#include <string>
#include <vector>

#include "agent/node_state.h"
#include "common/status.h"
#include "geometry/catalog.h"

namespace migsched::agent {

struct PlannedGpu {
  const geometry::GpuModel* model = nullptr;
  GpuTarget target;
};

// The plan's GPUs on `node`. InvalidArgument naming "<file>: gpus[i]..." for
// malformed JSON, missing keys, a size that disagrees with the profile, an
// invalid layout, a GPU listed twice, or no GPU on that node (lists the
// plan's nodes); NotFound for an unreadable file, unknown model or profile.
Result<std::vector<PlannedGpu>> ReadPlanForNode(const geometry::Catalog& catalog,
                                                const std::string& path, const std::string& node);

// Targets for the observed GPUs; FailedPrecondition when a planned GPU is
// missing or of another model than the plan says.
Result<std::vector<GpuTarget>> TargetsFromPlan(const std::vector<PlannedGpu>& planned,
                                               const std::vector<ObservedGpu>& gpus);

}  // namespace migsched::agent
