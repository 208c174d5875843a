// The fleet planner: right-size every workload, then pack replicas into
// valid MIG layouts — the most replicas placed (per priority level, highest
// first), then on the fewest GPUs — with a proven lower bound beside the
// answer.
//
// Packing is a Gilmore-Gomory configuration integer program over GPU groups
// (GPUs of one model carrying the same labels: a workload's require_labels
// picks the groups it may use): per group the configurations are the
// distinct profile multisets of its model's maximal layouts; x[g][c] counts
// GPUs of group g laid out as c; demand rows cover each workload class's
// replicas over its (group, profile) options; capacity rows limit each group
// to its free GPUs; the objective is lexicographic, placed replicas per
// priority level then GPUs (config_packing.h). Its size depends on the
// number of distinct workload shapes and models, not on replicas or GPUs.
// GLPK solves the LP (the lower bound) and branch-and-bound under a time
// limit that bounds the whole solve; the heuristic rounds the LP down and
// covers the rest greedily.
// Concrete GPUs are then chosen: GPUs with busy instances are filled around
// them first (busy instances never move), then GPUs whose current layout
// already matches, then partitioned GPUs, then the rest in fleet order.
// Deterministic: the same request gives the same plan.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "fleet/fleet.h"
#include "geometry/catalog.h"
#include "plan/perf_table.h"
#include "plan/right_sizing.h"
#include "plan/workload.h"

namespace migsched::plan {

// GPUs the plan leaves whole (MIG disabled, free) for ad-hoc work, of one
// model or carrying one fleet label: e.g. {.model = "H100-80GB", .gpus = 2}.
struct KeepWhole {
  std::string model;  // catalog short name; empty when `label` is given
  std::string label;
  int64_t gpus = 0;
};

struct PlanRequest {
  fleet::Fleet current;              // every GPU, with current layouts and busy instances
  std::vector<Workload> workloads;   // names unique
  std::optional<PerfTable> perf;     // needed by workloads with demand_rps
  std::vector<KeepWhole> keep_whole;  // each reserves its own GPUs, in order
};

enum class SolveMethod {
  kAuto,       // exact branch-and-bound within the time limit, else the best found
  kExact,      // same as kAuto (kept distinct for the CLI's --exact)
  kHeuristic,  // LP rounding + greedy cover; no branch-and-bound
};

struct PlanOptions {
  int headroom_pct = 0;       // memory headroom for right-sizing
  int time_limit_ms = 10000;  // the whole packing solve (every LP and branch-and-bound)
  SolveMethod method = SolveMethod::kAuto;
  // Monotonic milliseconds for the time limit, injected (PackingOptions::now_ms).
  std::function<int64_t()> now_ms = nullptr;
};

struct Unplaced {
  std::string workload;
  int replicas = 0;
  std::string reason;
};

struct PlanResult {
  fleet::Fleet target;   // every GPU of the fleet; FleetInstance::workload says who runs where
  int gpus_used = 0;     // GPUs with at least one assigned or busy instance (or used whole)
  // LP relaxation: no plan placing as many replicas per priority level uses
  // fewer GPUs (busy GPUs included).
  double lower_bound = 0;
  int proven_bound = 0;    // best integral lower bound proven (== gpus_used when optimal)
  double gap = 0;          // (gpus_used - lower_bound) / lower_bound; 0 when lower_bound == 0
  // "milp-optimal" (proven: no plan places more, none placing as much uses
  // fewer GPUs) | "milp-time-limit" | "heuristic".
  std::string method;
  std::vector<Unplaced> unplaced;      // replicas that could not be placed, with the reason
  std::vector<WorkloadSizing> sizing;  // per workload, in request order, for --explain
};

// InvalidArgument for a malformed request (duplicate workload names, a GPU
// without a model, a current layout that is invalid, a demand without a perf
// table entry, a keep_whole asking for more GPUs without busy instances than
// the fleet has). Workloads that fit nowhere, or for which GPUs run out, are not
// errors: they are reported in PlanResult::unplaced.
Result<PlanResult> PlanFleet(const geometry::Catalog& catalog, const PlanRequest& request,
                             const PlanOptions& options);

}  // namespace migsched::plan
