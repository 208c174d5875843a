#include "cli/k8s_plugin_commands.h"

#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <memory>

#include "cli/cli.h"
#include "cli/server_client.h"
#include "common/names.h"
#include "k8s/device_plugin.h"

namespace migsched::cli {
namespace {

struct DevicePluginArgs {
  ServerArgs server;
  std::string node;
  std::string plugin_dir = "/var/lib/kubelet/device-plugins";
  bool cdi = false;
  int interval_ms = 250;
  std::string pod_resources_socket = std::string(k8s::kPodResourcesSocket);
};

std::atomic<bool> g_stop{false};

extern "C" void OnStopSignal(int) { g_stop.store(true); }

int RunDevicePlugin(const CommandContext& context, const DevicePluginArgs& args) {
  if (Status s = CheckHostName(args.node, "--node"); !s.ok()) {
    context.err << "migsched: " << s.message() << "\n";
    return kExitBadInput;
  }
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  const k8s::CallJson call = [&args](const std::string& method, const std::string& path, const std::string& body) {
    return CallServer(args.server, method, path, body);
  };
  const Status status = k8s::RunDevicePlugin(context.catalog,
                                             {.node = args.node, .plugin_dir = args.plugin_dir, .cdi = args.cdi,
                                              .tenant = std::string(k8s::kPluginTenant),
                                              .interval = std::chrono::milliseconds(args.interval_ms),
                                              .pod_resources_socket = args.pod_resources_socket},
                                             call, g_stop, context.out);
  if (!status.ok()) {
    context.err << "migsched: " << status.message() << "\n";
    return kExitNo;
  }
  return kExitOk;
}

}  // namespace

void AddK8sPluginCommands(CLI::App& app, ChosenCommand& chosen) {
  // The `k8s` group, made by whichever k8s command module comes first.
  const std::vector<CLI::App*> found = app.get_subcommands([](CLI::App* s) { return s->get_name() == "k8s"; });
  CLI::App* k8s = found.empty() ? app.add_subcommand("k8s", "Kubernetes: the MIG device plugin") : found.front();
  k8s->require_subcommand(1);
  auto args = std::make_shared<DevicePluginArgs>();
  CLI::App* plugin = k8s->add_subcommand(
      "device-plugin", "offer this node's MIG instances to kubelet (device plugin API v1beta1), following migsched serve");
  plugin->add_option("--node", args->node, "this node's name in migsched serve")->required();
  plugin->add_option("--plugin-dir", args->plugin_dir, "kubelet's device plugin directory (kubelet.sock)")
      ->capture_default_str();
  plugin->add_option("--pod-resources-socket", args->pod_resources_socket,
                     "kubelet's PodResources socket: which devices pods hold, reported to serve")
      ->capture_default_str();
  plugin->add_flag("--cdi", args->cdi, "also name the devices as CDI devices (nvidia.com/gpu=MIG-...) in Allocate");
  plugin->add_option("--interval-ms", args->interval_ms, "how often to read the fleet from the server")
      ->capture_default_str()
      ->check(CLI::Range(10, 60000));
  AddServerOptions(plugin, args->server);
  plugin->callback([&chosen, args] {
    chosen = [args](const CommandContext& c) { return RunDevicePlugin(c, *args); };
  });
}

}  // namespace migsched::cli
