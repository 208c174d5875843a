#include "daemon/inventory.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "common/names.h"
#include "daemon/json_text.h"
#include "geometry/layout.h"
#include "io/json_object_reader.h"

namespace migsched::daemon {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr std::int64_t kMaxIndex = 1024;
constexpr std::int64_t kMaxPid = std::int64_t{1} << 32;
constexpr std::int64_t kMaxNvmlId = 1 << 16;  // NVML-local GI/CI ids are small

Result<json> Parse(std::string_view text) { return io::ParseJson(text, "$"); }

// Node names travel in URL paths and Slurm's NodeName: host-name characters only.
Result<const geometry::GpuModel*> ModelAt(const io::JsonObjectReader& r, const geometry::Catalog& catalog) {
  std::string name;
  MIGSCHED_ASSIGN_OR_RETURN(name, r.String("model"));
  Result<const geometry::GpuModel*> model = catalog.Find(name);
  if (!model.has_value()) return r.Error("model", model.error().message());
  return *model;
}

Result<int> ProfileAt(const io::JsonObjectReader& r, const geometry::GpuModel& model) {
  std::string name;
  MIGSCHED_ASSIGN_OR_RETURN(name, r.String("profile"));
  const std::optional<int> profile = model.FindProfile(name);
  if (!profile) return r.Error("profile", "'" + name + "' is not a profile of " + model.name + " (" +
                                              model.ProfileNames() + ")");
  return *profile;
}

Result<std::vector<std::uint32_t>> Pids(const io::JsonObjectReader& r) {
  std::vector<std::uint32_t> pids;
  if (!r.Has("pids")) return pids;
  const json* array = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(array, r.Array("pids"));
  for (std::size_t i = 0; i < array->size(); ++i) {
    const json& pid = (*array)[i];
    if (!pid.is_number_integer() || pid.get<std::int64_t>() < 0 || pid.get<std::int64_t>() >= kMaxPid) {
      return InvalidArgumentError(r.ItemPath("pids", i) + ": must be a process id");
    }
    pids.push_back(static_cast<std::uint32_t>(pid.get<std::int64_t>()));
  }
  return pids;
}

Status CheckGpuLayout(const std::string& path, const geometry::GpuModel& model,
                      const std::vector<geometry::GpuInstance>& layout) {
  if (const geometry::LayoutVerdict verdict = geometry::CheckLayout(model, layout); !verdict.valid) {
    return InvalidArgumentError(path + ".instances: " + verdict.reason);
  }
  return Status::Ok();
}

Result<agent::ObservedGpu> ObservedGpuFromJson(const json& item, const std::string& path,
                                               const geometry::Catalog& catalog) {
  const io::JsonObjectReader r(item, path);
  if (Status s = r.CheckKeys({"index", "uuid", "model", "mig_enabled", "pids", "instances"}); !s.ok()) return s;
  agent::ObservedGpu gpu;
  std::int64_t index = 0;
  MIGSCHED_ASSIGN_OR_RETURN(index, r.Integer("index", 0, kMaxIndex));
  gpu.index = static_cast<int>(index);
  if (r.Has("uuid")) {
    MIGSCHED_ASSIGN_OR_RETURN(gpu.uuid, r.String("uuid"));
  }
  MIGSCHED_ASSIGN_OR_RETURN(gpu.model, ModelAt(r, catalog));
  const geometry::GpuModel& model = *gpu.model;
  MIGSCHED_ASSIGN_OR_RETURN(gpu.mig_enabled, r.Bool("mig_enabled"));
  MIGSCHED_ASSIGN_OR_RETURN(gpu.pids, Pids(r));
  if (!r.Has("instances")) return gpu;
  const json* instances = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(instances, r.Array("instances"));
  std::vector<geometry::GpuInstance> layout;
  for (std::size_t i = 0; i < instances->size(); ++i) {
    const io::JsonObjectReader ir((*instances)[i], r.ItemPath("instances", i));
    if (Status s = ir.CheckKeys({"profile", "start", "gi_id", "ci_id", "uuid", "pids"}); !s.ok()) return s;
    int profile = 0;
    MIGSCHED_ASSIGN_OR_RETURN(profile, ProfileAt(ir, model));
    std::int64_t start = 0;
    MIGSCHED_ASSIGN_OR_RETURN(start, ir.Integer("start", 0, model.memory_slices - 1));
    agent::ObservedGpuInstance gi;
    std::int64_t gi_id = static_cast<std::int64_t>(i);
    if (ir.Has("gi_id")) MIGSCHED_ASSIGN_OR_RETURN(gi_id, ir.Integer("gi_id", 0, kMaxNvmlId));
    gi.id = static_cast<int>(gi_id);
    gi.instance = geometry::GpuInstance{
        profile, model.profiles[static_cast<size_t>(profile)].PlacementAt(static_cast<int>(start))};
    if (ir.Has("uuid") || ir.Has("ci_id")) {
      // Its compute instance (the agent makes one spanning it).
      agent::ObservedComputeInstance ci;
      std::int64_t ci_id = 0;
      if (ir.Has("ci_id")) MIGSCHED_ASSIGN_OR_RETURN(ci_id, ir.Integer("ci_id", 0, kMaxNvmlId));
      ci.id = static_cast<int>(ci_id);
      if (ir.Has("uuid")) MIGSCHED_ASSIGN_OR_RETURN(ci.uuid, ir.String("uuid"));
      gi.compute_instances.push_back(std::move(ci));
    }
    MIGSCHED_ASSIGN_OR_RETURN(gi.pids, Pids(ir));
    layout.push_back(gi.instance);
    gpu.instances.push_back(std::move(gi));
  }
  if (Status s = CheckGpuLayout(path, model, layout); !s.ok()) return s;
  return gpu;
}

}  // namespace

std::string InventoryToJson(const NodeInventory& inventory) {
  ordered_json gpus = ordered_json::array();
  for (const agent::ObservedGpu& gpu : inventory.gpus) {
    ordered_json instances = ordered_json::array();
    for (const agent::ObservedGpuInstance& gi : gpu.instances) {
      ordered_json item{{"profile", gpu.model->profiles[static_cast<size_t>(gi.instance.profile)].name},
                        {"start", gi.instance.placement.start},
                        {"gi_id", gi.id}};
      if (!gi.compute_instances.empty()) item["ci_id"] = gi.compute_instances.front().id;
      if (const std::string uuid = MigUuidOf(gi); !uuid.empty()) item["uuid"] = uuid;
      item["pids"] = gi.pids;
      instances.push_back(std::move(item));
    }
    gpus.push_back({{"index", gpu.index}, {"uuid", gpu.uuid}, {"model", gpu.model->name},
                    {"mig_enabled", gpu.mig_enabled}, {"pids", gpu.pids}, {"instances", instances}});
  }
  return ordered_json{{"node", inventory.node},
                      {"applied_generation", inventory.applied_generation},
                      {"apply_error", inventory.apply_error},
                      {"gpus", gpus}}
      .dump();
}

Result<NodeInventory> InventoryFromJson(std::string_view text, const geometry::Catalog& catalog) {
  json document;
  MIGSCHED_ASSIGN_OR_RETURN(document, Parse(text));
  const io::JsonObjectReader r(document, "$");
  if (Status s = r.CheckKeys({"node", "applied_generation", "apply_error", "gpus"}); !s.ok()) return s;
  NodeInventory inventory;
  MIGSCHED_ASSIGN_OR_RETURN(inventory.node, r.String("node"));
  if (Status valid = CheckHostName(inventory.node, "node"); !valid.ok()) return r.Error("node", valid.message());
  if (r.Has("applied_generation")) {
    MIGSCHED_ASSIGN_OR_RETURN(inventory.applied_generation, r.Integer("applied_generation", 0, std::numeric_limits<std::int64_t>::max()));
  }
  if (r.Has("apply_error")) {
    MIGSCHED_ASSIGN_OR_RETURN(inventory.apply_error, r.String("apply_error"));
  }
  const json* gpus = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(gpus, r.Array("gpus"));
  for (std::size_t i = 0; i < gpus->size(); ++i) {
    agent::ObservedGpu gpu;
    MIGSCHED_ASSIGN_OR_RETURN(gpu, ObservedGpuFromJson((*gpus)[i], r.ItemPath("gpus", i), catalog));
    for (const agent::ObservedGpu& seen : inventory.gpus) {
      if (seen.index == gpu.index) {
        return InvalidArgumentError(r.ItemPath("gpus", i) + ".index: GPU " + std::to_string(gpu.index) +
                                    " is listed twice");
      }
    }
    inventory.gpus.push_back(std::move(gpu));
  }
  return inventory;
}

std::string DesiredInstancesToJson(const DesiredGpu& gpu) {
  std::string out = "[";
  for (const DesiredInstance& i : gpu.instances) {
    if (out.size() > 1) out += ',';
    out += JsonObjectText()
               .String("profile", gpu.model->profiles[static_cast<size_t>(i.profile)].name)
               .Int("start", i.start)
               .UInt("job", i.job)
               .Done();
  }
  return out + "]";
}

std::string DesiredToJson(const DesiredLayout& layout) {
  ordered_json gpus = ordered_json::array();
  for (const DesiredGpu& gpu : layout.gpus) {
    gpus.push_back({{"index", gpu.index}, {"model", gpu.model->name}, {"mig_enabled", gpu.mig_enabled},
                    {"instances", ordered_json::parse(DesiredInstancesToJson(gpu))}});
  }
  return ordered_json{{"node", layout.node}, {"generation", layout.generation}, {"gpus", gpus}}.dump();
}

Result<DesiredLayout> DesiredFromJson(std::string_view text, const geometry::Catalog& catalog) {
  json document;
  MIGSCHED_ASSIGN_OR_RETURN(document, Parse(text));
  const io::JsonObjectReader r(document, "$");
  if (Status s = r.CheckKeys({"node", "generation", "gpus"}); !s.ok()) return s;
  DesiredLayout layout;
  MIGSCHED_ASSIGN_OR_RETURN(layout.node, r.String("node"));
  MIGSCHED_ASSIGN_OR_RETURN(layout.generation, r.Integer("generation", 0, std::numeric_limits<std::int64_t>::max()));
  const json* gpus = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(gpus, r.Array("gpus"));
  for (std::size_t g = 0; g < gpus->size(); ++g) {
    const io::JsonObjectReader gr((*gpus)[g], r.ItemPath("gpus", g));
    if (Status s = gr.CheckKeys({"index", "model", "mig_enabled", "instances"}); !s.ok()) return s;
    DesiredGpu gpu;
    std::int64_t index = 0;
    MIGSCHED_ASSIGN_OR_RETURN(index, gr.Integer("index", 0, kMaxIndex));
    gpu.index = static_cast<int>(index);
    MIGSCHED_ASSIGN_OR_RETURN(gpu.model, ModelAt(gr, catalog));
    const geometry::GpuModel& model = *gpu.model;
    MIGSCHED_ASSIGN_OR_RETURN(gpu.mig_enabled, gr.Bool("mig_enabled"));
    const json* instances = nullptr;
    MIGSCHED_ASSIGN_OR_RETURN(instances, gr.Array("instances"));
    std::vector<geometry::GpuInstance> check;
    for (std::size_t i = 0; i < instances->size(); ++i) {
      const io::JsonObjectReader ir((*instances)[i], gr.ItemPath("instances", i));
      if (Status s = ir.CheckKeys({"profile", "start", "job"}); !s.ok()) return s;
      int profile = 0;
      MIGSCHED_ASSIGN_OR_RETURN(profile, ProfileAt(ir, model));
      std::int64_t start = 0;
      MIGSCHED_ASSIGN_OR_RETURN(start, ir.Integer("start", 0, model.memory_slices - 1));
      std::int64_t job = 0;
      MIGSCHED_ASSIGN_OR_RETURN(job, ir.Integer("job", 0, std::numeric_limits<std::int64_t>::max()));
      gpu.instances.push_back({.profile = profile, .start = static_cast<int>(start),
                               .job = static_cast<std::uint64_t>(job)});
      check.push_back({profile, model.profiles[static_cast<size_t>(profile)].PlacementAt(static_cast<int>(start))});
    }
    if (Status s = CheckGpuLayout(gr.Path(""), model, check); !s.ok()) return s;
    layout.gpus.push_back(std::move(gpu));
  }
  return layout;
}

std::vector<agent::GpuTarget> TargetsOf(const DesiredLayout& layout) {
  std::vector<agent::GpuTarget> targets;
  for (const DesiredGpu& gpu : layout.gpus) {
    agent::GpuTarget target{.index = gpu.index, .mig_enabled = gpu.mig_enabled, .instances = {}};
    for (const DesiredInstance& i : gpu.instances) {
      target.instances.push_back(
          {i.profile, gpu.model->profiles[static_cast<size_t>(i.profile)].PlacementAt(i.start)});
    }
    targets.push_back(std::move(target));
  }
  return targets;
}

const agent::ObservedGpuInstance* FindObservedInstance(const NodeInventory& inventory, int gpu_index, int profile,
                                                       int start) {
  for (const agent::ObservedGpu& gpu : inventory.gpus) {
    if (gpu.index != gpu_index) continue;
    for (const agent::ObservedGpuInstance& gi : gpu.instances) {
      if (gi.instance.profile == profile && gi.instance.placement.start == start) return &gi;
    }
  }
  return nullptr;
}

std::string MigUuidOf(const agent::ObservedGpuInstance& instance) {
  for (const agent::ObservedComputeInstance& ci : instance.compute_instances) {
    if (!ci.uuid.empty()) return ci.uuid;
  }
  return "";
}

}  // namespace migsched::daemon
