#include "agent/plan_target.h"

#include <algorithm>
#include <set>

#include "common/strings.h"

namespace migsched::agent {

Result<std::vector<fleet::FleetGpu>> PlannedGpusOfNode(const fleet::Fleet& plan,
                                                       const std::string& node) {
  std::vector<fleet::FleetGpu> planned;
  std::set<std::string> nodes;
  for (const fleet::FleetGpu& gpu : plan.gpus) {
    nodes.insert(gpu.node);
    if (gpu.node == node) planned.push_back(gpu);
  }
  if (planned.empty()) {
    return InvalidArgumentError("no GPUs for node '" + node + "' (the plan's nodes: " +
                                Join(std::vector<std::string>(nodes.begin(), nodes.end()), ", ") + ")");
  }
  return planned;
}

Result<std::vector<GpuTarget>> TargetsFromPlan(const std::vector<fleet::FleetGpu>& planned,
                                               const std::vector<ObservedGpu>& gpus) {
  std::vector<GpuTarget> targets;
  for (const fleet::FleetGpu& p : planned) {
    const auto gpu = std::find_if(gpus.begin(), gpus.end(),
                                  [&](const ObservedGpu& g) { return g.index == p.index; });
    if (gpu == gpus.end()) {
      return FailedPreconditionError("the plan names gpu " + std::to_string(p.index) +
                                     ", but this machine has " + std::to_string(gpus.size()) + " GPUs");
    }
    if (gpu->model != p.model) {
      return FailedPreconditionError("the plan says gpu " + std::to_string(p.index) + " is a " +
                                     p.model->name + ", but it is a " + gpu->model->name);
    }
    targets.push_back(
        GpuTarget{.index = p.index, .mig_enabled = p.mig_enabled, .instances = fleet::LayoutOf(p)});
  }
  return targets;
}

}  // namespace migsched::agent
