// Reconcile: from what a node's GPUs hold to what they should hold, with the
// fewest NVML operations, in an order the hardware accepts.
//
// The operations and their order are geometry::DiffLayouts's (layout_diff.h),
// the rule `plan --dry-run` and plan.json use too, so the same change gives
// the same operations. What only the agent sees is added here: NVML's GPU and
// compute-instance ids; a GPU instance in the target whose compute instances
// are wrong (not exactly one spanning it) keeps its GPU instance and only has
// its compute instances replaced; destroy_ci becomes one NVML call per
// compute instance the GPU instance holds (none when it holds none).
//
// Nothing is planned unless the whole target is valid (geometry::CheckLayout)
// and no instance with running processes would be destroyed (unless
// `force`) and no MIG mode changes on a GPU that processes use as a whole
// (NVML refuses that even with force): Reconcile fails with the reason and
// changes nothing.
#pragma once

#include <string>
#include <vector>

#include "agent/node_state.h"
#include "common/status.h"
#include "geometry/mig_op.h"

namespace migsched::agent {

// One NVML mutation. GPU instances are named by (profile, start), which
// survives a crash; the NVML ids in `gi_id`/`ci_id` are only valid for the
// observation the op was planned from.
struct Op {
  geometry::MigOpKind kind = geometry::MigOpKind::kCreateGi;
  int gpu = 0;
  geometry::GpuInstance instance;    // the GPU instance the op concerns; {} for MIG mode ops
  int ci_profile_id = 0;             // create_ci, destroy_ci
  int gi_id = -1;                    // destroy ops; create_ci in an existing GPU instance
  int ci_id = -1;                    // destroy_ci
  friend bool operator==(const Op&, const Op&) = default;
};

// "gpu 0: create_gi 3g.20gb@4", "gpu 0: destroy_ci 3g.20gb@4 (compute
// instance 1, ci profile 0)": plan.json's op names, with the NVML ids.
std::string DescribeOp(const geometry::GpuModel& model, const Op& op);

struct KeptInstance {
  int gpu = 0;
  geometry::GpuInstance instance;
};

struct NodePlan {
  std::vector<Op> ops;             // execution order
  std::vector<KeptInstance> kept;  // instances left as they are
};

struct ReconcileOptions {
  bool force = false;  // allow destroying instances with running processes
};

// `targets` name GPUs by index; GPUs without a target are left alone.
// InvalidArgument: a target for a GPU that does not exist, or an invalid
// layout. FailedPrecondition: a busy instance would be destroyed (names the
// instance and its pids).
Result<NodePlan> Reconcile(const std::vector<ObservedGpu>& gpus,
                           const std::vector<GpuTarget>& targets, const ReconcileOptions& options);

}  // namespace migsched::agent
