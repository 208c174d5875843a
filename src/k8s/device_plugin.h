// `migsched k8s device-plugin`: the node's MIG instances offered to kubelet.
// Every interval it reads the fleet and the Kubernetes reservations from
// `migsched serve`, decides each resource's devices (node_devices.h,
// device_health.h) and publishes changed lists to that resource's
// PluginServer, whose ListAndWatch streams send them at once: a repartition
// shows up without a restart. Each resource is served on its own unix socket
// in the plugin directory and registered with kubelet (kubelet.sock there).
// When kubelet restarts it re-creates kubelet.sock and removes the plugins'
// sockets: the runner sees the new socket, serves every resource again and
// registers it again. Every interval, and at once after an Allocate, it asks
// kubelet's PodResources which of its devices pods hold (pod_held_devices.h)
// and, when that changed (or a minute passed), reports them to serve, which
// keeps repartitions off them (PUT /v1/nodes/{node}/external-holds).
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "common/status.h"
#include "geometry/catalog.h"
#include "k8s/node_devices.h"
#include "k8s/pod_resources_client.h"

namespace migsched::k8s {

struct DevicePluginOptions {
  std::string node;
  std::filesystem::path plugin_dir = "/var/lib/kubelet/device-plugins";
  bool cdi = false;
  std::string tenant = std::string(kPluginTenant);  // whose jobs reserve instances for pods
  std::chrono::milliseconds interval{250};
  std::filesystem::path pod_resources_socket = std::string(kPodResourcesSocket);
};

// A call of the control plane's API: ("GET", "/v1/fleet", ""),
// ("PUT", "/v1/nodes/n1/external-holds", "{...}").
using CallJson =
    std::function<Result<nlohmann::json>(const std::string& method, const std::string& path, const std::string& body)>;

// Runs until `stop` is set. Errors of the server or kubelet are logged (one
// key=value line each, once until they change) and retried; the returned
// error is FailedPrecondition for a plugin directory that does not exist.
Status RunDevicePlugin(const geometry::Catalog& catalog, const DevicePluginOptions& options, const CallJson& call,
                       const std::atomic<bool>& stop, std::ostream& log);

}  // namespace migsched::k8s
