// The devices one node offers Kubernetes through the device plugin, decided
// from a `migsched serve` fleet document (GET /v1/fleet): one resource per
// MIG profile the node's GPU models offer, in NVIDIA's mixed-strategy names
// ("nvidia.com/mig-1g.10gb"), and "nvidia.com/gpu" for GPUs with MIG off.
// A device is a MIG instance the agent has created (ID: its MIG UUID) or a
// whole GPU (ID: the GPU's UUID) that is idle, held by a reservation for
// Kubernetes work (a migsched job of the Kubernetes tenant) or held for a pod
// kubelet allocated it to (an external hold the plugin reported); instances
// that other tenants' jobs hold are not offered. Pure.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "geometry/catalog.h"

namespace migsched::k8s {

// The tenant of migsched jobs that reserve instances for Kubernetes pods (the
// controller's reservations; the same name as its kK8sTenant).
inline constexpr std::string_view kPluginTenant = "k8s";
// The tenant of the jobs serve makes for the plugin's report of the devices
// pods hold (PUT /v1/nodes/{node}/external-holds; serve's kExternalHoldTenant).
inline constexpr std::string_view kPodHoldTenant = "external";

// The ids of the migsched jobs that hold instances for Kubernetes.
struct KubernetesJobs {
  std::set<std::uint64_t> reservations;  // tenant kPluginTenant
  std::set<std::uint64_t> pod_holds;     // tenant kPodHoldTenant
};

struct PluginDevice {
  std::string id;            // MIG UUID, or the GPU UUID for a whole GPU
  int gpu = 0;               // index on the node
  int start = 0;             // first memory slice (0 for a whole GPU)
  bool reserved = false;     // held by a Kubernetes reservation
  int gpu_spare_slices = 0;  // idle + free memory slices on its GPU
};

struct ResourceDevices {
  std::string resource;
  std::vector<PluginDevice> devices;  // GPU, then start order
};

// Every resource the node can offer (empty ones too, so that a profile cut
// later already has its plugin registered), sorted by name.
using NodeDevices = std::vector<ResourceDevices>;

// The ids of the jobs in `tenant` from a GET /v1/jobs document.
// InvalidArgument for a document of another shape.
Result<std::set<std::uint64_t>> TenantJobIds(const nlohmann::json& jobs, std::string_view tenant);

// Errors: InvalidArgument for a document of another shape; NotFound for a
// node the fleet lacks (its agent has not reported yet) or a model or
// profile the catalog does not know.
Result<NodeDevices> NodeDevicesFromFleet(const nlohmann::json& fleet, std::string_view node,
                                         const geometry::Catalog& catalog,
                                         const KubernetesJobs& jobs);

}  // namespace migsched::k8s
