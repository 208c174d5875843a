// Observed node states and agent targets built from "PROFILE@START" specs, for
// tests of the agent and of mig-parted targets (link migsched::agent).
#pragma once

#include <string>
#include <vector>

#include "agent/node_state.h"
#include "testing/catalog_fixture.h"

namespace migsched::testing {

// A MIG-enabled GPU holding `layout`, each instance with its full compute
// instance; NVML ids in list order.
inline agent::ObservedGpu ObservedWith(const geometry::GpuModel& model, int index,
                                       const std::vector<geometry::GpuInstance>& layout) {
  agent::ObservedGpu gpu{.index = index, .uuid = "GPU-" + std::to_string(index),
                         .pci_device_id = model.pci_device_ids.empty() ? 0u : model.pci_device_ids.front(),
                         .model = &model,
                         .mig_enabled = true, .instances = {}, .pids = {}};
  int id = 1;
  for (const geometry::GpuInstance& instance : layout) {
    const geometry::CiProfile* full =
        agent::FullComputeInstance(model.profiles[static_cast<size_t>(instance.profile)]);
    gpu.instances.push_back(agent::ObservedGpuInstance{
        .id = id++, .instance = instance,
        .compute_instances = {agent::ObservedComputeInstance{.id = 0, .profile_id = full->id}},
        .pids = {}});
  }
  return gpu;
}

// The same from "PROFILE@START" specs.
inline agent::ObservedGpu Observed(const geometry::GpuModel& model, int index,
                                   const std::vector<std::string>& specs) {
  return ObservedWith(model, index, Instances(model, specs));
}

inline agent::GpuTarget Target(const geometry::GpuModel& model, int index,
                               const std::vector<std::string>& specs) {
  return agent::GpuTarget{.index = index, .mig_enabled = true, .instances = Instances(model, specs)};
}

}  // namespace migsched::testing
