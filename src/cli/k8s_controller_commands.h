// `migsched k8s controller` (reservations for unschedulable pods that ask
// for MIG devices) and `migsched k8s mig-manager` (the nvidia.com/mig.config
// node label, as NVIDIA's mig-manager honours it). docs/kubernetes.md.
#pragma once

#include "cli/command_context.h"

namespace migsched::cli {

void AddK8sControllerCommands(CLI::App& app, ChosenCommand& chosen);

}  // namespace migsched::cli
