// The agent's edge to the hardware: reading a node's MIG state through an
// NvmlSession into ObservedGpu values, and executing one reconcile Op.
#pragma once

#include <vector>

#include "agent/node_state.h"
#include "agent/reconcile.h"
#include "common/status.h"
#include "nvml/nvml_session.h"

namespace migsched::agent {

// Every GPU with its MIG mode, GPU instances (placements, compute instances)
// and the processes on each. NotFound naming the GPU when the catalog does
// not know a MIG-capable GPU; NVML's errors as NvmlSession reports them.
Result<std::vector<ObservedGpu>> ObserveNode(const nvml::NvmlSession& session);

// Performs `op` on GPU `op.gpu` of `model`. Compute instances are created in
// the GPU instance found at the op's placement (re-read, never a stale id).
// FailedPrecondition when a MIG mode change waits for a GPU reset.
Status ExecuteOp(nvml::NvmlSession& session, const geometry::GpuModel& model, const Op& op);

}  // namespace migsched::agent
