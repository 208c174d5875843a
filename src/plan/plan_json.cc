#include "plan/plan_json.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "common/strings.h"
#include "geometry/layout.h"
#include "geometry/mig_op.h"
#include "io/json_object_reader.h"
#include "io/text_file.h"

namespace migsched::plan {
namespace {

using fleet::FleetGpu;
using fleet::FleetInstance;
using geometry::GpuModel;
using nlohmann::json;

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

// The model named under "model" of the object `r` reads.
Result<const GpuModel*> ModelOf(const geometry::Catalog& catalog, const io::JsonObjectReader& r) {
  std::string name;
  MIGSCHED_ASSIGN_OR_RETURN(name, r.String("model"));
  const Result<const GpuModel*> model = catalog.Find(name);
  if (!model.has_value()) return r.Error("model", model.error().message(), StatusCode::kNotFound);
  return *model;
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

// Model, MIG mode and instances or whole-GPU workload of the object `r`
// reads: a GPU of the expanded form or a layout of the compact one.
Status ParseLayoutFields(const geometry::Catalog& catalog, const io::JsonObjectReader& r, FleetGpu& gpu) {
  MIGSCHED_ASSIGN_OR_RETURN(gpu.model, ModelOf(catalog, r));
  MIGSCHED_ASSIGN_OR_RETURN(gpu.mig_enabled, r.Bool("mig_enabled"));
  if (!gpu.mig_enabled) {
    if (r.Has("instances")) return r.Error("", "a GPU with mig_enabled false has no 'instances'");
    MIGSCHED_ASSIGN_OR_RETURN(gpu.whole_gpu_workload, r.String("workload"));
    return Status::Ok();
  }
  if (r.Has("workload")) return r.Error("", "'workload' belongs to instances when mig_enabled is true");
  const json* instances = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(instances, r.Array("instances"));
  for (size_t i = 0; i < instances->size(); ++i) {
    const io::JsonObjectReader item((*instances)[i], r.ItemPath("instances", i));
    MIGSCHED_RETURN_IF_ERROR(item.CheckKeys({"profile", "start", "size", "workload"}));
    int profile = 0;
    MIGSCHED_ASSIGN_OR_RETURN(profile, ProfileOf(item, *gpu.model));
    int start = 0;
    int size = 0;
    MIGSCHED_ASSIGN_OR_RETURN(start, Slice(item, "start"));
    MIGSCHED_ASSIGN_OR_RETURN(size, Slice(item, "size"));
    const geometry::GiProfile& p = gpu.model->profiles[static_cast<size_t>(profile)];
    if (size != p.memory_slices) {
      return item.Error("size", "size " + std::to_string(size) + " but " + p.name + " takes " +
                                    std::to_string(p.memory_slices) + " memory slices");
    }
    FleetInstance instance{.instance = {profile, p.PlacementAt(start)}, .workload = "", .busy = false};
    MIGSCHED_ASSIGN_OR_RETURN(instance.workload, item.String("workload"));
    gpu.instances.push_back(std::move(instance));
  }
  const geometry::LayoutVerdict verdict = geometry::CheckLayout(*gpu.model, fleet::LayoutOf(gpu));
  if (!verdict.valid) return r.Error("instances", "invalid layout: " + verdict.reason);
  return Status::Ok();
}

Result<FleetGpu> ParseGpu(const geometry::Catalog& catalog, const json& node, const std::string& path) {
  const io::JsonObjectReader r(node, path);
  MIGSCHED_RETURN_IF_ERROR(r.CheckKeys({"node", "index", "model", "mig_enabled", "instances", "workload"}));
  FleetGpu gpu;
  MIGSCHED_ASSIGN_OR_RETURN(gpu.node, r.String("node"));
  MIGSCHED_ASSIGN_OR_RETURN(gpu.index, Count(r, "index", 0));
  MIGSCHED_RETURN_IF_ERROR(ParseLayoutFields(catalog, r, gpu));
  return gpu;
}

// "op", "profile" and "start" of the object `r` reads, for a GPU of `model`.
Status ParseOpFields(const io::JsonObjectReader& r, const GpuModel& model, TransitionOp& op) {
  std::string kind;
  MIGSCHED_ASSIGN_OR_RETURN(kind, r.String("op"));
  const Result<geometry::MigOpKind> parsed = geometry::ParseMigOpKind(kind);
  if (!parsed.has_value()) return r.Error("op", parsed.error().message());
  op.kind = *parsed;
  if (geometry::IsMigModeOp(op.kind)) {
    if (r.Has("profile") || r.Has("start")) return r.Error("", kind + " takes no profile or start");
    return Status::Ok();
  }
  MIGSCHED_ASSIGN_OR_RETURN(op.profile, ProfileOf(r, model));
  MIGSCHED_ASSIGN_OR_RETURN(op.start, Slice(r, "start"));
  const geometry::GiProfile& p = model.profiles[static_cast<size_t>(op.profile)];
  if (!p.AllowsStart(op.start)) {
    return r.Error("start", "start " + std::to_string(op.start) + " not allowed for " + p.name +
                                " (allowed: " + Join(p.starts, ",") + ")");
  }
  return Status::Ok();
}

using GpuModels = std::map<std::pair<std::string, int>, const GpuModel*>;

Result<TransitionOp> ParseOp(const json& node, const std::string& path, const GpuModels& models) {
  const io::JsonObjectReader r(node, path);
  MIGSCHED_RETURN_IF_ERROR(r.CheckKeys({"node", "gpu", "op", "profile", "start"}));
  TransitionOp op;
  MIGSCHED_ASSIGN_OR_RETURN(op.node, r.String("node"));
  MIGSCHED_ASSIGN_OR_RETURN(op.gpu, Count(r, "gpu", 0));
  const auto gpu = models.find({op.node, op.gpu});
  if (gpu == models.end()) {
    return r.Error("", "GPU " + op.node + " gpu " + std::to_string(op.gpu) + " is not listed in $.gpus");
  }
  MIGSCHED_RETURN_IF_ERROR(ParseOpFields(r, *gpu->second, op));
  return op;
}

Status ParseUnplaced(const io::JsonObjectReader& r, PlanDocument& plan) {
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
  return Status::Ok();
}

// $.workloads (optional): each workload's resource names per model.
Status ParseWorkloads(const geometry::Catalog& catalog, const io::JsonObjectReader& r, PlanDocument& plan) {
  if (!r.Has("workloads")) return Status::Ok();
  const json* workloads = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(workloads, r.Array("workloads"));
  for (size_t i = 0; i < workloads->size(); ++i) {
    const io::JsonObjectReader item((*workloads)[i], r.ItemPath("workloads", i));
    MIGSCHED_RETURN_IF_ERROR(item.CheckKeys({"name", "resources"}));
    WorkloadResources w;
    MIGSCHED_ASSIGN_OR_RETURN(w.name, item.String("name"));
    const json* resources = nullptr;
    MIGSCHED_ASSIGN_OR_RETURN(resources, item.Array("resources"));
    for (size_t j = 0; j < resources->size(); ++j) {
      const io::JsonObjectReader res((*resources)[j], item.ItemPath("resources", j));
      MIGSCHED_RETURN_IF_ERROR(res.CheckKeys({"model", "profile", "replicas", "kubernetes", "slurm"}));
      WorkloadResource resource;
      const GpuModel* model = nullptr;
      MIGSCHED_ASSIGN_OR_RETURN(model, ModelOf(catalog, res));
      resource.model = model->name;
      MIGSCHED_ASSIGN_OR_RETURN(resource.profile, res.String("profile"));
      if (resource.profile != kWholeGpuProfile) {
        const Result<int> profile = ProfileOf(res, *model);
        if (!profile.has_value()) return profile.error();
      }
      MIGSCHED_ASSIGN_OR_RETURN(resource.replicas, Count(res, "replicas", 0));
      MIGSCHED_ASSIGN_OR_RETURN(resource.kubernetes, res.String("kubernetes"));
      MIGSCHED_ASSIGN_OR_RETURN(resource.slurm, res.String("slurm"));
      w.resources.push_back(std::move(resource));
    }
    plan.workloads.push_back(std::move(w));
  }
  return Status::Ok();
}

Status ParseHeader(const io::JsonObjectReader& r, PlanDocument& plan) {
  MIGSCHED_ASSIGN_OR_RETURN(plan.gpus_used, Count(r, "gpus_used", 0));
  MIGSCHED_ASSIGN_OR_RETURN(plan.lower_bound, r.NonNegative("lower_bound"));
  MIGSCHED_ASSIGN_OR_RETURN(plan.gap, r.NonNegative("gap"));
  MIGSCHED_ASSIGN_OR_RETURN(plan.method, r.String("method"));
  return Status::Ok();
}

// An integer from 0 to size - 1 at `path`, e.g. "an index into $.layouts".
Result<int> IndexAt(const json& value, size_t size, const std::string& path, std::string_view what) {
  if (!value.is_number_integer() || value.get<std::int64_t>() < 0 ||
      value.get<std::int64_t>() >= static_cast<std::int64_t>(size)) {
    return InvalidArgumentError(path + ": must be " + std::string(what) + " (0 to " +
                                std::to_string(static_cast<std::int64_t>(size) - 1) + "), got " +
                                Abbreviate(value.dump(), 80));
  }
  return static_cast<int>(value.get<std::int64_t>());
}

// The compact form: layouts and operation lists by index (see plan_json.h).
Result<PlanDocument> ParseCompactRoot(const geometry::Catalog& catalog, const io::JsonObjectReader& r) {
  MIGSCHED_RETURN_IF_ERROR(r.CheckKeys(
      {"gpus_used", "lower_bound", "gap", "method", "layouts", "operation_lists", "nodes", "unplaced", "workloads"}));
  PlanDocument plan;
  MIGSCHED_RETURN_IF_ERROR(ParseHeader(r, plan));
  const json* layout_items = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(layout_items, r.Array("layouts"));
  std::vector<FleetGpu> layouts(layout_items->size());
  for (size_t i = 0; i < layout_items->size(); ++i) {
    const io::JsonObjectReader item((*layout_items)[i], r.ItemPath("layouts", i));
    MIGSCHED_RETURN_IF_ERROR(item.CheckKeys({"model", "mig_enabled", "instances", "workload"}));
    MIGSCHED_RETURN_IF_ERROR(ParseLayoutFields(catalog, item, layouts[i]));
  }
  const json* lists = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(lists, r.Array("operation_lists"));
  // Profile names resolve against a GPU's model: each list once per model that uses it.
  std::map<std::pair<int, const GpuModel*>, std::vector<TransitionOp>> resolved;
  auto ops_of = [&](int list, const GpuModel& model) -> Result<const std::vector<TransitionOp>*> {
    auto [it, added] = resolved.try_emplace({list, &model});
    if (!added) return &it->second;
    const std::string path = r.ItemPath("operation_lists", static_cast<size_t>(list));
    const json& items = (*lists)[static_cast<size_t>(list)];
    if (!items.is_array()) return InvalidArgumentError(path + ": must be an array of operations");
    for (size_t i = 0; i < items.size(); ++i) {
      const io::JsonObjectReader item(items[i], path + "[" + std::to_string(i) + "]");
      MIGSCHED_RETURN_IF_ERROR(item.CheckKeys({"op", "profile", "start"}));
      TransitionOp op;
      MIGSCHED_RETURN_IF_ERROR(ParseOpFields(item, model, op));
      it->second.push_back(op);
    }
    return &it->second;
  };
  const json* nodes = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(nodes, r.Array("nodes"));
  std::set<std::pair<std::string, int>> seen;
  for (size_t n = 0; n < nodes->size(); ++n) {
    const io::JsonObjectReader node((*nodes)[n], r.ItemPath("nodes", n));
    MIGSCHED_RETURN_IF_ERROR(node.CheckKeys({"node", "gpus"}));
    std::string name;
    MIGSCHED_ASSIGN_OR_RETURN(name, node.String("node"));
    const json* gpus = nullptr;
    MIGSCHED_ASSIGN_OR_RETURN(gpus, node.Array("gpus"));
    for (size_t g = 0; g < gpus->size(); ++g) {
      const std::string path = node.ItemPath("gpus", g);
      const json& triple = (*gpus)[g];
      if (!triple.is_array() || triple.size() != 3) {
        return InvalidArgumentError(path + ": must be [index, layout, operation list], e.g. [0, 1, 0]");
      }
      int index = 0, layout = 0, list = 0;
      MIGSCHED_ASSIGN_OR_RETURN(index, IndexAt(triple[0], kMaxCount, path + "[0]", "a GPU index"));
      MIGSCHED_ASSIGN_OR_RETURN(layout, IndexAt(triple[1], layouts.size(), path + "[1]", "an index into $.layouts"));
      MIGSCHED_ASSIGN_OR_RETURN(list, IndexAt(triple[2], lists->size(), path + "[2]", "an index into $.operation_lists"));
      if (!seen.emplace(name, index).second) {
        return InvalidArgumentError(path + ": " + name + " gpu " + std::to_string(index) + " is listed twice");
      }
      FleetGpu gpu = layouts[static_cast<size_t>(layout)];
      gpu.node = name;
      gpu.index = index;
      const std::vector<TransitionOp>* ops = nullptr;
      MIGSCHED_ASSIGN_OR_RETURN(ops, ops_of(list, *gpu.model));
      for (TransitionOp op : *ops) {
        op.node = name;
        op.gpu = index;
        plan.operations.push_back(std::move(op));
      }
      plan.gpus.gpus.push_back(std::move(gpu));
    }
  }
  MIGSCHED_RETURN_IF_ERROR(ParseUnplaced(r, plan));
  MIGSCHED_RETURN_IF_ERROR(ParseWorkloads(catalog, r, plan));
  return plan;
}

// A hand-edited file may list operations in any order; each GPU's own order
// is what matters (GPUs change independently), and the rest of the code keeps
// a GPU's operations together in the order of $.gpus, as TransitionPlan does.
void GroupOperationsInFleetOrder(PlanDocument& plan) {
  std::map<std::pair<std::string, int>, size_t> position;
  for (const FleetGpu& gpu : plan.gpus.gpus) position.emplace(std::pair(gpu.node, gpu.index), position.size());
  std::ranges::stable_sort(plan.operations, {}, [&](const TransitionOp& op) {
    return position.at({op.node, op.gpu});  // ParseOp refused GPUs not in $.gpus
  });
}

Result<PlanDocument> ParsePlanRoot(const geometry::Catalog& catalog, const json& root) {
  const io::JsonObjectReader r(root, "$");
  if (r.Has("layouts")) return ParseCompactRoot(catalog, r);
  MIGSCHED_RETURN_IF_ERROR(
      r.CheckKeys({"gpus_used", "lower_bound", "gap", "method", "gpus", "unplaced", "workloads", "operations"}));
  PlanDocument plan;
  MIGSCHED_RETURN_IF_ERROR(ParseHeader(r, plan));
  const json* gpus = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(gpus, r.Array("gpus"));
  GpuModels models;
  for (size_t i = 0; i < gpus->size(); ++i) {
    FleetGpu gpu;
    MIGSCHED_ASSIGN_OR_RETURN(gpu, ParseGpu(catalog, (*gpus)[i], r.ItemPath("gpus", i)));
    if (!models.emplace(std::pair(gpu.node, gpu.index), gpu.model).second) {
      return io::JsonObjectReader((*gpus)[i], r.ItemPath("gpus", i))
          .Error("", gpu.node + " gpu " + std::to_string(gpu.index) + " is listed twice");
    }
    plan.gpus.gpus.push_back(std::move(gpu));
  }
  MIGSCHED_RETURN_IF_ERROR(ParseUnplaced(r, plan));
  MIGSCHED_RETURN_IF_ERROR(ParseWorkloads(catalog, r, plan));
  const json* operations = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(operations, r.Array("operations"));
  for (size_t i = 0; i < operations->size(); ++i) {
    TransitionOp op;
    MIGSCHED_ASSIGN_OR_RETURN(op, ParseOp((*operations)[i], r.ItemPath("operations", i), models));
    plan.operations.push_back(std::move(op));
  }
  GroupOperationsInFleetOrder(plan);
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
                      .workloads = {},
                      .operations = transition.operations};
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
