// NVIDIA mig-parted configuration from a planned fleet: `version: v1` and
// `mig-configs`, one named config per distinct node layout, each a list of
// {devices: [indices], mig-enabled, mig-devices: {"<profile>": count}} — the
// format of the gpu-operator's default config, accepted by
// `nvidia-mig-parted apply -f FILE -c NAME` and by the GPU operator's
// `nvidia.com/mig.config=NAME` node label.
//
// mig-parted takes profile counts, not placements: it picks starts itself.
// The plan's exact starts (which keep room for large profiles and never move
// busy instances) are applied by the node agent from plan.json. Pure.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engines/profile_counts.h"
#include "fleet/fleet.h"

namespace migsched::mig_parted {

struct FleetConfigs {
  std::string yaml;
  // Which config each node takes, in fleet order of nodes: (node, config name).
  std::vector<std::pair<std::string, std::string>> node_configs;
};

// Configs are named "<prefix>-1", "<prefix>-2", ... in order of first use.
// Within a node, GPUs with the same MIG mode and profile counts share one
// entry; a MIG-enabled GPU without instances gets `mig-devices: {}`.
FleetConfigs WriteMigPartedConfig(const fleet::Fleet& fleet,
                                     std::string_view name_prefix = "migsched");

// One entry of a named config: GPUs set up alike.
struct OutputEntry {
  std::vector<int> devices;  // GPU indices
  bool mig_enabled = true;
  engines::ProfileCounts counts;
  bool operator==(const OutputEntry&) const = default;
};

// How an entry names its GPUs: their index list, or `all` when one entry
// covers every GPU of the node.
enum class DeviceSelector { kIndices, kAll };

// One named config of a mig-parted file.
struct OutputConfig {
  std::string name;
  DeviceSelector devices = DeviceSelector::kIndices;
  std::vector<OutputEntry> entries;
};

// The one writer of mig-parted files (`plan --mig-parted` and `migsched
// export`): `version: v1` and `mig-configs`, each entry e.g.
//     - devices: [0, 1]
//       mig-enabled: true
//       mig-devices:
//         "3g.40gb": 2
// written through yaml-cpp's emitter, so a name that YAML would read as
// something else (':', '#', quotes, a newline) is quoted and reads back as
// itself. The header comment may hold any text: a newline in it continues
// the comment.
std::string WriteMigPartedYaml(std::string_view header_comment, const std::vector<OutputConfig>& configs);

}  // namespace migsched::mig_parted
