// The simulated fleet: built from a spec the user types, or from a trace's
// node list with every GPU replaced by one MIG model.
//
//   "H100-80GB:6212"                 6212 H100s, 8 per node (node-0000, ...)
//   "H100-80GB:100,A100-40GB:20"     several models, in that order
//   "fleet.yaml"                     the planner's fleet file (the CLI reads it
//                                    with io::ReadFleetFile; see IsFleetFileName)
// The Alibaba traces' GPUs (P100, T4, V100, G1-G3) have no MIG, so their node
// list only gives the shape (nodes and GPUs per node); the model is chosen.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "fleet/fleet.h"
#include "geometry/catalog.h"
#include "trace/alibaba2023.h"

namespace migsched::sim {

inline constexpr int kGpusPerSpecNode = 8;

// InvalidArgument for a malformed item or a count outside 1..1,000,000;
// NotFound (listing the known models) for an unknown GPU. MIG is enabled on
// every GPU, no instances.
Result<fleet::Fleet> ParseFleetSpec(std::string_view spec, const geometry::Catalog& catalog);

// Whether a --fleet value names a fleet file by its extension (.yaml, .yml,
// .json); the CLI also takes any path that exists as a file.
bool IsFleetFileName(std::string_view spec);

// A fleet file gives the GPUs (nodes, models, labels); a simulation starts
// from them empty: MIG enabled, no instances, no owners. Returns how many GPUs
// had a current layout (instances, or a whole-GPU owner) that was cleared.
int64_t ClearForSimulation(fleet::Fleet& fleet);

// One GPU of `model` per GPU of each node, nodes in file order.
fleet::Fleet FleetFromNodes(const trace::NodeList& nodes, const geometry::GpuModel& model);

// The distinct models of the fleet, in order of first appearance.
std::vector<const geometry::GpuModel*> FleetModels(const fleet::Fleet& fleet);

}  // namespace migsched::sim
