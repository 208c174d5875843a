// What the agent sees on a node (ObservedGpu: GPU instances with their
// placements, compute instances and processes, as NVML reports them) and what
// it is asked to make of it (GpuTarget: MIG mode and an exact layout). Pure
// values; the NVML adapter fills the first, the mig-parted and plan readers
// the second.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "geometry/gpu_model.h"
#include "geometry/layout.h"

namespace migsched::agent {

struct ObservedComputeInstance {
  int id = 0;          // NVML-local compute-instance id, valid inside its GPU instance
  int profile_id = 0;  // CiProfile::id
  std::string uuid = {};  // the MIG device UUID ("MIG-..."); empty if NVML lists none
  friend bool operator==(const ObservedComputeInstance&, const ObservedComputeInstance&) = default;
};

struct ObservedGpuInstance {
  int id = 0;  // NVML-local GPU-instance id, valid on its GPU
  geometry::GpuInstance instance;
  std::vector<ObservedComputeInstance> compute_instances;
  std::vector<uint32_t> pids;  // processes running on it; non-empty = busy
  friend bool operator==(const ObservedGpuInstance&, const ObservedGpuInstance&) = default;
};

struct ObservedGpu {
  int index = 0;
  std::string uuid;
  uint32_t pci_device_id = 0;  // 0xDDDDVVVV
  const geometry::GpuModel* model = nullptr;
  bool mig_enabled = false;
  std::vector<ObservedGpuInstance> instances;
  std::vector<uint32_t> pids;  // processes on the whole GPU (MIG disabled)
};

// What one GPU should look like. Every GPU instance gets exactly one compute
// instance spanning it (the full-GI CI profile), as mig-parted does.
struct GpuTarget {
  int index = 0;
  bool mig_enabled = true;
  std::vector<geometry::GpuInstance> instances;  // explicit placements; empty when MIG is off
  friend bool operator==(const GpuTarget&, const GpuTarget&) = default;
};

// The compute-instance profile that spans a whole GPU instance of `profile`,
// or nullptr if the catalog lists none.
const geometry::CiProfile* FullComputeInstance(const geometry::GiProfile& profile);

// True when `gi` holds exactly one compute instance, spanning it.
bool HoldsFullComputeInstance(const geometry::GpuModel& model, const ObservedGpuInstance& gi);

}  // namespace migsched::agent
