#include "k8s/pod_held_devices.h"

#include <algorithm>

namespace migsched::k8s {

void AllocationLog::Record(const std::vector<std::string>& device_ids) {
  std::lock_guard lock(mutex_);
  ++last_;
  for (const std::string& id : device_ids) entries_.emplace_back(last_, id);
}

std::uint64_t AllocationLog::Mark() const {
  std::lock_guard lock(mutex_);
  return last_;
}

std::vector<std::string> AllocationLog::TakeAfter(std::uint64_t mark) {
  std::lock_guard lock(mutex_);
  std::erase_if(entries_, [mark](const auto& entry) { return entry.first <= mark; });
  std::vector<std::string> ids;
  for (const auto& [number, id] : entries_) ids.push_back(id);
  return ids;
}

std::vector<std::string> DevicesHeldByPods(const std::vector<PodDevices>& listed,
                                           const std::set<std::string>& resources,
                                           const std::vector<std::string>& allocated_since) {
  std::set<std::string> held(allocated_since.begin(), allocated_since.end());
  for (const PodDevices& container : listed) {
    if (resources.contains(container.resource)) held.insert(container.device_ids.begin(), container.device_ids.end());
  }
  return {held.begin(), held.end()};
}

}  // namespace migsched::k8s
