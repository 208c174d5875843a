// Allocate's answer for one container: the devices kubelet chose, as the
// NVIDIA container runtime reads them (NVIDIA_VISIBLE_DEVICES with the MIG
// or GPU UUIDs) and, with CDI, as fully qualified CDI device names
// ("nvidia.com/gpu=MIG-..."), the names NVIDIA's CDI spec generator gives
// them. Pure.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "k8s/device_health.h"

namespace migsched::k8s {

struct ContainerAllocation {
  std::map<std::string, std::string> envs;
  std::vector<std::string> cdi_devices;
};

struct AllocationOptions {
  bool cdi = false;
};

// Errors: InvalidArgument for no devices or a device asked for twice;
// NotFound for an id this resource does not list; FailedPrecondition for a
// device that has vanished (Unhealthy).
Result<ContainerAllocation> AllocateContainer(const std::vector<std::string>& ids,
                                              const std::vector<ListedDevice>& listed, AllocationOptions options);

}  // namespace migsched::k8s
