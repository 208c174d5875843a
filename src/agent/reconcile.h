// Reconcile: from what a node's GPUs hold to what they should hold, with the
// fewest NVML operations, in an order the hardware accepts.
//
// Per GPU: an instance that already matches (same profile and start, exactly
// one full compute instance) is kept untouched; a matching GPU instance with
// the wrong compute instances keeps its GPU instance and only has its compute
// instances replaced; every other instance is destroyed (compute instances
// first, then the GPU instance). MIG mode changes only when it differs, after
// the destroys and before the creates. New GPU instances are created at their
// explicit starts, each followed by its compute instance.
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

namespace migsched::agent {

enum class OpKind { kSetMigMode, kDestroyComputeInstance, kDestroyGpuInstance,
                    kCreateGpuInstance, kCreateComputeInstance };

// One NVML mutation. GPU instances are named by (profile, start), which
// survives a crash; the NVML ids in `gi_id`/`ci_id` are only valid for the
// observation the op was planned from.
struct Op {
  OpKind kind = OpKind::kCreateGpuInstance;
  int gpu = 0;
  bool mig_enabled = false;          // kSetMigMode
  geometry::GpuInstance instance;    // the GPU instance the op concerns
  int ci_profile_id = 0;             // kCreateComputeInstance, kDestroyComputeInstance
  int gi_id = -1;                    // destroy ops; create_ci in an existing GPU instance
  int ci_id = -1;                    // kDestroyComputeInstance
  friend bool operator==(const Op&, const Op&) = default;
};

// "gpu 0: create GPU instance 3g.20gb@4".
std::string DescribeOp(const geometry::GpuModel& model, const Op& op);
std::string_view OpKindName(OpKind kind);  // "create_gi", ... as in plan.json

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
