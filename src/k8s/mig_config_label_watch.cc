#include "k8s/mig_config_label_watch.h"

#include <optional>
#include <ostream>

#include "k8s/kube_api_list_watch.h"

namespace migsched::k8s {

void RunMigConfigLabelWatch(const KubeApiClient& kube, const std::string& node, MigConfigSteps steps,
                            const std::atomic<bool>& stop, std::ostream& log) {
  const std::string node_path = "/api/v1/nodes/" + node;
  steps.set_state = [&](std::string_view state) -> Status {
    Result<nlohmann::json> patched = kube.Patch(node_path, MigConfigStatePatch(state), PatchType::kMerge);
    if (!patched.has_value()) return patched.error();
    log << "k8s mig-manager event=state node=" << node << " state=" << state << std::endl;
    return Status();
  };
  std::optional<std::string> handled;
  RunListWatch(
      kube, {.collection = "/api/v1/nodes", .selector = "fieldSelector=metadata.name%3D" + node}, stop,
      [&](const ObjectMap& nodes) {
        const auto it = nodes.find(node);
        if (it == nodes.end()) return;
        const std::optional<std::string> config = ConfigToHandle(it->second, handled);
        if (!config) return;
        log << "k8s mig-manager event=config node=" << node << " config=" << *config << std::endl;
        const Result<std::string> state = HandleMigConfig(*config, steps);
        if (!state.has_value()) {
          log << "k8s mig-manager event=state_failed node=" << node << " error=\"" << state.error().message() << "\"" << std::endl;
          return;  // not handled: tried again at the node's next change
        }
        handled = config;
      },
      log);
}

}  // namespace migsched::k8s
