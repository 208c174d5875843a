// Concrete GPUs for packed contents: which GPU of a model gets which
// multiset of instances, and where each instance starts.
//
// Preference, to change as little as possible: a GPU whose current layout
// has exactly the content's profiles (kept as is, no operations); then
// partitioned GPUs (for whole-GPU content: MIG-disabled ones), keeping the
// current instances the content can reuse and finding starts for the rest;
// then blank GPUs; each tier in fleet order. The whole-GPU replicas of one
// workload (a training gang) share a node when a node has enough free GPUs. Fresh layouts come from
// geometry::SolvePlacement, which prefers high starts and so leaves the free
// memory of a GPU in one low block.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "fleet/fleet.h"
#include "plan/model_configs.h"

namespace migsched::plan {

// One GPU's share of the packing: (profile index or kWholeGpuItem, owner).
// A whole-GPU content has exactly one entry.
struct GpuContent {
  std::vector<std::pair<int, std::string_view>> instances;
};

struct AssignedGpu {
  size_t index = 0;   // into the fleet's gpus
  fleet::FleetGpu gpu;  // the GPU as planned: layout with owners
};

// Spread over nodes: how many more replicas of a workload with a
// max_per_node each node may take. Contents holding such a workload go to
// the first GPU (in the usual preference) whose node has room for them.
class NodeRoom {
 public:
  void Limit(const std::string& workload, int max_per_node) { limit_[workload] = max_per_node; }
  // Counts replicas already on a node (busy ones, or placed by an earlier group).
  void Add(const std::string& node, std::string_view workload, int replicas);
  bool Limited(std::string_view workload) const { return limit_.count(workload) > 0; }
  // Replicas of `workload` the node may still take; a large number when unlimited.
  int RoomOn(const std::string& node, std::string_view workload) const;
  bool Takes(const std::string& node, const GpuContent& content) const;
  void Add(const std::string& node, const GpuContent& content);

 private:
  std::map<std::string, int, std::less<>> limit_;
  std::map<std::pair<std::string, std::string>, int, std::less<>> used_;  // (node, workload)
};

// Lays out every content on a distinct GPU among `candidates` (indices into
// `current.gpus`, all of `configs.model()`, none busy, in fleet order),
// within `room` (updated with what it places).
// Internal if there are fewer candidates than contents or a content has no
// layout (the packing guarantees neither happens).
Result<std::vector<AssignedGpu>> AssignGpus(ModelConfigs& configs, const fleet::Fleet& current,
                                            const std::vector<size_t>& candidates,
                                            const std::vector<GpuContent>& contents, NodeRoom& room);

}  // namespace migsched::plan
