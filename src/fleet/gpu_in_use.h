// The one "GPU in use" rule (issue 14.5): a GPU is in use when it runs work
// (a busy instance, or busy while used whole) or is planned to (an instance
// or the whole GPU has an owner). The planner counts GPUs with it and the
// CLI prints them with it, so a busy whole GPU with no workload of the
// request is both counted and shown as in use.
#pragma once

#include <algorithm>

#include "fleet/fleet.h"

namespace migsched::fleet {

inline bool InUse(const FleetGpu& gpu) {
  if (!gpu.mig_enabled) return gpu.whole_gpu_busy || !gpu.whole_gpu_workload.empty();
  return std::any_of(gpu.instances.begin(), gpu.instances.end(),
                     [](const FleetInstance& i) { return i.busy || !i.workload.empty(); });
}

}  // namespace migsched::fleet
