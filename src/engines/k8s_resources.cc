#include "engines/k8s_resources.h"

#include <map>

namespace migsched::engines {

std::string MigResourceName(std::string_view profile) {
  std::string name = "nvidia.com/mig-" + std::string(profile);
  for (char& c : name) {
    if (c == '+') c = '.';
  }
  return name;
}

std::optional<std::string> ProfileOfMigResource(std::string_view resource) {
  constexpr std::string_view kPrefix = "nvidia.com/mig-";
  if (resource.substr(0, kPrefix.size()) != kPrefix || resource.size() == kPrefix.size()) return std::nullopt;
  std::string profile(resource.substr(kPrefix.size()));
  const std::size_t size_end = profile.find("gb");
  if (size_end == std::string::npos) return std::nullopt;
  if (size_end + 2 < profile.size() && profile[size_end + 2] == '.') profile[size_end + 2] = '+';
  return profile;
}

K8sResources ComputeK8sResources(const fleet::Fleet& fleet) {
  K8sResources out;
  std::map<std::string, size_t> node_slot;
  for (const fleet::FleetGpu& gpu : fleet.gpus) {
    auto [it, inserted] = node_slot.try_emplace(gpu.node, out.nodes.size());
    if (inserted) out.nodes.push_back(NodeResources{.node = gpu.node, .resources = {}});
    ProfileCounts resources;
    if (!gpu.mig_enabled) {
      resources.emplace_back(std::string(kWholeGpuResource), 1);
    } else {
      for (const auto& [profile, count] : CountProfiles(gpu)) {
        resources.emplace_back(MigResourceName(profile), count);
      }
    }
    AddCounts(out.nodes[it->second].resources, resources);
    AddCounts(out.fleet, resources);
  }
  return out;
}

}  // namespace migsched::engines
