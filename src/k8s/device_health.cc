#include "k8s/device_health.h"

#include <set>

namespace migsched::k8s {

std::vector<ListedDevice> MergeHealth(const std::vector<ListedDevice>& before, const std::vector<PluginDevice>& now) {
  std::vector<ListedDevice> out;
  std::set<std::string_view> present;
  for (const PluginDevice& device : now) {
    out.push_back({.id = device.id, .healthy = true});
    present.insert(device.id);
  }
  std::vector<ListedDevice> vanished;
  for (const ListedDevice& device : before) {
    if (!present.contains(device.id)) vanished.push_back({.id = device.id, .healthy = false});
  }
  // `before` lists the devices that just vanished ahead of the older ones.
  if (vanished.size() > kMaxVanishedDevices) vanished.resize(kMaxVanishedDevices);
  out.insert(out.end(), vanished.begin(), vanished.end());
  return out;
}

}  // namespace migsched::k8s
