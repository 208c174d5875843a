#include "daemon/inventory.h"

#include <limits>
#include <nlohmann/json.hpp>

#include "geometry/layout.h"
#include "io/json_object_reader.h"

namespace migsched::daemon {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr std::int64_t kMaxIndex = 1024;
constexpr std::int64_t kMaxPid = std::int64_t{1} << 32;

Result<json> Parse(std::string_view text) { return io::ParseJson(text, "$"); }

Result<const geometry::GpuModel*> ModelAt(const io::JsonObjectReader& r, const geometry::Catalog& catalog) {
  auto name_r = r.String("model");
  if (!name_r.has_value()) return name_r.error();
  auto name = std::move(*name_r);
  Result<const geometry::GpuModel*> model = catalog.Find(name);
  if (!model.has_value()) return r.Error("model", model.error().message());
  return *model;
}

Result<int> ProfileAt(const io::JsonObjectReader& r, const geometry::GpuModel& model) {
  auto name_r = r.String("profile");
  if (!name_r.has_value()) return name_r.error();
  auto name = std::move(*name_r);
  const std::optional<int> profile = model.FindProfile(name);
  if (!profile) return r.Error("profile", "'" + name + "' is not a profile of " + model.name + " (" +
                                              model.ProfileNames() + ")");
  return *profile;
}

Result<std::vector<std::uint32_t>> Pids(const io::JsonObjectReader& r, const json& object) {
  std::vector<std::uint32_t> pids;
  if (!r.Has("pids")) return pids;
  auto array_r = r.Array("pids");
  if (!array_r.has_value()) return array_r.error();
  auto array = std::move(*array_r);
  for (std::size_t i = 0; i < array->size(); ++i) {
    const json& pid = (*array)[i];
    if (!pid.is_number_integer() || pid.get<std::int64_t>() < 0 || pid.get<std::int64_t>() >= kMaxPid) {
      return InvalidArgumentError(r.ItemPath("pids", i) + ": must be a process id");
    }
    pids.push_back(static_cast<std::uint32_t>(pid.get<std::int64_t>()));
  }
  (void)object;
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
  auto index_r = r.Integer("index", 0, kMaxIndex);
  if (!index_r.has_value()) return index_r.error();
  auto index = std::move(*index_r);
  gpu.index = static_cast<int>(index);
  if (r.Has("uuid")) {
    auto uuid_r = r.String("uuid");
  if (!uuid_r.has_value()) return uuid_r.error();
  auto uuid = std::move(*uuid_r);
    gpu.uuid = uuid;
  }
  auto model_r = ModelAt(r, catalog);
  if (!model_r.has_value()) return model_r.error();
  auto model = std::move(*model_r);
  gpu.model = model;
  auto mig_r = r.Bool("mig_enabled");
  if (!mig_r.has_value()) return mig_r.error();
  auto mig = std::move(*mig_r);
  gpu.mig_enabled = mig;
  auto pids_r = Pids(r, item);
  if (!pids_r.has_value()) return pids_r.error();
  auto pids = std::move(*pids_r);
  gpu.pids = pids;
  if (!r.Has("instances")) return gpu;
  auto instances_r = r.Array("instances");
  if (!instances_r.has_value()) return instances_r.error();
  auto instances = std::move(*instances_r);
  std::vector<geometry::GpuInstance> layout;
  for (std::size_t i = 0; i < instances->size(); ++i) {
    const io::JsonObjectReader ir((*instances)[i], r.ItemPath("instances", i));
    if (Status s = ir.CheckKeys({"profile", "start", "uuid", "pids"}); !s.ok()) return s;
    auto profile_r = ProfileAt(ir, *model);
  if (!profile_r.has_value()) return profile_r.error();
  auto profile = std::move(*profile_r);
    auto start_r = ir.Integer("start", 0, model->memory_slices - 1);
  if (!start_r.has_value()) return start_r.error();
  auto start = std::move(*start_r);
    agent::ObservedGpuInstance gi;
    gi.id = static_cast<int>(i);
    gi.instance = geometry::GpuInstance{
        profile, model->profiles[static_cast<size_t>(profile)].PlacementAt(static_cast<int>(start))};
    if (ir.Has("uuid")) {
      auto uuid_r = ir.String("uuid");
  if (!uuid_r.has_value()) return uuid_r.error();
  auto uuid = std::move(*uuid_r);
      gi.compute_instances.push_back({.id = 0, .profile_id = 0, .uuid = uuid});
    }
    auto gi_pids_r = Pids(ir, (*instances)[i]);
  if (!gi_pids_r.has_value()) return gi_pids_r.error();
  auto gi_pids = std::move(*gi_pids_r);
    gi.pids = gi_pids;
    layout.push_back(gi.instance);
    gpu.instances.push_back(std::move(gi));
  }
  if (Status s = CheckGpuLayout(path, *model, layout); !s.ok()) return s;
  return gpu;
}

// The first MIG device UUID of a GPU instance (its full compute instance).
std::string UuidOf(const agent::ObservedGpuInstance& gi) {
  for (const agent::ObservedComputeInstance& ci : gi.compute_instances) {
    if (!ci.uuid.empty()) return ci.uuid;
  }
  return "";
}

}  // namespace

std::string InventoryToJson(const NodeInventory& inventory) {
  ordered_json gpus = ordered_json::array();
  for (const agent::ObservedGpu& gpu : inventory.gpus) {
    ordered_json instances = ordered_json::array();
    for (const agent::ObservedGpuInstance& gi : gpu.instances) {
      ordered_json item{{"profile", gpu.model->profiles[static_cast<size_t>(gi.instance.profile)].name},
                        {"start", gi.instance.placement.start}};
      if (const std::string uuid = UuidOf(gi); !uuid.empty()) item["uuid"] = uuid;
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
  auto document_r = Parse(text);
  if (!document_r.has_value()) return document_r.error();
  auto document = std::move(*document_r);
  const io::JsonObjectReader r(document, "$");
  if (Status s = r.CheckKeys({"node", "applied_generation", "apply_error", "gpus"}); !s.ok()) return s;
  NodeInventory inventory;
  auto node_r = r.String("node");
  if (!node_r.has_value()) return node_r.error();
  auto node = std::move(*node_r);
  inventory.node = node;
  if (r.Has("applied_generation")) {
    auto generation_r = r.Integer("applied_generation", 0, std::numeric_limits<std::int64_t>::max());
  if (!generation_r.has_value()) return generation_r.error();
  auto generation = std::move(*generation_r);
    inventory.applied_generation = generation;
  }
  if (r.Has("apply_error")) {
    auto error_r = r.String("apply_error");
  if (!error_r.has_value()) return error_r.error();
  auto error = std::move(*error_r);
    inventory.apply_error = error;
  }
  auto gpus_r = r.Array("gpus");
  if (!gpus_r.has_value()) return gpus_r.error();
  auto gpus = std::move(*gpus_r);
  for (std::size_t i = 0; i < gpus->size(); ++i) {
    auto gpu_r = ObservedGpuFromJson((*gpus)[i], r.ItemPath("gpus", i), catalog);
  if (!gpu_r.has_value()) return gpu_r.error();
  auto gpu = std::move(*gpu_r);
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
  ordered_json instances = ordered_json::array();
  for (const DesiredInstance& i : gpu.instances) {
    instances.push_back({{"profile", gpu.model->profiles[static_cast<size_t>(i.profile)].name},
                         {"start", i.start}, {"job", i.job}});
  }
  return instances.dump();
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
  auto document_r = Parse(text);
  if (!document_r.has_value()) return document_r.error();
  auto document = std::move(*document_r);
  const io::JsonObjectReader r(document, "$");
  if (Status s = r.CheckKeys({"node", "generation", "gpus"}); !s.ok()) return s;
  DesiredLayout layout;
  auto node_r = r.String("node");
  if (!node_r.has_value()) return node_r.error();
  auto node = std::move(*node_r);
  layout.node = node;
  auto generation_r = r.Integer("generation", 0, std::numeric_limits<std::int64_t>::max());
  if (!generation_r.has_value()) return generation_r.error();
  auto generation = std::move(*generation_r);
  layout.generation = generation;
  auto gpus_r = r.Array("gpus");
  if (!gpus_r.has_value()) return gpus_r.error();
  auto gpus = std::move(*gpus_r);
  for (std::size_t g = 0; g < gpus->size(); ++g) {
    const io::JsonObjectReader gr((*gpus)[g], r.ItemPath("gpus", g));
    if (Status s = gr.CheckKeys({"index", "model", "mig_enabled", "instances"}); !s.ok()) return s;
    DesiredGpu gpu;
    auto index_r = gr.Integer("index", 0, kMaxIndex);
  if (!index_r.has_value()) return index_r.error();
  auto index = std::move(*index_r);
    gpu.index = static_cast<int>(index);
    auto model_r = ModelAt(gr, catalog);
  if (!model_r.has_value()) return model_r.error();
  auto model = std::move(*model_r);
    gpu.model = model;
    auto mig_r = gr.Bool("mig_enabled");
  if (!mig_r.has_value()) return mig_r.error();
  auto mig = std::move(*mig_r);
    gpu.mig_enabled = mig;
    auto instances_r = gr.Array("instances");
  if (!instances_r.has_value()) return instances_r.error();
  auto instances = std::move(*instances_r);
    std::vector<geometry::GpuInstance> check;
    for (std::size_t i = 0; i < instances->size(); ++i) {
      const io::JsonObjectReader ir((*instances)[i], gr.ItemPath("instances", i));
      if (Status s = ir.CheckKeys({"profile", "start", "job"}); !s.ok()) return s;
      auto profile_r = ProfileAt(ir, *model);
  if (!profile_r.has_value()) return profile_r.error();
  auto profile = std::move(*profile_r);
      auto start_r = ir.Integer("start", 0, model->memory_slices - 1);
  if (!start_r.has_value()) return start_r.error();
  auto start = std::move(*start_r);
      auto job_r = ir.Integer("job", 0, std::numeric_limits<std::int64_t>::max());
  if (!job_r.has_value()) return job_r.error();
  auto job = std::move(*job_r);
      gpu.instances.push_back({.profile = profile, .start = static_cast<int>(start),
                               .job = static_cast<std::uint64_t>(job)});
      check.push_back({profile, model->profiles[static_cast<size_t>(profile)].PlacementAt(static_cast<int>(start))});
    }
    if (Status s = CheckGpuLayout(gr.Path(""), *model, check); !s.ok()) return s;
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

}  // namespace migsched::daemon
