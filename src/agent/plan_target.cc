#include "agent/plan_target.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/strings.h"

namespace migsched::agent {
namespace {

using nlohmann::json;

Result<PlannedGpu> ParseGpu(const geometry::Catalog& catalog, const json& item,
                            const std::string& where) {
  const Result<const geometry::GpuModel*> model = catalog.Find(item.at("model").get<std::string>());
  if (!model.has_value()) return model.error().WithPrefix(where + ".model");
  PlannedGpu gpu{.model = *model,
                 .target = GpuTarget{.index = item.at("index").get<int>(),
                                     .mig_enabled = item.at("mig_enabled").get<bool>(),
                                     .instances = {}}};
  if (!gpu.target.mig_enabled) return gpu;
  const json& instances = item.at("instances");
  for (size_t i = 0; i < instances.size(); ++i) {
    const std::string at = where + ".instances[" + std::to_string(i) + "]";
    const std::string name = instances[i].at("profile").get<std::string>();
    const std::optional<int> profile = (*model)->FindProfile(name);
    if (!profile) {
      return NotFoundError(at + ".profile: " + (*model)->name + " has no profile '" + name +
                           "' (its profiles: " + (*model)->ProfileNames() + ")");
    }
    const geometry::GiProfile& p = (*model)->profiles[static_cast<size_t>(*profile)];
    const int size = instances[i].at("size").get<int>();
    if (size != p.memory_slices) {
      return InvalidArgumentError(at + ".size: " + std::to_string(size) + " but " + p.name +
                                  " takes " + std::to_string(p.memory_slices) + " memory slices");
    }
    gpu.target.instances.push_back(
        geometry::GpuInstance{*profile, p.PlacementAt(instances[i].at("start").get<int>())});
  }
  const geometry::LayoutVerdict verdict = geometry::CheckLayout(**model, gpu.target.instances);
  if (!verdict.valid) return InvalidArgumentError(where + ": invalid layout: " + verdict.reason);
  return gpu;
}

}  // namespace

Result<std::vector<PlannedGpu>> ReadPlanForNode(const geometry::Catalog& catalog,
                                                const std::string& path, const std::string& node) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read plan '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  std::vector<PlannedGpu> planned;
  std::set<std::string> nodes;
  try {
    const json plan = json::parse(text.str());
    const json& gpus = plan.at("gpus");
    for (size_t i = 0; i < gpus.size(); ++i) {
      const std::string gpu_node = gpus[i].at("node").get<std::string>();
      nodes.insert(gpu_node);
      if (gpu_node != node) continue;
      Result<PlannedGpu> gpu = ParseGpu(catalog, gpus[i], path + ": gpus[" + std::to_string(i) + "]");
      if (!gpu.has_value()) return gpu.error();
      for (const PlannedGpu& seen : planned) {
        if (seen.target.index == gpu->target.index) {
          return InvalidArgumentError(path + ": gpus[" + std::to_string(i) + "]: gpu " +
                                      std::to_string(gpu->target.index) + " of node '" + node +
                                      "' is listed twice");
        }
      }
      planned.push_back(std::move(*gpu));
    }
  } catch (const json::exception& e) {
    return InvalidArgumentError(path + ": malformed plan: " + e.what());
  }
  if (planned.empty()) {
    return InvalidArgumentError(path + ": no GPUs for node '" + node + "' (the plan's nodes: " +
                                Join(std::vector<std::string>(nodes.begin(), nodes.end()), ", ") + ")");
  }
  return planned;
}

Result<std::vector<GpuTarget>> TargetsFromPlan(const std::vector<PlannedGpu>& planned,
                                               const std::vector<ObservedGpu>& gpus) {
  std::vector<GpuTarget> targets;
  for (const PlannedGpu& p : planned) {
    const auto gpu = std::find_if(gpus.begin(), gpus.end(),
                                  [&](const ObservedGpu& g) { return g.index == p.target.index; });
    if (gpu == gpus.end()) {
      return FailedPreconditionError("the plan names gpu " + std::to_string(p.target.index) +
                                     ", but this machine has " + std::to_string(gpus.size()) + " GPUs");
    }
    if (gpu->model != p.model) {
      return FailedPreconditionError("the plan says gpu " + std::to_string(p.target.index) +
                                     " is a " + p.model->name + ", but it is a " + gpu->model->name);
    }
    targets.push_back(p.target);
  }
  return targets;
}

}  // namespace migsched::agent
