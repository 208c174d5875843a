#include "plan/plan_json.h"

#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "common/strings.h"
#include "geometry/layout.h"
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

// Typed, path-naming access to a parsed document. Every error reads
// "<source>: $.a.b[2].c: <what>".
class JsonReader {
 public:
  explicit JsonReader(std::string source) : source_(std::move(source)) {}

  Status Error(const std::string& path, const std::string& what,
               StatusCode code = StatusCode::kInvalidArgument) const {
    return Status(code, source_ + ": " + path + ": " + what);
  }

  Status ExpectObject(const json& node, const std::string& path,
                      std::initializer_list<std::string_view> known) const {
    if (!node.is_object()) return Error(path, "expected an object");
    for (const auto& [key, value] : node.items()) {
      bool ok = false;
      for (std::string_view k : known) ok = ok || k == key;
      if (!ok) {
        std::vector<std::string> names(known.begin(), known.end());
        return Error(path, "unknown key '" + key + "'; expected keys: " + Join(names, ", "));
      }
    }
    return Status::Ok();
  }

  Result<const json*> Field(const json& node, const std::string& path, const std::string& key) const {
    const auto it = node.find(key);
    if (it == node.end()) return Error(path, "missing key '" + key + "'");
    return &*it;
  }

  Result<std::string> String(const json& node, const std::string& path, const std::string& key) const {
    const json* value = nullptr;
    MIGSCHED_ASSIGN_OR_RETURN(value, Field(node, path, key));
    if (!value->is_string()) return Error(path + "." + key, "expected a string");
    return value->get<std::string>();
  }

  // An integer in [min, max].
  Result<int> Int(const json& node, const std::string& path, const std::string& key, int min,
                  int max) const {
    const json* value = nullptr;
    MIGSCHED_ASSIGN_OR_RETURN(value, Field(node, path, key));
    if (!value->is_number_integer()) return Error(path + "." + key, "expected an integer");
    const int64_t n = value->get<int64_t>();
    if (n < min || n > max) {
      return Error(path + "." + key, std::to_string(n) + " is out of range [" +
                                         std::to_string(min) + ", " + std::to_string(max) + "]");
    }
    return static_cast<int>(n);
  }

  Result<double> NonNegative(const json& node, const std::string& path, const std::string& key) const {
    const json* value = nullptr;
    MIGSCHED_ASSIGN_OR_RETURN(value, Field(node, path, key));
    if (!value->is_number()) return Error(path + "." + key, "expected a number");
    const double d = value->get<double>();
    if (!(d >= 0)) return Error(path + "." + key, "must be a number >= 0");
    return d;
  }

  Result<bool> Bool(const json& node, const std::string& path, const std::string& key) const {
    const json* value = nullptr;
    MIGSCHED_ASSIGN_OR_RETURN(value, Field(node, path, key));
    if (!value->is_boolean()) return Error(path + "." + key, "expected true or false");
    return value->get<bool>();
  }

  Result<const json*> Array(const json& node, const std::string& path, const std::string& key) const {
    const json* value = nullptr;
    MIGSCHED_ASSIGN_OR_RETURN(value, Field(node, path, key));
    if (!value->is_array()) return Error(path + "." + key, "expected an array");
    return value;
  }

 private:
  std::string source_;
};

constexpr int kMaxCount = 1 << 30;

Result<int> ProfileOf(const JsonReader& reader, const GpuModel& model, const std::string& path,
                      const std::string& name) {
  const std::optional<int> profile = model.FindProfile(name);
  if (!profile) {
    return reader.Error(path, "unknown profile '" + name + "' for " + model.name +
                                  "; valid profiles: " + model.ProfileNames(),
                        StatusCode::kNotFound);
  }
  return *profile;
}

Result<FleetGpu> ParseGpu(const JsonReader& reader, const geometry::Catalog& catalog,
                          const json& node, const std::string& path) {
  MIGSCHED_RETURN_IF_ERROR(reader.ExpectObject(
      node, path, {"node", "index", "model", "mig_enabled", "instances", "workload"}));
  FleetGpu gpu;
  MIGSCHED_ASSIGN_OR_RETURN(gpu.node, reader.String(node, path, "node"));
  MIGSCHED_ASSIGN_OR_RETURN(gpu.index, reader.Int(node, path, "index", 0, kMaxCount));
  std::string model_name;
  MIGSCHED_ASSIGN_OR_RETURN(model_name, reader.String(node, path, "model"));
  const Result<const GpuModel*> model = catalog.Find(model_name);
  if (!model.has_value()) {
    return reader.Error(path + ".model", model.error().message(), StatusCode::kNotFound);
  }
  gpu.model = *model;
  MIGSCHED_ASSIGN_OR_RETURN(gpu.mig_enabled, reader.Bool(node, path, "mig_enabled"));
  if (!gpu.mig_enabled) {
    if (node.contains("instances")) {
      return reader.Error(path, "a GPU with mig_enabled false has no 'instances'");
    }
    MIGSCHED_ASSIGN_OR_RETURN(gpu.whole_gpu_workload, reader.String(node, path, "workload"));
    return gpu;
  }
  if (node.contains("workload")) {
    return reader.Error(path, "'workload' belongs to instances when mig_enabled is true");
  }
  const json* instances = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(instances, reader.Array(node, path, "instances"));
  for (size_t i = 0; i < instances->size(); ++i) {
    const json& item = (*instances)[i];
    const std::string at = path + ".instances[" + std::to_string(i) + "]";
    MIGSCHED_RETURN_IF_ERROR(reader.ExpectObject(item, at, {"profile", "start", "size", "workload"}));
    std::string name;
    MIGSCHED_ASSIGN_OR_RETURN(name, reader.String(item, at, "profile"));
    int profile = 0;
    MIGSCHED_ASSIGN_OR_RETURN(profile, ProfileOf(reader, **model, at + ".profile", name));
    int start = 0;
    int size = 0;
    MIGSCHED_ASSIGN_OR_RETURN(start, reader.Int(item, at, "start", 0, geometry::kMaxMemorySlices));
    MIGSCHED_ASSIGN_OR_RETURN(size, reader.Int(item, at, "size", 0, geometry::kMaxMemorySlices));
    const geometry::GiProfile& p = (*model)->profiles[static_cast<size_t>(profile)];
    if (size != p.memory_slices) {
      return reader.Error(at + ".size", "size " + std::to_string(size) + " but " + p.name +
                                            " takes " + std::to_string(p.memory_slices) +
                                            " memory slices");
    }
    FleetInstance instance{.instance = {profile, p.PlacementAt(start)}, .workload = "", .busy = false};
    MIGSCHED_ASSIGN_OR_RETURN(instance.workload, reader.String(item, at, "workload"));
    gpu.instances.push_back(std::move(instance));
  }
  const geometry::LayoutVerdict verdict = geometry::CheckLayout(**model, fleet::LayoutOf(gpu));
  if (!verdict.valid) return reader.Error(path + ".instances", "invalid layout: " + verdict.reason);
  return gpu;
}

Result<TransitionOp> ParseOp(const JsonReader& reader, const json& node, const std::string& path,
                             const std::map<std::pair<std::string, int>, const GpuModel*>& models) {
  MIGSCHED_RETURN_IF_ERROR(reader.ExpectObject(node, path, {"node", "gpu", "op", "profile", "start"}));
  TransitionOp op;
  MIGSCHED_ASSIGN_OR_RETURN(op.node, reader.String(node, path, "node"));
  MIGSCHED_ASSIGN_OR_RETURN(op.gpu, reader.Int(node, path, "gpu", 0, kMaxCount));
  const auto gpu = models.find({op.node, op.gpu});
  if (gpu == models.end()) {
    return reader.Error(path, "GPU " + op.node + " gpu " + std::to_string(op.gpu) +
                                  " is not listed in $.gpus");
  }
  std::string kind;
  MIGSCHED_ASSIGN_OR_RETURN(kind, reader.String(node, path, "op"));
  const Result<OpKind> parsed = ParseOpKind(kind);
  if (!parsed.has_value()) return reader.Error(path + ".op", parsed.error().message());
  op.kind = *parsed;
  if (IsModeOp(op.kind)) {
    if (node.contains("profile") || node.contains("start")) {
      return reader.Error(path, kind + " takes no profile or start");
    }
    return op;
  }
  std::string name;
  MIGSCHED_ASSIGN_OR_RETURN(name, reader.String(node, path, "profile"));
  MIGSCHED_ASSIGN_OR_RETURN(op.profile, ProfileOf(reader, *gpu->second, path + ".profile", name));
  MIGSCHED_ASSIGN_OR_RETURN(op.start, reader.Int(node, path, "start", 0, geometry::kMaxMemorySlices));
  const geometry::GiProfile& p = gpu->second->profiles[static_cast<size_t>(op.profile)];
  if (!p.AllowsStart(op.start)) {
    return reader.Error(path + ".start", "start " + std::to_string(op.start) + " not allowed for " +
                                             p.name + " (allowed: " + Join(p.starts, ",") + ")");
  }
  return op;
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
  const JsonReader reader(source);
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& e) {
    return InvalidArgumentError(source + ": malformed JSON at byte " + std::to_string(e.byte) +
                                ": " + e.what());
  }
  MIGSCHED_RETURN_IF_ERROR(reader.ExpectObject(
      root, "$", {"gpus_used", "lower_bound", "gap", "method", "gpus", "unplaced", "operations"}));
  PlanDocument plan;
  MIGSCHED_ASSIGN_OR_RETURN(plan.gpus_used, reader.Int(root, "$", "gpus_used", 0, kMaxCount));
  MIGSCHED_ASSIGN_OR_RETURN(plan.lower_bound, reader.NonNegative(root, "$", "lower_bound"));
  MIGSCHED_ASSIGN_OR_RETURN(plan.gap, reader.NonNegative(root, "$", "gap"));
  MIGSCHED_ASSIGN_OR_RETURN(plan.method, reader.String(root, "$", "method"));

  const json* gpus = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(gpus, reader.Array(root, "$", "gpus"));
  std::map<std::pair<std::string, int>, const GpuModel*> models;
  for (size_t i = 0; i < gpus->size(); ++i) {
    const std::string path = "$.gpus[" + std::to_string(i) + "]";
    FleetGpu gpu;
    MIGSCHED_ASSIGN_OR_RETURN(gpu, ParseGpu(reader, catalog, (*gpus)[i], path));
    if (!models.emplace(std::pair(gpu.node, gpu.index), gpu.model).second) {
      return reader.Error(path, gpu.node + " gpu " + std::to_string(gpu.index) + " is listed twice");
    }
    plan.gpus.gpus.push_back(std::move(gpu));
  }

  const json* unplaced = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(unplaced, reader.Array(root, "$", "unplaced"));
  for (size_t i = 0; i < unplaced->size(); ++i) {
    const std::string path = "$.unplaced[" + std::to_string(i) + "]";
    const json& item = (*unplaced)[i];
    MIGSCHED_RETURN_IF_ERROR(reader.ExpectObject(item, path, {"workload", "replicas", "reason"}));
    Unplaced u;
    MIGSCHED_ASSIGN_OR_RETURN(u.workload, reader.String(item, path, "workload"));
    MIGSCHED_ASSIGN_OR_RETURN(u.replicas, reader.Int(item, path, "replicas", 1, kMaxCount));
    MIGSCHED_ASSIGN_OR_RETURN(u.reason, reader.String(item, path, "reason"));
    plan.unplaced.push_back(std::move(u));
  }

  const json* operations = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(operations, reader.Array(root, "$", "operations"));
  for (size_t i = 0; i < operations->size(); ++i) {
    TransitionOp op;
    MIGSCHED_ASSIGN_OR_RETURN(
        op, ParseOp(reader, (*operations)[i], "$.operations[" + std::to_string(i) + "]", models));
    plan.operations.push_back(std::move(op));
  }
  return plan;
}

Result<PlanDocument> ReadPlanJsonFile(const geometry::Catalog& catalog, const std::string& path) {
  std::string text;
  MIGSCHED_ASSIGN_OR_RETURN(text, io::ReadTextFile(path, "plan file"));
  return ParsePlanJson(catalog, text, path);
}

}  // namespace migsched::plan
