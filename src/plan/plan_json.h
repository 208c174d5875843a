// plan.json: the planner's answer as the node agent reads it (`migsched
// apply --plan`). Expanded form (docs/plan-outputs.md):
//   {"gpus_used", "lower_bound", "gap", "method",
//    "gpus": [{"node", "index", "model", "mig_enabled",
//              "instances": [{"profile", "start", "size", "workload"}]}   (MIG on)
//             | {"node", "index", "model", "mig_enabled": false, "workload"}],
//    "unplaced": [{"workload", "replicas", "reason"}],
//    "operations": [{"node", "gpu", "op", "profile", "start"}]}
// `op` is destroy_ci | destroy_gi | create_gi | create_ci (with profile and
// start) or enable_mig | disable_mig (without). Operations are in execution
// order per GPU. The compact form says the same in fewer bytes: each distinct
// layout and per-GPU operation list once, every GPU as [index, layout, list]:
//   {"gpus_used", "lower_bound", "gap", "method",
//    "layouts": [{"model", "mig_enabled", "instances" | "workload"}],
//    "operation_lists": [[{"op", "profile", "start"}]],
//    "nodes": [{"node", "gpus": [[index, layout, operation list]]}],
//    "unplaced": [...]}
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

struct PlanDocument {
  int gpus_used = 0;
  double lower_bound = 0;
  double gap = 0;
  std::string method;
  fleet::Fleet gpus;                     // the target layout of every GPU
  std::vector<Unplaced> unplaced;
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
