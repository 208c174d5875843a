// Baselines: how many GPUs simpler allocation strategies need for the same
// right-sized workloads on the same fleet — the columns users compare
// migsched's plan with.
//
//   whole-gpu     no MIG: every replica takes a GPU of its own.
//   all-1g        NVIDIA's static preset: every GPU used for MIG gets as many
//                 of the smallest 1g profile as fit (H100-80GB: 7 x 1g.10gb).
//   all-balanced  NVIDIA's static preset: 2 x 1g, 1 x 2g, 1 x 3g (H100-80GB:
//                 2 x 1g.10gb, 1 x 2g.20gb, 1 x 3g.40gb; A30: 2 x 1g.6gb,
//                 1 x 2g.12gb; 2-slice RTX PRO: 2 x 1g). Layouts are
//                 geometry::PresetLayout's, which follow the gpu-operator's
//                 default mig-parted config; in both, a replica goes to the first GPU
//                 in fleet order with a free instance of at least its memory
//                 and compute slices, and takes the smallest such instance.
//   ffd           first-fit-decreasing: replicas by size (memory slices, then
//                 compute), each onto the first GPU in fleet order where the
//                 geometry engine says its right-sized profile fits.
// Whole-GPU replicas (training, needs beyond the largest profile) take an
// otherwise unused GPU with MIG disabled in every baseline. Baselines plan the
// fleet from empty (current layouts are ignored) and use a workload's choice
// on each model it may run on, with the replica count of its first choice
// (they differ only for demand-sized workloads). Workloads that fit no model
// are left out: they are unplaced in every strategy and the plan reports them. Pure and deterministic; linear in GPUs plus
// replicas per workload shape, so 100,000 GPUs stay fast.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "fleet/fleet.h"
#include "geometry/gpu_model.h"
#include "geometry/presets.h"
#include "plan/planner.h"
#include "plan/right_sizing.h"

namespace migsched::plan {

using geometry::Preset;

// The preset's profiles on `model` (indices into model.profiles, largest
// first; geometry::PresetLayout's), or NotFound when the model has no
// standard 1g profile.
Result<std::vector<int>> PresetProfiles(const geometry::GpuModel& model, Preset preset);

struct BaselineResult {
  std::string name;      // "whole-gpu", "all-1g", "all-balanced", "ffd"
  int gpus_used = 0;     // GPUs holding at least one replica
  std::map<const geometry::GpuModel*, int> gpus_used_by_model;  // the same per model
  int replicas_placed = 0;
  std::vector<Unplaced> unplaced;  // per workload, in sizing order
};

BaselineResult WholeGpuBaseline(const fleet::Fleet& fleet,
                                const std::vector<WorkloadSizing>& sizing);
BaselineResult PresetBaseline(const fleet::Fleet& fleet, const std::vector<WorkloadSizing>& sizing,
                              Preset preset);
BaselineResult FirstFitDecreasing(const fleet::Fleet& fleet,
                                  const std::vector<WorkloadSizing>& sizing);

// All four, in the order above.
std::vector<BaselineResult> RunBaselines(const fleet::Fleet& fleet,
                                         const std::vector<WorkloadSizing>& sizing);

}  // namespace migsched::plan
