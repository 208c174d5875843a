// Fleets from YAML/JSON: nodes with GPUs, the shorthand for many identical
// nodes, and optional current layouts (validated with geometry::CheckLayout).
#include <map>
#include <set>

#include "common/names.h"
#include "geometry/layout.h"
#include "io/plan_input_records.h"
#include "io/plan_inputs.h"
#include "io/text_file.h"
#include "io/yaml_reader.h"

namespace migsched::io {
namespace {

using fleet::FleetGpu;
using fleet::FleetInstance;

constexpr int kMaxGpusPerNode = 64;
constexpr int64_t kMaxFleetGpus = 10'000'000;

class FleetParser {
 public:
  FleetParser(const geometry::Catalog& catalog, const std::string& source)
      : catalog_(catalog), reader_(source) {}

  Result<fleet::Fleet> Parse(std::string_view text) {
    YAML::Node root;
    MIGSCHED_ASSIGN_OR_RETURN(root, reader_.Parse(text));
    MIGSCHED_RETURN_IF_ERROR(reader_.ExpectKeys(root, "fleet", {"nodes"}));
    YAML::Node nodes;
    MIGSCHED_ASSIGN_OR_RETURN(nodes, reader_.Required(root, "nodes"));
    if (!nodes.IsSequence()) return reader_.Error(nodes, "'nodes' must be a list");
    // An empty fleet would plan and schedule nothing while reporting success.
    if (nodes.size() == 0) return reader_.Error(nodes, "'nodes' is empty: a fleet has at least one node");
    for (const YAML::Node& node : nodes) MIGSCHED_RETURN_IF_ERROR(ParseNode(node));
    return std::move(fleet_);
  }

 private:
  Status ParseNode(const YAML::Node& node) {
    MIGSCHED_RETURN_IF_ERROR(reader_.ExpectKeys(
        node, "node", {"name", "name_prefix", "count", "gpus", "labels", "current"}));
    std::vector<std::string> labels;
    MIGSCHED_ASSIGN_OR_RETURN(labels, reader_.StringList(node, "labels"));
    std::vector<std::pair<const geometry::GpuModel*, YAML::Node>> gpus;
    MIGSCHED_ASSIGN_OR_RETURN(gpus, ParseGpus(node));
    if (node["name_prefix"]) {
      if (node["name"]) return reader_.Error(node, "give name or name_prefix, not both");
      if (node["current"]) {
        return reader_.Error(node["current"], "'current' needs a named node, not name_prefix");
      }
      std::string prefix;
      MIGSCHED_ASSIGN_OR_RETURN(prefix, reader_.String(node, "name_prefix"));
      int count = 0;
      MIGSCHED_ASSIGN_OR_RETURN(count, reader_.Count(node, "count"));
      for (int i = 1; i <= count; ++i) {
        MIGSCHED_RETURN_IF_ERROR(AddNode(node, prefix + "-" + std::to_string(i), gpus, labels));
      }
      return Status::Ok();
    }
    if (node["count"]) return reader_.Error(node["count"], "'count' goes with name_prefix");
    std::string name;
    MIGSCHED_ASSIGN_OR_RETURN(name, reader_.String(node, "name"));
    const size_t first = fleet_.gpus.size();
    MIGSCHED_RETURN_IF_ERROR(AddNode(node, name, gpus, labels));
    if (node["current"]) {
      return ParseCurrent(node["current"], name, first, fleet_.gpus.size() - first);
    }
    return Status::Ok();
  }

  Result<std::vector<std::pair<const geometry::GpuModel*, YAML::Node>>> ParseGpus(
      const YAML::Node& node) {
    YAML::Node gpus;
    MIGSCHED_ASSIGN_OR_RETURN(gpus, reader_.Required(node, "gpus"));
    if (!gpus.IsSequence()) return reader_.Error(gpus, "'gpus' must be a list");
    std::vector<std::pair<const geometry::GpuModel*, YAML::Node>> out;
    int total = 0;
    for (const YAML::Node& entry : gpus) {
      MIGSCHED_RETURN_IF_ERROR(reader_.ExpectKeys(entry, "gpu entry", {"model", "count", "labels"}));
      std::string name;
      MIGSCHED_ASSIGN_OR_RETURN(name, reader_.String(entry, "model"));
      Result<const geometry::GpuModel*> model = catalog_.Find(name);
      if (!model.has_value()) {
        return Status(model.error().code(), reader_.Where(entry["model"]) + ": " +
                                                model.error().message());
      }
      int count = 1;
      if (entry["count"]) MIGSCHED_ASSIGN_OR_RETURN(count, reader_.Count(entry, "count"));
      total += count;
      if (count < 1 || total > kMaxGpusPerNode) {
        return reader_.Error(entry, "a node has 1 to " + std::to_string(kMaxGpusPerNode) +
                                        " GPUs; 'count' " + std::to_string(count) +
                                        " makes " + std::to_string(total));
      }
      for (int i = 0; i < count; ++i) out.emplace_back(*model, entry);
    }
    return out;
  }

  Status AddNode(const YAML::Node& node, const std::string& name,
                 const std::vector<std::pair<const geometry::GpuModel*, YAML::Node>>& gpus,
                 const std::vector<std::string>& labels) {
    MIGSCHED_RETURN_IF_ERROR(CheckHostName(name, "node name").WithPrefix(reader_.Where(node)));
    if (!node_names_.insert(name).second) {
      return reader_.Error(node, "duplicate node name '" + name + "'");
    }
    if (fleet_.gpus.size() + gpus.size() > static_cast<size_t>(kMaxFleetGpus)) {
      return reader_.Error(node, "more than " + std::to_string(kMaxFleetGpus) + " GPUs");
    }
    int index = 0;
    for (const auto& [model, entry] : gpus) {
      FleetGpu gpu;
      gpu.node = name;
      gpu.index = index++;
      gpu.model = model;
      gpu.mig_enabled = false;  // factory state until `current:` says otherwise
      gpu.labels = labels;
      std::vector<std::string> own;
      MIGSCHED_ASSIGN_OR_RETURN(own, reader_.StringList(entry, "labels"));
      gpu.labels.insert(gpu.labels.end(), own.begin(), own.end());
      fleet_.gpus.push_back(std::move(gpu));
    }
    return Status::Ok();
  }

  Status ParseCurrent(const YAML::Node& current, const std::string& node, size_t first,
                      size_t count) {
    if (!current.IsSequence()) return reader_.Error(current, "'current' must be a list");
    std::set<int> seen;
    for (const YAML::Node& entry : current) {
      MIGSCHED_RETURN_IF_ERROR(reader_.ExpectKeys(
          entry, "current layout", {"gpu", "mig_enabled", "instances", "workload", "busy"}));
      int index = 0;
      MIGSCHED_ASSIGN_OR_RETURN(index, reader_.Count(entry, "gpu"));
      const std::string where = "node '" + node + "' gpu " + std::to_string(index);
      if (static_cast<size_t>(index) >= count) {
        return reader_.Error(entry["gpu"], where + ": the node has " + std::to_string(count) +
                                               " GPUs");
      }
      if (!seen.insert(index).second) return reader_.Error(entry, where + ": given twice");
      FleetGpu& gpu = fleet_.gpus[first + static_cast<size_t>(index)];
      // Instances imply MIG on; without them the GPU is as it left the factory.
      MIGSCHED_ASSIGN_OR_RETURN(gpu.mig_enabled,
                                reader_.OptionalBool(entry, "mig_enabled", entry["instances"].IsDefined()));
      const YAML::Node workload = entry["workload"];
      if (!gpu.mig_enabled) {
        if (entry["instances"]) {
          return reader_.Error(entry["instances"], where + ": MIG is disabled; no instances");
        }
        if (workload) gpu.whole_gpu_workload = workload.Scalar();
        MIGSCHED_ASSIGN_OR_RETURN(gpu.whole_gpu_busy, reader_.OptionalBool(entry, "busy", false));
        continue;
      }
      if (workload || entry["busy"]) {
        return reader_.Error(entry, where + ": workload/busy at GPU level need mig_enabled: false");
      }
      MIGSCHED_RETURN_IF_ERROR(ParseInstances(entry["instances"], where, gpu));
    }
    return Status::Ok();
  }

  Status ParseInstances(const YAML::Node& list, const std::string& where, FleetGpu& gpu) {
    if (!list) return Status::Ok();
    if (!list.IsSequence()) return reader_.Error(list, where + ": 'instances' must be a list");
    for (const YAML::Node& item : list) {
      MIGSCHED_RETURN_IF_ERROR(
          reader_.ExpectKeys(item, "instance", {"profile", "start", "workload", "busy"}));
      std::string profile_name;
      MIGSCHED_ASSIGN_OR_RETURN(profile_name, reader_.String(item, "profile"));
      const std::optional<int> profile = gpu.model->FindProfile(profile_name);
      if (!profile) {
        return NotFoundError(reader_.Where(item["profile"]) + ": " + where +
                             ": unknown profile '" + profile_name + "' on " + gpu.model->name +
                             " (profiles: " + gpu.model->ProfileNames() + ")");
      }
      int start = 0;
      MIGSCHED_ASSIGN_OR_RETURN(start, reader_.Count(item, "start"));
      FleetInstance instance;
      instance.instance = geometry::GpuInstance{
          *profile, gpu.model->profiles[static_cast<size_t>(*profile)].PlacementAt(start)};
      if (item["workload"]) instance.workload = item["workload"].Scalar();
      MIGSCHED_ASSIGN_OR_RETURN(instance.busy, reader_.OptionalBool(item, "busy", false));
      gpu.instances.push_back(std::move(instance));
    }
    const geometry::LayoutVerdict verdict = geometry::CheckLayout(*gpu.model, fleet::LayoutOf(gpu));
    if (!verdict.valid) {
      return reader_.Error(list, where + ": invalid current layout: " + verdict.reason);
    }
    return Status::Ok();
  }

  const geometry::Catalog& catalog_;
  YamlReader reader_;
  fleet::Fleet fleet_;
  std::set<std::string> node_names_;
};

}  // namespace

Result<fleet::Fleet> ParseFleet(const geometry::Catalog& catalog, std::string_view text,
                                const std::string& source) {
  return FleetParser(catalog, source).Parse(text);
}

Result<fleet::Fleet> ReadFleetFile(const geometry::Catalog& catalog, const std::string& path) {
  std::string text;
  MIGSCHED_ASSIGN_OR_RETURN(text, ReadTextFile(path, "fleet file"));
  return ParseFleet(catalog, text, path);
}

}  // namespace migsched::io
