#include "k8s/preferred_allocation.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace migsched::k8s {

std::vector<std::string> PreferredAllocation(const PreferenceRequest& request,
                                             const std::vector<PluginDevice>& devices) {
  const std::size_t size = request.size > 0 ? static_cast<std::size_t>(request.size) : 0;
  std::vector<std::string> out;
  std::set<std::string> taken;
  for (const std::string& id : request.must_include) {
    if (out.size() < size && taken.insert(id).second) out.push_back(id);
  }
  std::map<std::string, const PluginDevice*> known;
  for (const PluginDevice& device : devices) known[device.id] = &device;
  std::vector<std::string> rest;
  for (const std::string& id : request.available) {
    if (!taken.contains(id)) rest.push_back(id);
  }
  const auto rank = [&](const std::string& id) {
    const auto it = known.find(id);
    if (it == known.end()) return std::make_tuple(true, false, 0, 0, 0, id);
    const PluginDevice& d = *it->second;
    return std::make_tuple(false, !d.reserved, d.gpu_spare_slices, d.gpu, d.start, id);
  };
  std::sort(rest.begin(), rest.end(), [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
  rest.erase(std::unique(rest.begin(), rest.end()), rest.end());
  for (const std::string& id : rest) {
    if (out.size() >= size) break;
    out.push_back(id);
  }
  return out;
}

}  // namespace migsched::k8s
