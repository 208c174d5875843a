#include "sim/fleet_spec.h"

#include <algorithm>
#include <cstdio>

#include "common/model_counts.h"

namespace migsched::sim {
namespace {

constexpr int64_t kMaxSpecGpus = 1'000'000;

std::string NodeName(int64_t index) {
  char name[32];
  std::snprintf(name, sizeof(name), "node-%04lld", static_cast<long long>(index));
  return name;
}

}  // namespace

Result<fleet::Fleet> ParseFleetSpec(std::string_view spec, const geometry::Catalog& catalog) {
  std::vector<ModelCount> counts;
  MIGSCHED_ASSIGN_OR_RETURN(counts, ParseModelCounts(spec, "fleet spec", kMaxSpecGpus));
  fleet::Fleet fleet;
  int64_t node = 0;
  int64_t total = 0;
  for (const ModelCount& item : counts) {
    total += item.count;
    if (total > kMaxSpecGpus) return InvalidArgumentError("fleet has more than 1000000 GPUs");
    Result<const geometry::GpuModel*> model = catalog.Find(item.model);
    if (!model.has_value()) return model.error();
    for (int64_t i = 0; i < item.count; ++i) {
      fleet::FleetGpu gpu;
      gpu.node = NodeName(node + i / kGpusPerSpecNode);
      gpu.index = static_cast<int>(i % kGpusPerSpecNode);
      gpu.model = *model;
      fleet.gpus.push_back(std::move(gpu));
    }
    node += (item.count + kGpusPerSpecNode - 1) / kGpusPerSpecNode;
  }
  return fleet;
}

bool IsFleetFileName(std::string_view spec) {
  for (const std::string_view extension : {".yaml", ".yml", ".json"}) {
    if (spec.size() > extension.size() && spec.substr(spec.size() - extension.size()) == extension) return true;
  }
  return false;
}

int64_t ClearForSimulation(fleet::Fleet& fleet) {
  int64_t cleared = 0;
  for (fleet::FleetGpu& gpu : fleet.gpus) {
    // MIG disabled alone is factory state, not a layout (issue 14).
    cleared += !gpu.instances.empty() || !gpu.whole_gpu_workload.empty() || gpu.whole_gpu_busy;
    gpu.instances.clear();
    gpu.mig_enabled = true;
    gpu.whole_gpu_workload.clear();
    gpu.whole_gpu_busy = false;
  }
  return cleared;
}

fleet::Fleet FleetFromNodes(const trace::NodeList& nodes, const geometry::GpuModel& model) {
  fleet::Fleet fleet;
  for (const trace::TraceNode& node : nodes.nodes) {
    for (int i = 0; i < node.gpus; ++i) {
      fleet::FleetGpu gpu;
      gpu.node = node.name;
      gpu.index = i;
      gpu.model = &model;
      gpu.labels.push_back("trace-model=" + node.model);
      fleet.gpus.push_back(std::move(gpu));
    }
  }
  return fleet;
}

std::vector<const geometry::GpuModel*> FleetModels(const fleet::Fleet& fleet) {
  std::vector<const geometry::GpuModel*> models;
  for (const fleet::FleetGpu& gpu : fleet.gpus) {
    if (std::find(models.begin(), models.end(), gpu.model) == models.end()) models.push_back(gpu.model);
  }
  return models;
}

}  // namespace migsched::sim
