#include "plan/plan_json.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "common/strings.h"
#include "geometry/layout.h"
#include "io/json_object_reader.h"
#include "io/text_file.h"

namespace migsched::plan {
namespace {

using fleet::FleetGpu;
using fleet::FleetInstance;
using geometry::GpuModel;
using nlohmann::json;
using nlohmann::ordered_json;

bool IsModeOp(OpKind kind) { return kind == OpKind::kEnableMig || kind == OpKind::kDisableMig; }

ordered_json GpuJson(const FleetGpu& gpu) {
  ordered_json out{{"node", gpu.node},
                   {"index", gpu.index},
                   {"model", gpu.model->name},
                   {"mig_enabled", gpu.mig_enabled}};
  if (!gpu.mig_enabled) {
    out["workload"] = gpu.whole_gpu_workload;
    return out;
  }
  ordered_json instances = ordered_json::array();
  for (const FleetInstance& i : gpu.instances) {
    instances.push_back({{"profile", gpu.model->profiles[static_cast<size_t>(i.instance.profile)].name},
                         {"start", i.instance.placement.start},
                         {"size", i.instance.placement.size},
                         {"workload", i.workload}});
  }
  out["instances"] = std::move(instances);
  return out;
}

constexpr int kMaxCount = 1 << 30;

// The profile named under "profile" of the object `r` reads.
Result<int> ProfileOf(const io::JsonObjectReader& r, const GpuModel& model) {
  std::string name;
  MIGSCHED_ASSIGN_OR_RETURN(name, r.String("profile"));
  const std::optional<int> profile = model.FindProfile(name);
  if (!profile) {
    return r.Error("profile", "unknown profile '" + name + "' for " + model.name +
                                  "; valid profiles: " + model.ProfileNames(),
                   StatusCode::kNotFound);
  }
  return *profile;
}

Result<int> Count(const io::JsonObjectReader& r, const std::string& key, int min) {
  std::int64_t n = 0;
  MIGSCHED_ASSIGN_OR_RETURN(n, r.Integer(key, min, kMaxCount));
  return static_cast<int>(n);
}

Result<int> Slice(const io::JsonObjectReader& r, const std::string& key) {
  std::int64_t n = 0;
  MIGSCHED_ASSIGN_OR_RETURN(n, r.Integer(key, 0, geometry::kMaxMemorySlices));
  return static_cast<int>(n);
}

Result<FleetGpu> ParseGpu(const geometry::Catalog& catalog, const json& node, const std::string& path) {
  const io::JsonObjectReader r(node, path);
  MIGSCHED_RETURN_IF_ERROR(r.CheckKeys({"node", "index", "model", "mig_enabled", "instances", "workload"}));
  FleetGpu gpu;
  MIGSCHED_ASSIGN_OR_RETURN(gpu.node, r.String("node"));
  MIGSCHED_ASSIGN_OR_RETURN(gpu.index, Count(r, "index", 0));
  std::string model_name;
  MIGSCHED_ASSIGN_OR_RETURN(model_name, r.String("model"));
  const Result<const GpuModel*> model = catalog.Find(model_name);
  if (!model.has_value()) return r.Error("model", model.error().message(), StatusCode::kNotFound);
  gpu.model = *model;
  MIGSCHED_ASSIGN_OR_RETURN(gpu.mig_enabled, r.Bool("mig_enabled"));
  if (!gpu.mig_enabled) {
    if (r.Has("instances")) return r.Error("", "a GPU with mig_enabled false has no 'instances'");
    MIGSCHED_ASSIGN_OR_RETURN(gpu.whole_gpu_workload, r.String("workload"));
    return gpu;
  }
  if (r.Has("workload")) return r.Error("", "'workload' belongs to instances when mig_enabled is true");
  const json* instances = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(instances, r.Array("instances"));
  for (size_t i = 0; i < instances->size(); ++i) {
    const io::JsonObjectReader item((*instances)[i], r.ItemPath("instances", i));
    MIGSCHED_RETURN_IF_ERROR(item.CheckKeys({"profile", "start", "size", "workload"}));
    int profile = 0;
    MIGSCHED_ASSIGN_OR_RETURN(profile, ProfileOf(item, **model));
    int start = 0;
    int size = 0;
    MIGSCHED_ASSIGN_OR_RETURN(start, Slice(item, "start"));
    MIGSCHED_ASSIGN_OR_RETURN(size, Slice(item, "size"));
    const geometry::GiProfile& p = (*model)->profiles[static_cast<size_t>(profile)];
    if (size != p.memory_slices) {
      return item.Error("size", "size " + std::to_string(size) + " but " + p.name + " takes " +
                                    std::to_string(p.memory_slices) + " memory slices");
    }
    FleetInstance instance{.instance = {profile, p.PlacementAt(start)}, .workload = "", .busy = false};
    MIGSCHED_ASSIGN_OR_RETURN(instance.workload, item.String("workload"));
    gpu.instances.push_back(std::move(instance));
  }
  const geometry::LayoutVerdict verdict = geometry::CheckLayout(**model, fleet::LayoutOf(gpu));
  if (!verdict.valid) return r.Error("instances", "invalid layout: " + verdict.reason);
  return gpu;
}

Result<TransitionOp> ParseOp(const json& node, const std::string& path,
                             const std::map<std::pair<std::string, int>, const GpuModel*>& models) {
  const io::JsonObjectReader r(node, path);
  MIGSCHED_RETURN_IF_ERROR(r.CheckKeys({"node", "gpu", "op", "profile", "start"}));
  TransitionOp op;
  MIGSCHED_ASSIGN_OR_RETURN(op.node, r.String("node"));
  MIGSCHED_ASSIGN_OR_RETURN(op.gpu, Count(r, "gpu", 0));
  const auto gpu = models.find({op.node, op.gpu});
  if (gpu == models.end()) {
    return r.Error("", "GPU " + op.node + " gpu " + std::to_string(op.gpu) + " is not listed in $.gpus");
  }
  std::string kind;
  MIGSCHED_ASSIGN_OR_RETURN(kind, r.String("op"));
  const Result<OpKind> parsed = ParseOpKind(kind);
  if (!parsed.has_value()) return r.Error("op", parsed.error().message());
  op.kind = *parsed;
  if (IsModeOp(op.kind)) {
    if (r.Has("profile") || r.Has("start")) return r.Error("", kind + " takes no profile or start");
    return op;
  }
  MIGSCHED_ASSIGN_OR_RETURN(op.profile, ProfileOf(r, *gpu->second));
  MIGSCHED_ASSIGN_OR_RETURN(op.start, Slice(r, "start"));
  const geometry::GiProfile& p = gpu->second->profiles[static_cast<size_t>(op.profile)];
  if (!p.AllowsStart(op.start)) {
    return r.Error("start", "start " + std::to_string(op.start) + " not allowed for " + p.name +
                                " (allowed: " + Join(p.starts, ",") + ")");
  }
  return op;
}

Result<PlanDocument> ParsePlanRoot(const geometry::Catalog& catalog, const json& root) {
  const io::JsonObjectReader r(root, "$");
  MIGSCHED_RETURN_IF_ERROR(
      r.CheckKeys({"gpus_used", "lower_bound", "gap", "method", "gpus", "unplaced", "operations"}));
  PlanDocument plan;
  MIGSCHED_ASSIGN_OR_RETURN(plan.gpus_used, Count(r, "gpus_used", 0));
  MIGSCHED_ASSIGN_OR_RETURN(plan.lower_bound, r.NonNegative("lower_bound"));
  MIGSCHED_ASSIGN_OR_RETURN(plan.gap, r.NonNegative("gap"));
  MIGSCHED_ASSIGN_OR_RETURN(plan.method, r.String("method"));

  const json* gpus = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(gpus, r.Array("gpus"));
  std::map<std::pair<std::string, int>, const GpuModel*> models;
  for (size_t i = 0; i < gpus->size(); ++i) {
    FleetGpu gpu;
    MIGSCHED_ASSIGN_OR_RETURN(gpu, ParseGpu(catalog, (*gpus)[i], r.ItemPath("gpus", i)));
    if (!models.emplace(std::pair(gpu.node, gpu.index), gpu.model).second) {
      return io::JsonObjectReader((*gpus)[i], r.ItemPath("gpus", i))
          .Error("", gpu.node + " gpu " + std::to_string(gpu.index) + " is listed twice");
    }
    plan.gpus.gpus.push_back(std::move(gpu));
  }

  const json* unplaced = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(unplaced, r.Array("unplaced"));
  for (size_t i = 0; i < unplaced->size(); ++i) {
    const io::JsonObjectReader item((*unplaced)[i], r.ItemPath("unplaced", i));
    MIGSCHED_RETURN_IF_ERROR(item.CheckKeys({"workload", "replicas", "reason"}));
    Unplaced u;
    MIGSCHED_ASSIGN_OR_RETURN(u.workload, item.String("workload"));
    MIGSCHED_ASSIGN_OR_RETURN(u.replicas, Count(item, "replicas", 1));
    MIGSCHED_ASSIGN_OR_RETURN(u.reason, item.String("reason"));
    plan.unplaced.push_back(std::move(u));
  }

  const json* operations = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(operations, r.Array("operations"));
  for (size_t i = 0; i < operations->size(); ++i) {
    TransitionOp op;
    MIGSCHED_ASSIGN_OR_RETURN(op, ParseOp((*operations)[i], r.ItemPath("operations", i), models));
    plan.operations.push_back(std::move(op));
  }
  return plan;
}

}  // namespace

PlanDocument MakePlanDocument(const PlanResult& result, const TransitionPlan& transition) {
  return PlanDocument{.gpus_used = result.gpus_used,
                      .lower_bound = result.lower_bound,
                      .gap = result.gap,
                      .method = result.method,
                      .gpus = result.target,
                      .unplaced = result.unplaced,
                      .operations = transition.operations};
}

std::string WritePlanJson(const PlanDocument& plan) {
  ordered_json out{{"gpus_used", plan.gpus_used},
                   {"lower_bound", plan.lower_bound},
                   {"gap", plan.gap},
                   {"method", plan.method}};
  ordered_json gpus = ordered_json::array();
  std::map<std::pair<std::string, int>, const GpuModel*> models;
  for (const FleetGpu& gpu : plan.gpus.gpus) {
    gpus.push_back(GpuJson(gpu));
    models[{gpu.node, gpu.index}] = gpu.model;
  }
  out["gpus"] = std::move(gpus);
  ordered_json unplaced = ordered_json::array();
  for (const Unplaced& u : plan.unplaced) {
    unplaced.push_back({{"workload", u.workload}, {"replicas", u.replicas}, {"reason", u.reason}});
  }
  out["unplaced"] = std::move(unplaced);
  ordered_json operations = ordered_json::array();
  for (const TransitionOp& op : plan.operations) {
    ordered_json item{{"node", op.node}, {"gpu", op.gpu}, {"op", std::string(OpKindName(op.kind))}};
    if (!IsModeOp(op.kind)) {
      const GpuModel* model = models.at({op.node, op.gpu});
      item["profile"] = model->profiles[static_cast<size_t>(op.profile)].name;
      item["start"] = op.start;
    }
    operations.push_back(std::move(item));
  }
  out["operations"] = std::move(operations);
  return out.dump(2) + "\n";
}

Result<PlanDocument> ParsePlanJson(const geometry::Catalog& catalog, std::string_view text,
                                   const std::string& source) {
  json root;
  MIGSCHED_ASSIGN_OR_RETURN(root, io::ParseJson(text, source));
  Result<PlanDocument> plan = ParsePlanRoot(catalog, root);
  if (!plan.has_value()) return plan.error().WithPrefix(source);
  return plan;
}

Result<PlanDocument> ReadPlanJsonFile(const geometry::Catalog& catalog, const std::string& path) {
  std::string text;
  MIGSCHED_ASSIGN_OR_RETURN(text, io::ReadTextFile(path, "plan file"));
  return ParsePlanJson(catalog, text, path);
}

}  // namespace migsched::plan
