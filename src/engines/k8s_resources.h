// Kubernetes extended resources a planned fleet advertises under the NVIDIA
// device plugin's mixed MIG strategy: "nvidia.com/mig-<profile>" per MIG
// instance (e.g. nvidia.com/mig-1g.10gb: 16) and "nvidia.com/gpu" per whole
// GPU, per node and for the fleet. Profile suffixes follow the plugin's
// naming: "+" becomes "." ("1g.10gb+me" -> "nvidia.com/mig-1g.10gb.me"). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engines/profile_counts.h"
#include "fleet/fleet.h"

namespace migsched::engines {

struct NodeResources {
  std::string node;
  ProfileCounts resources;  // (resource name, count), in first-seen order
};

struct K8sResources {
  std::vector<NodeResources> nodes;  // fleet order
  ProfileCounts fleet;               // totals
};

// "nvidia.com/mig-1g.10gb" for a profile name.
std::string MigResourceName(std::string_view profile);
// The profile a resource name stands for, the inverse of MigResourceName:
// "nvidia.com/mig-1g.10gb.me" -> "1g.10gb+me" (the first "." after the
// memory size was a "+"); nullopt for a name that is not a MIG resource.
std::optional<std::string> ProfileOfMigResource(std::string_view resource);
inline constexpr std::string_view kWholeGpuResource = "nvidia.com/gpu";

K8sResources ComputeK8sResources(const fleet::Fleet& fleet);

}  // namespace migsched::engines
