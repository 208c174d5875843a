#include "k8s/mig_config_label.h"

namespace migsched::k8s {

using nlohmann::json;

std::optional<std::string> ConfigToHandle(const json& node, const std::optional<std::string>& handled) {
  if (!node.is_object() || !node.contains("metadata") || !node["metadata"].is_object()) return std::nullopt;
  const json& metadata = node["metadata"];
  if (!metadata.contains("labels") || !metadata["labels"].is_object()) return std::nullopt;
  const json& labels = metadata["labels"];
  const auto label = labels.find(std::string(kMigConfigLabel));
  if (label == labels.end() || !label->is_string()) return std::nullopt;
  const std::string config = label->get<std::string>();
  if (config.empty() || config == handled) return std::nullopt;
  return config;
}

Result<std::string> HandleMigConfig(const std::string& config, const MigConfigSteps& steps) {
  auto finish = [&](std::string state) -> Result<std::string> {
    if (Status s = steps.set_state(state); !s.ok()) return s;
    return state;
  };
  const Result<bool> matches = steps.matches(config);
  if (!matches.has_value()) return finish("failed");
  if (*matches) return finish("success");
  if (Status s = steps.set_state("pending"); !s.ok()) return s;
  switch (steps.apply(config)) {
    case ApplyOutcome::kApplied: return finish("success");
    case ApplyOutcome::kFailed: return finish("failed");
    case ApplyOutcome::kNeedsReboot: break;
  }
  if (!steps.reboot) return finish("failed");
  if (Status s = steps.set_state("rebooting"); !s.ok()) {
    (void)steps.set_state("failed");
    return s;
  }
  if (!steps.reboot().ok()) return finish("failed");
  return std::string("rebooting");
}

json MigConfigStatePatch(std::string_view state) {
  return json{{"metadata", {{"labels", {{std::string(kMigConfigStateLabel), std::string(state)}}}}}};
}

}  // namespace migsched::k8s
