// The agent's edge to the hardware: reading a node's MIG state through an
// NvmlSession into ObservedGpu values, and executing one reconcile Op.
#pragma once

#include <map>
#include <utility>
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

// Performs reconcile ops through NVML, one at a time, in plan order.
class NvmlExecutor {
 public:
  explicit NvmlExecutor(nvml::NvmlSession& session) : session_(session) {}

  // Performs `op` on GPU `op.gpu` of `model`. A compute instance goes into
  // the GPU instance the op names, or the one this executor created at that
  // placement, or else the one NVML lists there (never a guessed id).
  // FailedPrecondition when a MIG mode change waits for a GPU reset.
  Status Execute(const geometry::GpuModel& model, const Op& op);

 private:
  Result<unsigned> GpuInstanceFor(const Op& op) const;

  nvml::NvmlSession& session_;
  std::map<std::pair<int, int>, unsigned> created_;  // (gpu, start) -> GI id created here
};

}  // namespace migsched::agent
