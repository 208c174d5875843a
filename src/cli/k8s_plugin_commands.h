// `migsched k8s device-plugin --node NAME [--server URL] [--token-file F]
// [--plugin-dir DIR] [--cdi] [--interval-ms N]`: the node's MIG instances, as
// `migsched serve` knows them, offered to kubelet through the device plugin
// API (docs/k8s-device-plugin.md).
#pragma once

#include "cli/command_context.h"

namespace migsched::cli {

void AddK8sPluginCommands(CLI::App& app, ChosenCommand& chosen);

}  // namespace migsched::cli
