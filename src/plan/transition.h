// Transition plan: the ordered operations that turn a fleet's current MIG
// layouts into a target, without ever touching a busy instance.
//
// Each GPU's operations are geometry::DiffLayouts's (layout_diff.h: keep what
// matches, destroy, change MIG mode, create, largest first), the same rule
// the node agent reconciles with; this adds the fleet's busy and ownership
// rules and checks every intermediate layout by replaying the plan. Example,
// H100-80GB: current {1g.10gb@6 busy, 3g.40gb@0}, target {1g.10gb@6,
// 2g.20gb@0, 2g.20gb@2} gives destroy_ci 3g@0, destroy_gi 3g@0, create_gi
// 2g@0, create_ci 2g@0, create_gi 2g@2, create_ci 2g@2. Pure.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "fleet/fleet.h"
#include "geometry/mig_op.h"

namespace migsched::plan {

struct TransitionOp {
  std::string node;
  int gpu = 0;      // GPU index on the node
  geometry::MigOpKind kind = geometry::MigOpKind::kCreateGi;
  int profile = -1;  // index into the GPU's model profiles; -1 for MIG mode ops
  int start = 0;     // placement start of the GPU instance; 0 for MIG mode ops
  friend bool operator==(const TransitionOp&, const TransitionOp&) = default;
};

struct TransitionPlan {
  std::vector<TransitionOp> operations;  // per GPU in fleet order, each GPU's ops in execution order
  int gpus_changed = 0;                  // GPUs with at least one op
};

// Plans the change from `current` to `target`, which must list the same GPUs
// (node, index, model) in the same order.
// Errors:
//   InvalidArgument: the fleets differ in GPUs or models, or a layout (current
//     or target) is invalid for its model; names the GPU and the reason.
//   FailedPrecondition: the target would destroy, move or reassign a busy
//     instance or a busy whole GPU; names the GPU and the instance.
Result<TransitionPlan> PlanTransition(const fleet::Fleet& current, const fleet::Fleet& target);

// Applies `operations` to `fleet`, checking each step as the hardware would
// (MIG mode, placement rules, no instance created twice or destroyed while
// absent or busy). Created instances are free ("" workload); callers copy
// owners from the target. Used to verify plans, by tests and before applying.
Result<fleet::Fleet> ApplyOperations(const fleet::Fleet& fleet,
                                     const std::vector<TransitionOp>& operations);

// "node-1 gpu 0: create_gi 3g.40gb@4"; model profiles give the names.
std::string DescribeOp(const fleet::Fleet& fleet, const TransitionOp& op);

}  // namespace migsched::plan
