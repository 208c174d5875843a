// Issue 14.5: the agent's reconcile and the planner's transition, side by
// side. Both sides' operations as comparable steps, and a GPU as the fleet
// (the planner's input) describes it.
#pragma once

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "agent/reconcile.h"
#include "fleet/fleet.h"
#include "geometry/layout.h"
#include "geometry/mig_op.h"
#include "plan/transition.h"

namespace migsched::agent {

// One operation as both sides name it; profile -1 and start 0 for MIG mode ops.
struct Step {
  geometry::MigOpKind kind = geometry::MigOpKind::kCreateGi;
  int profile = -1;
  int start = 0;
  friend bool operator==(const Step&, const Step&) = default;
};

inline void PrintTo(const Step& step, std::ostream* os) {
  *os << geometry::MigOpKindName(step.kind);
  if (!geometry::IsMigModeOp(step.kind)) *os << " profile " << step.profile << "@" << step.start;
}

inline std::vector<Step> StepsOf(const std::vector<Op>& ops) {
  std::vector<Step> steps;
  for (const Op& op : ops) {
    const bool mode = geometry::IsMigModeOp(op.kind);
    steps.push_back(Step{.kind = op.kind,
                         .profile = mode ? -1 : op.instance.profile,
                         .start = mode ? 0 : op.instance.placement.start});
  }
  return steps;
}

inline std::vector<Step> StepsOf(const std::vector<plan::TransitionOp>& ops) {
  std::vector<Step> steps;
  for (const plan::TransitionOp& op : ops) {
    steps.push_back(Step{.kind = op.kind, .profile = op.profile, .start = op.start});
  }
  return steps;
}

// GPU `index` of node "n1" holding `layout`; each instance is owned by a
// workload named after it, so an instance both layouts hold keeps its owner.
inline fleet::FleetGpu FleetGpuOf(const geometry::GpuModel& model, int index, bool mig_enabled,
                                  const std::vector<geometry::GpuInstance>& layout) {
  fleet::FleetGpu gpu{.node = "n1", .index = index, .model = &model, .mig_enabled = mig_enabled,
                      .whole_gpu_workload = "", .whole_gpu_busy = false, .instances = {}, .labels = {}};
  if (!mig_enabled) return gpu;
  for (const geometry::GpuInstance& instance : layout) {
    gpu.instances.push_back(fleet::FleetInstance{
        .instance = instance, .workload = geometry::InstanceLabel(model, instance), .busy = false});
  }
  return gpu;
}

inline std::vector<geometry::GpuInstance> SortedLayout(std::vector<geometry::GpuInstance> layout) {
  std::sort(layout.begin(), layout.end(), [](const geometry::GpuInstance& a, const geometry::GpuInstance& b) {
    if (a.placement.start != b.placement.start) return a.placement.start < b.placement.start;
    return a.profile < b.profile;
  });
  return layout;
}

}  // namespace migsched::agent
