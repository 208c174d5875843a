// NVIDIA mig-manager's contract, kept: a node's `nvidia.com/mig.config`
// label names a config of the mig-parted config file (the GPU operator's
// ConfigMap); the node's GPUs are made to match it and
// `nvidia.com/mig.config.state` reports the outcome. As mig-parted's
// reconfigure script does it: a config the file lacks is `failed` at once;
// GPUs that already match are `success` without a `pending`; otherwise
// `pending`, then the apply, then `success` or `failed`. A MIG mode change
// that waits for a GPU reset the node can only get by rebooting is
// `rebooting` followed by the reboot when rebooting is allowed (NVIDIA's
// WITH_REBOOT), else `failed`; after the reboot the config is handled again.
// Pure: the steps are given as functions.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace migsched::k8s {

inline constexpr std::string_view kMigConfigLabel = "nvidia.com/mig.config";
inline constexpr std::string_view kMigConfigStateLabel = "nvidia.com/mig.config.state";

// The config a node's labels ask for that has not been handled yet:
// nullopt when the label is absent or empty, or names `handled` (the config
// this process last carried out, whatever its outcome: a failed config is
// tried again only when the label changes, or after a restart).
std::optional<std::string> ConfigToHandle(const nlohmann::json& node, const std::optional<std::string>& handled);

enum class ApplyOutcome {
  kApplied,
  kFailed,
  kNeedsReboot,  // a MIG mode change is pending a GPU reset that needs a node reboot
};

struct MigConfigSteps {
  // Whether the GPUs match `config`; an error for a config the file lacks
  // or an unreadable file.
  std::function<Result<bool>(const std::string& config)> matches;
  std::function<ApplyOutcome(const std::string& config)> apply;
  // Writes the state label; its error ends the handling.
  std::function<Status(std::string_view state)> set_state;
  // Reboots the node; empty when rebooting is not allowed. Called only once
  // the state says `rebooting` (a node that cannot say so is not rebooted:
  // no reboot loop behind the operator's back).
  std::function<Status()> reboot;
};

// Carries out `config` and reports it; the state it ended in ("success",
// "failed" or "rebooting"), or set_state's error.
Result<std::string> HandleMigConfig(const std::string& config, const MigConfigSteps& steps);

// The merge patch that sets the state label.
nlohmann::json MigConfigStatePatch(std::string_view state);

}  // namespace migsched::k8s
