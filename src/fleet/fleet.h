// The fleet: nodes -> GPUs -> (model, MIG mode, instances with owner and busy
// flag). The one shape that the planner reads (current state) and writes
// (target), that plan.json carries to the node agent, and that the scheduler
// keeps. Pure data; validity of each GPU's layout is checked with
// geometry::CheckLayout.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "geometry/gpu_model.h"
#include "geometry/layout.h"

namespace migsched::fleet {

struct FleetInstance {
  geometry::GpuInstance instance;  // profile index into the GPU's model + placement
  std::string workload;            // owner; empty = created but free
  bool busy = false;               // running work: no plan may destroy or move it
  friend bool operator==(const FleetInstance&, const FleetInstance&) = default;
};

struct FleetGpu {
  std::string node;
  int index = 0;                              // GPU index on its node (nvidia-smi order)
  const geometry::GpuModel* model = nullptr;  // points into the Catalog, which outlives the fleet
  bool mig_enabled = true;                    // false: used whole, MIG disabled
  std::string whole_gpu_workload;             // owner when !mig_enabled; empty = free
  bool whole_gpu_busy = false;
  std::vector<FleetInstance> instances;       // empty when !mig_enabled
  std::vector<std::string> labels;            // pools/labels from the fleet file
};

struct Fleet {
  std::vector<FleetGpu> gpus;  // ordered by (node order in the input, index)
};

// The bare layout of a GPU, for geometry::CheckLayout and friends.
inline std::vector<geometry::GpuInstance> LayoutOf(const FleetGpu& gpu) {
  std::vector<geometry::GpuInstance> layout;
  layout.reserve(gpu.instances.size());
  for (const FleetInstance& i : gpu.instances) layout.push_back(i.instance);
  return layout;
}

// Does a GPU with `labels` carry every one of `required` (a workload's pool)?
inline bool CarriesLabels(const std::vector<std::string>& labels, const std::vector<std::string>& required) {
  return std::all_of(required.begin(), required.end(), [&](const std::string& label) {
    return std::find(labels.begin(), labels.end(), label) != labels.end();
  });
}

}  // namespace migsched::fleet
