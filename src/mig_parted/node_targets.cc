#include "mig_parted/node_targets.h"

#include <algorithm>
#include <map>
#include <optional>

#include "common/strings.h"
#include "geometry/layout_solver.h"
#include "geometry/state_space.h"

namespace migsched::mig_parted {
namespace {

using geometry::GpuInstance;
using geometry::GpuModel;

std::string GpuName(const agent::ObservedGpu& gpu) {
  return "gpu " + std::to_string(gpu.index) + " (" + gpu.model->name + ", " +
         geometry::FormatPciDeviceId(gpu.pci_device_id) + ")";
}

bool Selects(const Entry& entry, const agent::ObservedGpu& gpu) {
  const bool filter_ok =
      entry.device_filter.empty() || std::find(entry.device_filter.begin(), entry.device_filter.end(),
                                               gpu.pci_device_id) != entry.device_filter.end();
  const bool index_ok = !entry.devices || std::find(entry.devices->begin(), entry.devices->end(),
                                                    gpu.index) != entry.devices->end();
  return filter_ok && index_ok;
}

struct Selection {
  const agent::ObservedGpu* gpu;
  const Entry* entry;
};

Result<std::vector<Selection>> Select(const Config& config,
                                      const std::vector<agent::ObservedGpu>& gpus) {
  for (const Entry& entry : config.entries) {
    if (!entry.devices) continue;
    for (int index : *entry.devices) {
      const bool present = std::any_of(gpus.begin(), gpus.end(),
                                       [&](const agent::ObservedGpu& g) { return g.index == index; });
      if (!present) {
        return InvalidArgumentError(entry.where + ": config '" + config.name + "' names gpu " +
                                    std::to_string(index) + ", but this node has " +
                                    std::to_string(gpus.size()) + " GPUs");
      }
    }
  }
  std::vector<Selection> selected;
  for (const agent::ObservedGpu& gpu : gpus) {
    const Entry* chosen = nullptr;
    for (const Entry& entry : config.entries) {
      if (!Selects(entry, gpu)) continue;
      if (chosen != nullptr) {
        return InvalidArgumentError(entry.where + ": config '" + config.name + "' selects " +
                                    GpuName(gpu) + " a second time (first at " + chosen->where +
                                    ")");
      }
      chosen = &entry;
    }
    if (chosen != nullptr) selected.push_back(Selection{&gpu, chosen});
  }
  return selected;
}

// Profile index -> wanted count, for the profiles the entry names.
Result<std::map<int, int>> WantedCounts(const Entry& entry, const agent::ObservedGpu& gpu) {
  std::map<int, int> wanted;
  for (const auto& [name, count] : entry.mig_devices) {
    const std::optional<int> profile = gpu.model->FindProfile(name);
    if (!profile) {
      return InvalidArgumentError(entry.where + ": " + GpuName(gpu) + " has no MIG profile '" +
                                  name + "' (its profiles: " + gpu.model->ProfileNames() + ")");
    }
    if (count > 0) wanted[*profile] = count;
  }
  return wanted;
}

// Places the wanted profiles around `kept` (existing instances), or nullopt.
std::optional<std::vector<GpuInstance>> PlaceAround(const GpuModel& model,
                                                    const geometry::StateSpace& space,
                                                    std::map<int, int> wanted,
                                                    const std::vector<GpuInstance>& kept) {
  for (const GpuInstance& instance : kept) --wanted[instance.profile];
  std::vector<int> rest;
  for (const auto& [profile, count] : wanted) rest.insert(rest.end(), static_cast<size_t>(count), profile);
  const geometry::LayoutVerdict verdict = geometry::CheckLayout(model, kept);
  if (!verdict.valid) return std::nullopt;
  const std::optional<geometry::StateId> from = space.Find(verdict.state);
  if (!from) return std::nullopt;
  std::optional<std::vector<GpuInstance>> solved = geometry::SolvePlacement(model, space, *from, rest);
  if (!solved) return std::nullopt;
  std::vector<GpuInstance> layout = kept;
  layout.insert(layout.end(), solved->begin(), solved->end());
  return layout;
}

// Existing instances of wanted profiles, at most the wanted count each; with
// `busy_only`, only those running processes.
std::vector<GpuInstance> Keepable(const agent::ObservedGpu& gpu, const std::map<int, int>& wanted,
                                  bool busy_only) {
  std::map<int, int> left = wanted;
  std::vector<GpuInstance> kept;
  for (int pass = 0; pass < 2; ++pass) {  // busy instances claim the counts first
    for (const agent::ObservedGpuInstance& gi : gpu.instances) {
      const bool busy = !gi.pids.empty();
      if (busy != (pass == 0) || (busy_only && !busy)) continue;
      auto it = left.find(gi.instance.profile);
      if (it == left.end() || it->second == 0) continue;
      --it->second;
      kept.push_back(gi.instance);
    }
  }
  return kept;
}

Result<agent::GpuTarget> TargetFor(const agent::ObservedGpu& gpu, const Entry& entry) {
  agent::GpuTarget target{.index = gpu.index, .mig_enabled = entry.mig_enabled, .instances = {}};
  if (!entry.mig_enabled) return target;
  Result<std::map<int, int>> wanted = WantedCounts(entry, gpu);
  if (!wanted.has_value()) return wanted.error();
  if (wanted->empty()) return target;
  Result<geometry::StateSpace> space = geometry::StateSpace::Build(*gpu.model);
  if (!space.has_value()) return space.error();
  const std::vector<GpuInstance> existing = gpu.mig_enabled ? Keepable(gpu, *wanted, false)
                                                            : std::vector<GpuInstance>{};
  for (const std::vector<GpuInstance>& kept :
       {existing, Keepable(gpu, *wanted, true), std::vector<GpuInstance>{}}) {
    if (std::optional<std::vector<GpuInstance>> layout = PlaceAround(*gpu.model, *space, *wanted, kept)) {
      target.instances = std::move(*layout);
      return target;
    }
  }
  std::vector<int> all;
  std::vector<std::string> names;
  for (const auto& [profile, count] : *wanted) {
    all.insert(all.end(), static_cast<size_t>(count), profile);
    names.push_back(std::to_string(count) + " x " +
                    gpu.model->profiles[static_cast<size_t>(profile)].name);
  }
  return ResourceExhaustedError(entry.where + ": " + Join(names, " + ") + " cannot fit on " +
                                GpuName(gpu) + ": " +
                                geometry::ExplainNoPlacement(*gpu.model, *space,
                                                             geometry::StateSpace::kEmpty, all));
}

}  // namespace

Result<std::vector<agent::GpuTarget>> TargetsFromMigParted(const Config& config,
                                                    const std::vector<agent::ObservedGpu>& gpus) {
  Result<std::vector<Selection>> selected = Select(config, gpus);
  if (!selected.has_value()) return selected.error();
  std::vector<agent::GpuTarget> targets;
  for (const Selection& s : *selected) {
    Result<agent::GpuTarget> target = TargetFor(*s.gpu, *s.entry);
    if (!target.has_value()) return target.error();
    targets.push_back(std::move(*target));
  }
  return targets;
}

Result<std::vector<Difference>> CompareWithMigParted(const Config& config,
                                                              const std::vector<agent::ObservedGpu>& gpus) {
  using Kind = Difference::Kind;
  Result<std::vector<Selection>> selected = Select(config, gpus);
  if (!selected.has_value()) return selected.error();
  std::vector<Difference> differences;
  for (const Selection& s : *selected) {
    const agent::ObservedGpu& gpu = *s.gpu;
    const std::string name = "gpu " + std::to_string(gpu.index);
    if (gpu.mig_enabled != s.entry->mig_enabled) {
      differences.push_back({.gpu = gpu.index,
                             .kind = Kind::kMigMode,
                             .profile = "",
                             .instance = "",
                             .has = gpu.mig_enabled ? 1 : 0,
                             .wants = s.entry->mig_enabled ? 1 : 0,
                             .text = name + ": MIG is " + (gpu.mig_enabled ? "enabled" : "disabled") + ", wants " +
                                     (s.entry->mig_enabled ? "enabled" : "disabled")});
      continue;
    }
    Result<std::map<int, int>> wanted = WantedCounts(*s.entry, gpu);
    if (!wanted.has_value()) return wanted.error();
    std::map<int, int> have;
    for (const agent::ObservedGpuInstance& gi : gpu.instances) {
      ++have[gi.instance.profile];
      if (!HoldsFullComputeInstance(*gpu.model, gi)) {
        const std::string label = geometry::InstanceLabel(*gpu.model, gi.instance);
        const int held = static_cast<int>(gi.compute_instances.size());
        differences.push_back({.gpu = gpu.index,
                               .kind = Kind::kComputeInstances,
                               .profile = "",
                               .instance = label,
                               .has = held,
                               .wants = 1,
                               .text = name + ": " + label + " holds " + std::to_string(held) +
                                       " compute instance(s), wants one full compute instance"});
      }
    }
    std::map<int, int> all = have;
    for (const auto& [profile, count] : *wanted) all[profile] += 0;
    for (const auto& [profile, unused] : all) {
      const int has = have.count(profile) ? have[profile] : 0;
      const int wants = wanted->count(profile) ? wanted->at(profile) : 0;
      if (has != wants) {
        const std::string& profile_name = gpu.model->profiles[static_cast<size_t>(profile)].name;
        differences.push_back({.gpu = gpu.index,
                               .kind = Kind::kProfileCount,
                               .profile = profile_name,
                               .instance = "",
                               .has = has,
                               .wants = wants,
                               .text = name + ": has " + std::to_string(has) + " x " + profile_name + ", wants " +
                                       std::to_string(wants)});
      }
    }
  }
  return differences;
}

}  // namespace migsched::mig_parted
