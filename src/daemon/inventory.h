// The wire format between a node agent and serve: the agent's inventory of
// its node (what NVML shows: GPUs, MIG mode, instances with their placements,
// MIG device UUIDs and processes) and the desired layout serve hands back.
//
//   inventory: {"node": "dgx-1", "applied_generation": 3, "apply_error": "",
//               "gpus": [{"index": 0, "uuid": "GPU-..", "model": "H100-80GB",
//                         "mig_enabled": true, "pids": [],
//                         "instances": [{"profile": "3g.40gb", "start": 4, "gi_id": 1,
//                                        "ci_id": 0, "uuid": "MIG-..", "pids": [4242]}]}]}
//   desired:   {"node": "dgx-1", "generation": 4,
//               "gpus": [{"index": 0, "mig_enabled": true,
//                         "instances": [{"profile": "3g.40gb", "start": 4, "job": 17}]}]}
//
// Readers are strict (unknown keys, unknown models or profiles, invalid
// layouts are errors naming the JSON path); writers and readers round-trip.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/node_state.h"
#include "common/status.h"
#include "geometry/catalog.h"

namespace migsched::daemon {

struct NodeInventory {
  std::string node;
  std::int64_t applied_generation = 0;  // the last desired generation the agent reached
  std::string apply_error;              // why the last apply failed; "" when it did not
  std::vector<agent::ObservedGpu> gpus;
};

struct DesiredInstance {
  int profile = 0;  // index into the GPU model's profiles
  int start = 0;
  std::uint64_t job = 0;  // the job that holds it; 0 = idle
  friend bool operator==(const DesiredInstance&, const DesiredInstance&) = default;
};

struct DesiredGpu {
  int index = 0;
  const geometry::GpuModel* model = nullptr;
  bool mig_enabled = true;
  std::vector<DesiredInstance> instances;
  friend bool operator==(const DesiredGpu&, const DesiredGpu&) = default;
};

struct DesiredLayout {
  std::string node;
  std::int64_t generation = 0;
  std::vector<DesiredGpu> gpus;
};

std::string InventoryToJson(const NodeInventory& inventory);
Result<NodeInventory> InventoryFromJson(std::string_view text, const geometry::Catalog& catalog);

// The instances array of one desired GPU, as stored and sent.
std::string DesiredInstancesToJson(const DesiredGpu& gpu);
std::string DesiredToJson(const DesiredLayout& layout);
Result<DesiredLayout> DesiredFromJson(std::string_view text, const geometry::Catalog& catalog);

// The instance the inventory reports on GPU `gpu_index` with this profile
// (index into the model's profiles) and start; nullptr when it has none.
const agent::ObservedGpuInstance* FindObservedInstance(const NodeInventory& inventory, int gpu_index, int profile,
                                                       int start);
// An instance's MIG device UUID (its first compute instance's that has one,
// the full-size one); "" before it has one.
std::string MigUuidOf(const agent::ObservedGpuInstance& instance);

// The agent's targets for a desired layout (every instance, held or idle).
std::vector<agent::GpuTarget> TargetsOf(const DesiredLayout& layout);

}  // namespace migsched::daemon
