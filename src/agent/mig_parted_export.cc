#include "agent/mig_parted_export.h"

#include <map>
#include <sstream>

#include "common/strings.h"

namespace migsched::agent {
namespace {

struct Group {
  bool mig_enabled = false;
  std::vector<std::pair<std::string, int>> counts;  // catalog profile order
  std::vector<int> indices;
  bool operator==(const Group& other) const {
    return mig_enabled == other.mig_enabled && counts == other.counts;
  }
};

Group GroupOf(const ObservedGpu& gpu) {
  std::map<int, int> counts;
  for (const ObservedGpuInstance& gi : gpu.instances) ++counts[gi.instance.profile];
  Group group{.mig_enabled = gpu.mig_enabled, .counts = {}, .indices = {gpu.index}};
  for (const auto& [profile, count] : counts) {
    group.counts.emplace_back(gpu.model->profiles[static_cast<size_t>(profile)].name, count);
  }
  return group;
}

}  // namespace

std::string ExportMigParted(const std::vector<ObservedGpu>& gpus, const std::string& config_name) {
  std::vector<Group> groups;
  for (const ObservedGpu& gpu : gpus) {
    Group group = GroupOf(gpu);
    bool merged = false;
    for (Group& existing : groups) {
      if (existing == group) {
        existing.indices.push_back(gpu.index);
        merged = true;
        break;
      }
    }
    if (!merged) groups.push_back(std::move(group));
  }
  std::ostringstream out;
  out << "version: v1\nmig-configs:\n  " << config_name << ":\n";
  for (const Group& group : groups) {
    out << "    - devices: "
        << (groups.size() == 1 ? std::string("all") : "[" + Join(group.indices, ", ") + "]") << "\n";
    out << "      mig-enabled: " << (group.mig_enabled ? "true" : "false") << "\n";
    if (!group.mig_enabled) continue;
    if (group.counts.empty()) {
      out << "      mig-devices: {}\n";
      continue;
    }
    out << "      mig-devices:\n";
    for (const auto& [profile, count] : group.counts) {
      out << "        \"" << profile << "\": " << count << "\n";
    }
  }
  return out.str();
}

}  // namespace migsched::agent
