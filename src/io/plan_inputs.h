// Reading the planner's inputs: the fleet, the workloads and the optional
// performance table (formats in docs/plan-inputs.md). YAML or JSON for all
// three; CSV with a header row for workloads and the perf table (chosen by the
// ".csv" extension). Every error names "<file>:<line>" and the item (node,
// GPU, workload, profile); nothing is silently dropped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "fleet/fleet.h"
#include "geometry/catalog.h"
#include "plan/perf_table.h"
#include "plan/workload.h"

namespace migsched::io {

// Fleet: `nodes:` items are either {name, gpus: [{model, count}], labels,
// current} or the shorthand {name_prefix, count, gpus, labels} for `count`
// identical nodes named "<prefix>-1" ... Optional `current:` gives per-GPU
// layouts ({gpu, mig_enabled, instances: [{profile, start, workload, busy}],
// workload, busy}); each is checked with geometry::CheckLayout and an invalid
// one is rejected naming node and GPU. A GPU without `current:` is in factory
// state, MIG disabled; `mig_enabled` defaults to whether `instances` is given. NotFound for an unknown GPU model or
// profile; InvalidArgument for anything malformed or absurd.
Result<fleet::Fleet> ParseFleet(const geometry::Catalog& catalog, std::string_view text,
                                const std::string& source);
Result<fleet::Fleet> ReadFleetFile(const geometry::Catalog& catalog, const std::string& path);

// Workloads: `workloads:` items {name, replicas | demand_rps, memory_gib |
// memory_mib, min_compute_slices, kind, priority, tenant, allowed_models,
// max_latency_ms, perf_key, require_labels, max_per_gpu, max_per_node}; CSV
// has the same column names. Allowed models are
// resolved against the catalog and stored by their short names.
Result<std::vector<plan::Workload>> ParseWorkloadsYaml(const geometry::Catalog& catalog,
                                                       std::string_view text,
                                                       const std::string& source);
Result<std::vector<plan::Workload>> ParseWorkloadsCsv(const geometry::Catalog& catalog,
                                                      std::string_view text,
                                                      const std::string& source);
Result<std::vector<plan::Workload>> ReadWorkloadsFile(const geometry::Catalog& catalog,
                                                      const std::string& path);

// Perf table: `entries:` items (YAML) or CSV rows {key, gpu, profile,
// throughput_rps, p99_ms}; GPU and profile are checked against the catalog.
Result<plan::PerfTable> ParsePerfTableYaml(const geometry::Catalog& catalog,
                                           std::string_view text, const std::string& source);
Result<plan::PerfTable> ParsePerfTableCsv(const geometry::Catalog& catalog, std::string_view text,
                                          const std::string& source);
Result<plan::PerfTable> ReadPerfTableFile(const geometry::Catalog& catalog,
                                          const std::string& path);

}  // namespace migsched::io
