// `migsched k8s mig-manager`: the drop-in for NVIDIA's mig-manager. Watches
// its own Node object and carries out every new `nvidia.com/mig.config`
// label (mig_config_label.h), writing `nvidia.com/mig.config.state` with a
// merge patch of the node's labels.
#pragma once

#include <atomic>
#include <ostream>
#include <string>

#include "k8s/kube_api_client.h"
#include "k8s/mig_config_label.h"

namespace migsched::k8s {

// Runs until `stop` is set; problems go to `log`, one line each.
// `set_state` of `steps` is filled in here.
void RunMigConfigLabelWatch(const KubeApiClient& kube, const std::string& node, MigConfigSteps steps,
                            const std::atomic<bool>& stop, std::ostream& log);

}  // namespace migsched::k8s
