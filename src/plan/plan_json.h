// plan.json: the planner's answer as the node agent reads it (`migsched
// apply --plan`). Expanded form (docs/plan-outputs.md):
//   {"gpus_used", "lower_bound", "gap", "method",
//    "gpus": [{"node", "index", "model", "mig_enabled",
//              "instances": [{"profile", "start", "size", "workload"}]}   (MIG on)
//             | {"node", "index", "model", "mig_enabled": false, "workload"}],
//    "unplaced": [{"workload", "replicas", "reason"}],
//    "workloads": [{"name", "resources": [{"model", "profile", "replicas",
//                                          "kubernetes", "slurm"}]}],
//    "operations": [{"node", "gpu", "op", "profile", "start"}]}
// `op` is destroy_ci | destroy_gi | create_gi | create_ci (with profile and
// start) or enable_mig | disable_mig (without). Operations are in execution
// order per GPU. The compact form says the same in fewer bytes: each distinct
// layout and per-GPU operation list once, every GPU as [index, layout, list]:
//   {"gpus_used", "lower_bound", "gap", "method",
//    "layouts": [{"model", "mig_enabled", "instances" | "workload"}],
//    "operation_lists": [[{"op", "profile", "start"}]],
//    "nodes": [{"node", "gpus": [[index, layout, operation list]]}],
//    "unplaced": [...], "workloads": [...]}
// `workloads` is optional when read (files written before it existed).
// Writing is deterministic (fixed key order; one GPU, operation, layout or
// node per line). An adapter at the edge: the core never sees JSON.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "fleet/fleet.h"
#include "geometry/catalog.h"
#include "plan/planner.h"
#include "plan/transition.h"

namespace migsched::plan {

// What a Deployment (device plugin, mixed strategy) or an sbatch script
// (--gres) asks for to run one replica of a workload on one model.
struct WorkloadResource {
  std::string model;
  std::string profile;  // "3g.40gb", or kWholeGpuProfile
  int replicas = 0;     // planned on this model
  std::string kubernetes;  // "nvidia.com/mig-3g.40gb", "nvidia.com/gpu"
  std::string slurm;       // "gpu:h100_80gb_hbm3_3g.40gb"
  friend bool operator==(const WorkloadResource&, const WorkloadResource&) = default;
};

struct WorkloadResources {
  std::string name;
  std::vector<WorkloadResource> resources;  // one per model the workload may use
  friend bool operator==(const WorkloadResources&, const WorkloadResources&) = default;
};

struct PlanDocument {
  int gpus_used = 0;
  double lower_bound = 0;
  double gap = 0;
  std::string method;
  fleet::Fleet gpus;                     // the target layout of every GPU
  std::vector<Unplaced> unplaced;
  // Resource names are the engines' (Kubernetes, Slurm): the CLI fills them.
  std::vector<WorkloadResources> workloads;
  std::vector<TransitionOp> operations;  // from the current layout to `gpus`
};

// The document for a planner result and its transition.
PlanDocument MakePlanDocument(const PlanResult& result, const TransitionPlan& transition);

enum class PlanJsonForm { kExpanded, kCompact };

// Writes plan.json into `out` as it goes (no document tree), ending in a
// newline. `plan.operations` come per GPU in the order of `plan.gpus` (as
// PlanTransition makes them); the reader gives back the same document in
// either form.
void WritePlanJson(const PlanDocument& plan, PlanJsonForm form, std::ostream& out);
// The same as a string.
std::string WritePlanJson(const PlanDocument& plan, PlanJsonForm form = PlanJsonForm::kExpanded);

// Parses plan.json in either form (compact when it has "layouts"). Every error starts with "<source>: $.<json path>: ", e.g.
// "plan.json: $.gpus[2].instances[0].profile: unknown profile '3g.99gb' for
// H100-80GB; valid profiles: ...". InvalidArgument for malformed JSON, a
// missing or mistyped key, an unknown key, a size that disagrees with the
// profile, an invalid layout, a GPU listed twice, or an operation on a GPU
// that is not listed; NotFound for an unknown GPU model or profile.
Result<PlanDocument> ParsePlanJson(const geometry::Catalog& catalog, std::string_view text,
                                   const std::string& source);
// Reads and parses a file; NotFound if it cannot be read.
Result<PlanDocument> ReadPlanJsonFile(const geometry::Catalog& catalog, const std::string& path);

}  // namespace migsched::plan
