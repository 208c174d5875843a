#include "mig_parted/node_export.h"

#include <algorithm>
#include <map>

#include "mig_parted/config_writer.h"

namespace migsched::mig_parted {
namespace {


OutputEntry EntryOf(const agent::ObservedGpu& gpu) {
  std::map<int, int> counts;  // catalog profile order
  for (const agent::ObservedGpuInstance& gi : gpu.instances) ++counts[gi.instance.profile];
  OutputEntry entry{.devices = {gpu.index}, .mig_enabled = gpu.mig_enabled, .counts = {}};
  for (const auto& [profile, count] : counts) {
    entry.counts.emplace_back(gpu.model->profiles[static_cast<size_t>(profile)].name, count);
  }
  return entry;
}

}  // namespace

std::string ExportMigParted(const std::vector<agent::ObservedGpu>& gpus, const std::string& config_name) {
  std::vector<OutputEntry> entries;
  for (const agent::ObservedGpu& gpu : gpus) {
    OutputEntry entry = EntryOf(gpu);
    const auto same = std::find_if(entries.begin(), entries.end(), [&](const OutputEntry& e) {
      return e.mig_enabled == entry.mig_enabled && e.counts == entry.counts;
    });
    if (same == entries.end()) {
      entries.push_back(std::move(entry));
    } else {
      same->devices.push_back(gpu.index);
    }
  }
  const mig_parted::DeviceSelector devices =
      entries.size() == 1 ? mig_parted::DeviceSelector::kAll : mig_parted::DeviceSelector::kIndices;
  return mig_parted::WriteMigPartedYaml(
      "", {{.name = config_name, .devices = devices, .entries = std::move(entries)}});
}

}  // namespace migsched::mig_parted
