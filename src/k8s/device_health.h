// What a resource's ListAndWatch tells kubelet: the devices there now,
// Healthy, and those that have vanished since (a repartition destroyed the
// instance, or another tenant took it), Unhealthy. Kubelet then stops
// counting a vanished device as allocatable and can tell the pods bound to
// it, instead of silently forgetting it. Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "k8s/node_devices.h"

namespace migsched::k8s {

inline constexpr std::string_view kHealthy = "Healthy";
inline constexpr std::string_view kUnhealthy = "Unhealthy";

struct ListedDevice {
  std::string id;
  bool healthy = true;
  friend bool operator==(const ListedDevice&, const ListedDevice&) = default;
};

// Vanished devices kept Unhealthy per resource: MIG UUIDs are new for every
// instance created, so a long-lived plugin on a node that repartitions often
// would otherwise list every instance it ever saw. The oldest go first.
inline constexpr std::size_t kMaxVanishedDevices = 64;

// The new list: `now`'s devices, Healthy, in its order, then the devices of
// `before` not among them, Unhealthy, in `before`'s order (at most
// kMaxVanishedDevices of them, the most recently seen).
std::vector<ListedDevice> MergeHealth(const std::vector<ListedDevice>& before, const std::vector<PluginDevice>& now);

}  // namespace migsched::k8s
