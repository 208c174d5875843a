// Perf tables from YAML/JSON (`entries:` list) or CSV (header row).
#include "io/plan_input_records.h"
#include "io/plan_inputs.h"
#include "io/text_file.h"

namespace migsched::io {
namespace {

const std::vector<std::string_view> kPerfKeys = {"key", "gpu", "profile", "throughput_rps",
                                                 "p99_ms"};

Result<plan::PerfEntry> ParseEntry(const geometry::Catalog& catalog, const Record& r) {
  plan::PerfEntry e;
  e.source = r.Where();
  MIGSCHED_ASSIGN_OR_RETURN(e.key, r.String("key"));
  std::string gpu;
  MIGSCHED_ASSIGN_OR_RETURN(gpu, r.String("gpu"));
  Result<const geometry::GpuModel*> model = catalog.Find(gpu);
  if (!model.has_value()) {
    return Status(model.error().code(), r.Where("gpu") + ": " + model.error().message());
  }
  e.gpu_model = (*model)->name;
  MIGSCHED_ASSIGN_OR_RETURN(e.profile, r.String("profile"));
  if (e.profile != plan::kWholeGpuProfile && !(*model)->FindProfile(e.profile)) {
    return NotFoundError(r.Where("profile") + ": unknown profile '" + e.profile + "' on " +
                         e.gpu_model + " (profiles: " + (*model)->ProfileNames() + ", or " +
                         std::string(plan::kWholeGpuProfile) + ")");
  }
  Result<std::optional<double>> rps = r.Number("throughput_rps", 1e-9, 1e12);
  if (!rps.has_value()) return rps.error();
  if (!*rps) return r.Error("", "missing required key 'throughput_rps'");
  e.throughput_rps = **rps;
  Result<std::optional<double>> p99 = r.Number("p99_ms", 0, 1e9);
  if (!p99.has_value()) return p99.error();
  e.p99_latency_ms = *p99;
  return e;
}

Result<plan::PerfTable> ParseRecords(const geometry::Catalog& catalog,
                                     const std::vector<Record>& records) {
  plan::PerfTable table;
  for (const Record& record : records) {
    plan::PerfEntry e;
    MIGSCHED_ASSIGN_OR_RETURN(e, ParseEntry(catalog, record));
    if (const plan::PerfEntry* first = table.Find(e.key, e.gpu_model, e.profile)) {
      return InvalidArgumentError(e.source + ": duplicate entry for " + e.key + " on " +
                                  e.gpu_model + " " + e.profile + " (first at " + first->source +
                                  ")");
    }
    table.entries.push_back(std::move(e));
  }
  return table;
}

}  // namespace

Result<plan::PerfTable> ParsePerfTableYaml(const geometry::Catalog& catalog,
                                           std::string_view text, const std::string& source) {
  std::vector<Record> records;
  MIGSCHED_ASSIGN_OR_RETURN(records, YamlRecords(text, source, "entries", "perf entry", kPerfKeys));
  return ParseRecords(catalog, records);
}

Result<plan::PerfTable> ParsePerfTableCsv(const geometry::Catalog& catalog, std::string_view text,
                                          const std::string& source) {
  std::vector<Record> records;
  MIGSCHED_ASSIGN_OR_RETURN(records, CsvRecords(text, source, kPerfKeys));
  return ParseRecords(catalog, records);
}

Result<plan::PerfTable> ReadPerfTableFile(const geometry::Catalog& catalog,
                                          const std::string& path) {
  std::string text;
  MIGSCHED_ASSIGN_OR_RETURN(text, ReadTextFile(path, "perf table"));
  return HasCsvExtension(path) ? ParsePerfTableCsv(catalog, text, path)
                               : ParsePerfTableYaml(catalog, text, path);
}

}  // namespace migsched::io
