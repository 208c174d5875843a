#include "sim/policies.h"

#include <algorithm>

#include "common/strings.h"
#include "geometry/presets.h"
#include "sim/scheduler_backend.h"
#include "sim/time_slicing_backend.h"

namespace migsched::sim {
namespace {

constexpr std::string_view kStaticPrefix = "static-";

fleet::Fleet WithPreset(fleet::Fleet fleet, geometry::Preset preset) {
  for (fleet::FleetGpu& gpu : fleet.gpus) {
    gpu.instances.clear();
    for (const geometry::GpuInstance& instance : geometry::PresetLayout(*gpu.model, preset)) {
      gpu.instances.push_back(fleet::FleetInstance{instance, "", false});
    }
  }
  return fleet;
}

}  // namespace

std::vector<std::string> SimPolicyNames() {
  return {"whole-gpu", "static-all-1g", "static-all-balanced", "static-plan",
          "time-slicing", "first-fit", "best-fit", "frag-aware"};
}

Result<std::vector<std::string>> ParsePolicyList(std::string_view text) {
  if (text == "all") return SimPolicyNames();
  const std::vector<std::string> known = SimPolicyNames();
  std::vector<std::string> names;
  while (true) {
    const size_t comma = text.find(',');
    const std::string name(text.substr(0, comma));
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return InvalidArgumentError("unknown policy '" + name + "'; valid: all, " + Join(known, ", "));
    }
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    if (comma == std::string_view::npos) return names;
    text.remove_prefix(comma + 1);
  }
}

Result<std::unique_ptr<Backend>> MakeBackend(std::string_view name, const geometry::Catalog& catalog,
                                             const fleet::Fleet& fleet, const PolicySetup& setup) {
  if (name == "time-slicing") return std::unique_ptr<Backend>(new TimeSlicingBackend(fleet));
  sched::Options options;
  options.expected_mix = setup.expected_mix;
  options.reconfiguration_delay_ms = setup.reconfiguration_delay_ms;
  if (name == "whole-gpu") {
    options.policy = "whole-gpu";
    return SchedulerBackend::Create(std::string(name), catalog, fleet, options, /*whole_gpu_requests=*/true);
  }
  if (name == "static-plan") {
    if (setup.static_plan == nullptr) return FailedPreconditionError("static-plan needs the planned layout");
    options.policy = "best-fit";
    options.reconfiguration = sched::Reconfiguration::kNone;
    return SchedulerBackend::Create(std::string(name), catalog, *setup.static_plan, options,
                                    /*whole_gpu_requests=*/false);
  }
  if (name.starts_with(kStaticPrefix)) {
    Result<geometry::Preset> preset = geometry::ParsePreset(name.substr(kStaticPrefix.size()));
    if (!preset.has_value()) return preset.error();
    options.policy = "best-fit";
    options.reconfiguration = sched::Reconfiguration::kNone;
    return SchedulerBackend::Create(std::string(name), catalog, WithPreset(fleet, *preset), options,
                                    /*whole_gpu_requests=*/false);
  }
  options.policy = std::string(name);
  options.reconfiguration = sched::Reconfiguration::kRepartition;
  options.release = setup.keep_idle ? sched::ReleaseMode::kKeepIdle : sched::ReleaseMode::kDestroy;
  return SchedulerBackend::Create(std::string(name), catalog, fleet, options, /*whole_gpu_requests=*/false);
}

}  // namespace migsched::sim
