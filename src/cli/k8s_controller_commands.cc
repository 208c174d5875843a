#include "cli/k8s_controller_commands.h"

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "agent/journal.h"
#include "cli/agent_commands.h"
#include "cli/cli.h"
#include "cli/seconds_option.h"
#include "cli/server_client.h"
#include "common/names.h"
#include "k8s/controller.h"
#include "k8s/kube_config.h"
#include "k8s/mig_config_label_watch.h"
#include "nvml/nvml_session.h"

namespace migsched::cli {
namespace {

std::atomic<bool> g_stop{false};

// extern "C" names share one namespace across files, anonymous or not: a name of its own.
extern "C" void OnK8sControlStopSignal(int) { g_stop.store(true); }

struct KubeArgs {
  std::string kubeconfig;  // "" = $KUBECONFIG, else the pod's service account
};

struct ControllerArgs {
  ServerArgs server;
  KubeArgs kube;
  double interval_s = 2;
};

struct MigManagerArgs {
  KubeArgs kube;
  std::string node;
  std::string config_file;
  std::string journal{agent::kDefaultJournalPath};
  std::string reboot_command;  // "": a MIG mode change that needs a reboot is `failed`
};

// Whether a GPU's MIG mode change waits for a reset (NVML's pending mode
// differs from the current one): the node must reboot for it. An unreadable
// NVML says no.
bool MigModeChangePending(const CommandContext& context) {
  Result<std::unique_ptr<nvml::NvmlSession>> session = nvml::NvmlSession::Open(context.catalog);
  if (!session.has_value()) return false;
  const Result<unsigned> count = (*session)->DeviceCount();
  for (unsigned i = 0; count.has_value() && i < *count; ++i) {
    const Result<nvml::DeviceInfo> device = (*session)->Device(i);
    if (device.has_value() && device->mig && device->mig->pending != device->mig->current) return true;
  }
  return false;
}

int Fail(const CommandContext& context, const Status& status) {
  context.err << "migsched: " << status.message() << "\n";
  return status.code() == StatusCode::kInvalidArgument || status.code() == StatusCode::kNotFound ? kExitBadInput
                                                                                                  : kExitNo;
}

Result<k8s::KubeConfig> ResolveKubeConfig(const KubeArgs& args) {
  if (!args.kubeconfig.empty()) return k8s::LoadKubeconfig(args.kubeconfig);
  if (const char* env = std::getenv("KUBECONFIG"); env != nullptr && *env != '\0') return k8s::LoadKubeconfig(env);
  return k8s::InClusterConfig();
}

void AddKubeOptions(CLI::App* command, KubeArgs& args) {
  command->add_option("--kubeconfig", args.kubeconfig,
                      "kubeconfig file (its current context); default $KUBECONFIG, else the pod's service account");
}

// The `k8s` command group, shared with the device plugin's commands.
CLI::App* K8sGroup(CLI::App& app) {
  const std::vector<CLI::App*> found = app.get_subcommands([](CLI::App* s) { return s->get_name() == "k8s"; });
  if (!found.empty()) return found.front();
  CLI::App* group = app.add_subcommand("k8s", "Kubernetes: controller, mig-manager drop-in (docs/kubernetes.md)");
  group->require_subcommand(1);
  return group;
}

int RunController(const CommandContext& context, const ControllerArgs& args) {
  Result<k8s::KubeConfig> config = ResolveKubeConfig(args.kube);
  if (!config.has_value()) return Fail(context, config.error());
  // The token is read once, so a bad file fails now rather than at each call.
  if (Result<nlohmann::json> health = CallServer(args.server, "GET", "/v1/jobs?limit=1"); !health.has_value()) {
    return Fail(context, health.error());
  }
  const k8s::KubeApiClient kube(*config);
  std::signal(SIGINT, OnK8sControlStopSignal);
  std::signal(SIGTERM, OnK8sControlStopSignal);
  context.out << "migsched k8s controller: pods of " << kube.server() << ", reservations in " << args.server.server
              << " (tenant k8s)" << std::endl;
  k8s::Controller controller(
      kube,
      [&](const std::string& method, const std::string& path, const std::string& body) {
        return CallServer(args.server, method, path, body);
      },
      {.interval = std::chrono::milliseconds(ToMilliseconds(args.interval_s))}, std::cerr);
  controller.Run(g_stop);
  context.out << "migsched k8s controller: stopped" << std::endl;
  return kExitOk;
}

int RunMigManager(const CommandContext& context, const MigManagerArgs& args) {
  if (const Status name = CheckHostName(args.node, "--node"); !name.ok()) return Fail(context, name);
  Result<k8s::KubeConfig> config = ResolveKubeConfig(args.kube);
  if (!config.has_value()) return Fail(context, config.error());
  const k8s::KubeApiClient kube(*config);
  std::signal(SIGINT, OnK8sControlStopSignal);
  std::signal(SIGTERM, OnK8sControlStopSignal);
  context.out << "migsched k8s mig-manager: node " << args.node << ", configs in " << args.config_file << std::endl;
  // `migsched assert` and `migsched apply`, run in this process: the config
  // file is read again each time, as the mounted ConfigMap may have changed.
  k8s::MigConfigSteps steps{
      .matches = [&](const std::string& name) -> Result<bool> {
        const int exit = RunAssert(context, args.config_file, name);
        if (exit == kExitBadInput) return InvalidArgumentError("config '" + name + "' cannot be checked");
        return exit == kExitOk;
      },
      .apply = [&](const std::string& name) -> k8s::ApplyOutcome {
        ApplyArgs apply;
        apply.config_file = args.config_file;
        apply.config_name = name;
        apply.wait = true;  // behind an agent's or an admin's apply
        apply.journal = args.journal;
        if (RunApply(context, apply) == kExitOk) return k8s::ApplyOutcome::kApplied;
        return MigModeChangePending(context) ? k8s::ApplyOutcome::kNeedsReboot : k8s::ApplyOutcome::kFailed;
      },
      .set_state = nullptr,
      .reboot = nullptr};
  if (!args.reboot_command.empty()) {
    steps.reboot = [&]() -> Status {
      context.out << "k8s mig-manager event=reboot node=" << args.node << " command=\"" << args.reboot_command << "\""
                  << std::endl;
      const int status = std::system(args.reboot_command.c_str());
      return status == 0 ? Status() : UnavailableError("the reboot command exited " + std::to_string(status));
    };
  }
  k8s::RunMigConfigLabelWatch(kube, args.node, std::move(steps), g_stop, context.out);
  context.out << "migsched k8s mig-manager: stopped" << std::endl;
  return kExitOk;
}

}  // namespace

void AddK8sControllerCommands(CLI::App& app, ChosenCommand& chosen) {
  CLI::App* group = K8sGroup(app);

  auto controller_args = std::make_shared<ControllerArgs>();
  CLI::App* controller = group->add_subcommand(
      "controller", "reserve MIG instances in migsched serve for pods kube-scheduler could not place");
  AddServerOptions(controller, controller_args->server);
  AddKubeOptions(controller, controller_args->kube);
  AddSecondsOption(*controller, "--interval", controller_args->interval_s,
                   "seconds between reconciliations when no pod changes", 3600);
  controller->callback([&chosen, controller_args] {
    chosen = [controller_args](const CommandContext& c) { return RunController(c, *controller_args); };
  });

  auto manager_args = std::make_shared<MigManagerArgs>();
  CLI::App* manager = group->add_subcommand(
      "mig-manager", "apply the node's nvidia.com/mig.config label and report nvidia.com/mig.config.state");
  AddKubeOptions(manager, manager_args->kube);
  manager->add_option("--node", manager_args->node, "this node's Kubernetes name")->required();
  manager->add_option("-f,--config-file", manager_args->config_file, "mig-parted config file (the ConfigMap's)")
      ->required();
  manager->add_option("--journal", manager_args->journal, "write-ahead journal file of the applies");
  manager->add_option("--reboot-command", manager_args->reboot_command,
                      "run to reboot the node when a MIG mode change needs it (e.g. 'chroot /host reboot'; "
                      "state `rebooting`); without it such a change is `failed`");
  manager->callback([&chosen, manager_args] {
    chosen = [manager_args](const CommandContext& c) { return RunMigManager(c, *manager_args); };
  });
}

}  // namespace migsched::cli
