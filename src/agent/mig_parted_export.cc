#include "agent/mig_parted_export.h"

#include <algorithm>
#include <map>

#include "engines/mig_parted_writer.h"

namespace migsched::agent {
namespace {

using engines::MigPartedEntry;

MigPartedEntry EntryOf(const ObservedGpu& gpu) {
  std::map<int, int> counts;  // catalog profile order
  for (const ObservedGpuInstance& gi : gpu.instances) ++counts[gi.instance.profile];
  MigPartedEntry entry{.devices = {gpu.index}, .mig_enabled = gpu.mig_enabled, .counts = {}};
  for (const auto& [profile, count] : counts) {
    entry.counts.emplace_back(gpu.model->profiles[static_cast<size_t>(profile)].name, count);
  }
  return entry;
}

}  // namespace

std::string ExportMigParted(const std::vector<ObservedGpu>& gpus, const std::string& config_name) {
  std::vector<MigPartedEntry> entries;
  for (const ObservedGpu& gpu : gpus) {
    MigPartedEntry entry = EntryOf(gpu);
    const auto same = std::find_if(entries.begin(), entries.end(), [&](const MigPartedEntry& e) {
      return e.mig_enabled == entry.mig_enabled && e.counts == entry.counts;
    });
    if (same == entries.end()) {
      entries.push_back(std::move(entry));
    } else {
      same->devices.push_back(gpu.index);
    }
  }
  const engines::DeviceSelector devices =
      entries.size() == 1 ? engines::DeviceSelector::kAll : engines::DeviceSelector::kIndices;
  return engines::WriteMigPartedYaml(
      "", {{.name = config_name, .devices = devices, .entries = std::move(entries)}});
}

}  // namespace migsched::agent
