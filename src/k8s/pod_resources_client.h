// The device plugin's client of kubelet's PodResources API v1 (List, over
// gRPC on kubelet's pod-resources socket): the devices kubelet's pods hold.
#pragma once

#include <chrono>
#include <filesystem>
#include <vector>

#include "common/status.h"
#include "k8s/pod_held_devices.h"

namespace migsched::k8s {

inline constexpr std::string_view kPodResourcesSocket = "/var/lib/kubelet/pod-resources/kubelet.sock";

// One List. Unavailable (with gRPC's message) when kubelet does not answer
// within `deadline`.
Result<std::vector<PodDevices>> ListPodDevices(const std::filesystem::path& socket,
                                               std::chrono::milliseconds deadline);

}  // namespace migsched::k8s
