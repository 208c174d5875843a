// Planned fleets for tests of what engines get from a plan (mig-parted
// configs, Kubernetes resources, Slurm gres).
#pragma once

#include <string>
#include <vector>

#include "fleet/fleet.h"
#include "testing/catalog_fixture.h"

namespace migsched::testing {

// A GPU holding `specs` ("PROFILE@START"), every instance owned by workload "w".
inline fleet::FleetGpu PlannedGpu(const std::string& node, int index, const geometry::GpuModel& model,
                                  const std::vector<std::string>& specs, bool mig_enabled = true) {
  fleet::FleetGpu gpu{.node = node, .index = index, .model = &model, .mig_enabled = mig_enabled,
                      .whole_gpu_workload = "", .whole_gpu_busy = false, .instances = {}, .labels = {}};
  for (const geometry::GpuInstance& i : Instances(model, specs)) {
    gpu.instances.push_back(fleet::FleetInstance{.instance = i, .workload = "w", .busy = false});
  }
  return gpu;
}

// node-1 and node-2 alike (two balanced H100s, one 7g, one whole GPU); node-3
// two A100-80GB: one MIG-enabled but empty, one with a single 1g.10gb+me.
inline fleet::Fleet MixedPlannedFleet() {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  const geometry::GpuModel& a100 = Gpu("A100-80GB");
  const std::vector<std::string> balanced = {"3g.40gb@4", "2g.20gb@0", "1g.10gb@2", "1g.10gb@3"};
  fleet::Fleet fleet;
  for (const std::string node : {"node-1", "node-2"}) {
    fleet.gpus.push_back(PlannedGpu(node, 0, h100, balanced));
    fleet.gpus.push_back(PlannedGpu(node, 1, h100, balanced));
    fleet.gpus.push_back(PlannedGpu(node, 2, h100, {"7g.80gb@0"}));
    fleet.gpus.push_back(PlannedGpu(node, 3, h100, {}, /*mig_enabled=*/false));
  }
  fleet.gpus.push_back(PlannedGpu("node-3", 0, a100, {}));
  fleet.gpus.push_back(PlannedGpu("node-3", 1, a100, {"1g.10gb+me@6"}));
  return fleet;
}

}  // namespace migsched::testing
