// GetPreferredAllocation's answer for one container: which of the devices
// kubelet offers to take. Kubelet's own choice is arbitrary; this one follows
// the scheduler core's frag-aware policy:
//   1. the devices kubelet must include;
//   2. instances reserved for Kubernetes work (the controller asked the core
//      for them, for this kind of pod);
//   3. idle instances on the fullest GPU first (fewest idle + free slices),
//      so the emptier GPUs keep their idle slices together for the core to
//      repartition into larger instances; then by GPU and start, so equal
//      choices come out the same way every time.
// Example: offered 1g.10gb instances A (GPU 0, 5 spare slices), B (GPU 1,
// 1 spare), C (GPU 1, 1 spare, reserved) and size 2 -> C, B. Pure.
#pragma once

#include <string>
#include <vector>

#include "k8s/node_devices.h"

namespace migsched::k8s {

struct PreferenceRequest {
  std::vector<std::string> available;
  std::vector<std::string> must_include;
  int size = 0;
};

// At most `size` ids (fewer when fewer are available); ids the plugin does
// not know (vanished since kubelet's list) come last, by id.
std::vector<std::string> PreferredAllocation(const PreferenceRequest& request,
                                             const std::vector<PluginDevice>& devices);

}  // namespace migsched::k8s
