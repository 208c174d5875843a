// Workloads from YAML/JSON (`workloads:` list) or CSV (header row).
#include <cmath>
#include <map>

#include "common/names.h"
#include "common/strings.h"
#include "io/plan_input_records.h"
#include "io/plan_inputs.h"
#include "io/text_file.h"

namespace migsched::io {
namespace {

const std::vector<std::string_view> kWorkloadKeys = {
    "name",     "replicas", "demand_rps", "memory_gib",     "memory_mib",     "min_compute_slices",
    "kind",     "priority", "tenant",     "allowed_models", "max_latency_ms", "perf_key",
    "require_labels", "max_per_gpu", "max_per_node"};

constexpr int64_t kMaxReplicas = 10'000'000;
constexpr double kMaxMemoryGib = 16384;  // no GPU comes near 16 TiB

Result<plan::Workload> ParseWorkload(const geometry::Catalog& catalog, const Record& r) {
  plan::Workload w;
  MIGSCHED_ASSIGN_OR_RETURN(w.name, r.String("name"));
  MIGSCHED_RETURN_IF_ERROR(CheckDisplayName(w.name, "workload name").WithPrefix(r.Where("name")));
  w.source = r.Where();
  auto fail = [&](std::string_view key, const std::string& message) {
    return r.Error(key, "workload '" + w.name + "': " + message);
  };
  auto with_name = [&](const Status& s) {
    return Status(s.code(), s.message() + " (workload '" + w.name + "')");
  };

  Result<std::optional<int64_t>> replicas = r.Integer("replicas", 0, kMaxReplicas);
  if (!replicas.has_value()) return with_name(replicas.error());
  Result<std::optional<double>> demand = r.Number("demand_rps", 1e-9, 1e12);
  if (!demand.has_value()) return with_name(demand.error());
  if (*replicas && *demand) return fail("demand_rps", "give replicas or demand_rps, not both");
  if (!*replicas && !*demand) return fail("", "needs replicas or demand_rps");
  w.replicas = static_cast<int>(replicas->value_or(0));
  w.demand_rps = *demand;

  Result<std::optional<double>> gib = r.Number("memory_gib", 0, kMaxMemoryGib);
  if (!gib.has_value()) return with_name(gib.error());
  Result<std::optional<int64_t>> mib =
      r.Integer("memory_mib", 0, static_cast<int64_t>(kMaxMemoryGib) * 1024);
  if (!mib.has_value()) return with_name(mib.error());
  if (*gib && *mib) return fail("memory_mib", "give memory_gib or memory_mib, not both");
  if (!*gib && !*mib) return fail("", "needs memory_gib or memory_mib");
  // GiB only at the edge: the planner works in MiB, rounding up.
  w.memory_mib = *mib ? **mib : static_cast<int64_t>(std::ceil(**gib * 1024));

  Result<std::optional<int64_t>> min_compute = r.Integer("min_compute_slices", 0, 64);
  if (!min_compute.has_value()) return with_name(min_compute.error());
  w.min_compute_slices = static_cast<int>(min_compute->value_or(0));

  const std::string kind = r.OptionalString("kind");
  if (kind == "training") {
    w.kind = plan::WorkloadKind::kTraining;
  } else if (!kind.empty() && kind != "inference") {
    return fail("kind", "kind must be inference or training, not " + Quote(kind));
  }
  Result<std::optional<int64_t>> priority = r.Integer("priority", -1000000, 1000000);
  if (!priority.has_value()) return with_name(priority.error());
  w.priority = static_cast<int>(priority->value_or(0));
  for (const auto& [key, limit] : {std::pair{"max_per_gpu", &w.max_per_gpu}, {"max_per_node", &w.max_per_node}}) {
    Result<std::optional<int64_t>> value = r.Integer(key, 1, kMaxReplicas);
    if (!value.has_value()) return with_name(value.error());
    *limit = static_cast<int>(value->value_or(0));
  }
  w.tenant = r.OptionalString("tenant");
  w.perf_key = r.OptionalString("perf_key");
  Result<std::optional<double>> latency = r.Number("max_latency_ms", 1e-6, 1e9);
  if (!latency.has_value()) return with_name(latency.error());
  w.max_latency_ms = *latency;
  if (w.max_latency_ms && !w.demand_rps) {
    return fail("max_latency_ms", "max_latency_ms needs demand_rps and a perf table");
  }

  if (r.Has("allowed_models")) {
    for (const std::string& name : r.fields.at("allowed_models").items) {
      Result<const geometry::GpuModel*> model = catalog.Find(name);
      if (!model.has_value()) {
        return Status(model.error().code(), r.Where("allowed_models") + ": workload '" + w.name +
                                                "': " + model.error().message());
      }
      w.allowed_models.push_back((*model)->name);
    }
  }
  if (r.Has("require_labels")) w.require_labels = r.fields.at("require_labels").items;
  return w;
}

Result<std::vector<plan::Workload>> ParseRecords(const geometry::Catalog& catalog,
                                                 const std::vector<Record>& records) {
  std::vector<plan::Workload> workloads;
  std::map<std::string, std::string> seen;  // name -> where
  for (const Record& record : records) {
    plan::Workload w;
    MIGSCHED_ASSIGN_OR_RETURN(w, ParseWorkload(catalog, record));
    const auto [it, inserted] = seen.emplace(w.name, w.source);
    if (!inserted) {
      return InvalidArgumentError(w.source + ": duplicate workload name '" + w.name +
                                  "' (first at " + it->second + ")");
    }
    workloads.push_back(std::move(w));
  }
  return workloads;
}

}  // namespace

Result<std::vector<plan::Workload>> ParseWorkloadsYaml(const geometry::Catalog& catalog,
                                                       std::string_view text,
                                                       const std::string& source) {
  std::vector<Record> records;
  MIGSCHED_ASSIGN_OR_RETURN(records, YamlRecords(text, source, "workloads", "workload", kWorkloadKeys));
  return ParseRecords(catalog, records);
}

Result<std::vector<plan::Workload>> ParseWorkloadsCsv(const geometry::Catalog& catalog,
                                                      std::string_view text,
                                                      const std::string& source) {
  std::vector<Record> records;
  MIGSCHED_ASSIGN_OR_RETURN(records, CsvRecords(text, source, kWorkloadKeys));
  return ParseRecords(catalog, records);
}

Result<std::vector<plan::Workload>> ReadWorkloadsFile(const geometry::Catalog& catalog,
                                                      const std::string& path) {
  std::string text;
  MIGSCHED_ASSIGN_OR_RETURN(text, ReadTextFile(path, "workloads file"));
  return HasCsvExtension(path) ? ParseWorkloadsCsv(catalog, text, path)
                               : ParseWorkloadsYaml(catalog, text, path);
}

}  // namespace migsched::io
