// The one rule for changing a GPU's MIG layout, shared by the planner's
// transition (`plan --dry-run`, plan.json) and the node agent's reconcile, so
// that the same change gives the same operations in both.
//
// Current instances present in the target (same profile and start) are kept;
// every other current instance is destroyed (destroy_ci, then destroy_gi);
// every missing target instance is created (create_gi at its explicit start,
// then create_ci). A kept instance whose compute instances are wrong (only the
// agent sees those) gets destroy_ci and create_ci and keeps its GPU instance.
// Order, per phase:
//   1. destroys: NVML creates an instance only where nothing overlaps it, and
//      a new instance may cover slices that a destroyed one holds;
//   2. disable_mig / enable_mig: NVML changes the mode only without instances
//      (so after the destroys) and creates instances only in MIG mode;
//   3. creates.
// Within a phase instances go largest first (memory, then compute slices),
// then by start. With explicit starts any order of a valid layout can be
// created (layout.h), so the order is fixed only to be canonical: the same
// change gives the same sequence whatever order the caller lists instances in
// (NVML lists them by id, a fleet file as written). Largest first is also the
// order that still works where a driver chooses placements itself.
// Example, H100-80GB: {1g.10gb@6, 3g.40gb@0} -> {1g.10gb@6, 2g.20gb@0, 1g.10gb@2}
// keeps 1g.10gb@6 and gives destroy_ci 3g.40gb@0, destroy_gi 3g.40gb@0,
// create_gi 2g.20gb@0, create_ci 2g.20gb@0, create_gi 1g.10gb@2, create_ci 1g.10gb@2.
// Pure. Busy rules are the callers': they refuse a diff whose `destroyed` or
// MIG mode change touches what runs work.
#pragma once

#include <span>
#include <vector>

#include "geometry/gpu_model.h"
#include "geometry/layout.h"
#include "geometry/mig_op.h"

namespace migsched::geometry {

struct MigLayout {
  bool mig_enabled = false;
  std::vector<GpuInstance> instances;  // ignored when MIG is off
};

struct LayoutDiff {
  std::vector<MigOp> ops;               // execution order
  std::vector<GpuInstance> kept;        // current instances left untouched, in current order
  std::vector<GpuInstance> destroyed;   // current instances destroyed, in op order
  std::vector<GpuInstance> compute_replaced;  // kept GPU instances given new compute instances
  bool changes_mig_mode = false;
};

// Both layouts must be valid for `model` (the callers check, with their own
// wording). `replace_compute` lists kept instances whose compute instances
// must be replaced; instances it names that the target does not keep are
// destroyed anyway and need no mention.
LayoutDiff DiffLayouts(const GpuModel& model, const MigLayout& current, const MigLayout& target,
                       std::span<const GpuInstance> replace_compute = {});

}  // namespace migsched::geometry
