// The one rule for which MIG profile a request needs, used by the planner's
// right-sizing (a workload's memory and minimum compute), `simulate` (a trace
// job's share of a GPU) and `workloads from-alibaba` (a pod's share), so that
// the three agree on the same request (docs/simulator.md, "From a fractional
// request to MIG").
//
// A profile fits a need when it is a standard profile (no +me/-me/+gfx
// variant) with at least the needed compute slices, memory slices and MiB;
// the smallest fitting profile has the fewest compute slices, then the least
// memory, then comes first in the catalog. A share of gpu_milli thousandths of
// a GPU with C compute and S memory slices needs ceil(gpu_milli x C / 1000)
// compute slices and ceil(gpu_milli x S / 1000) memory slices, or, when the
// job states its memory, that many MiB instead. On an H100-80GB (C = 7, S = 8):
//   100 -> 1g.10gb   140 -> 1g.20gb   250 -> 2g.20gb   420 -> 3g.40gb
//   460 -> 4g.40gb (3/7 = 0.43 < 0.46)  550 -> 7g.80gb (4/8 memory < 0.55)
#pragma once

#include <cstdint>
#include <optional>

#include "geometry/gpu_model.h"

namespace migsched::plan {

struct ProfileNeed {
  int compute_slices = 0;  // at least this many
  int memory_slices = 0;   // at least this many (a share of the GPU's memory)
  int64_t memory_mib = 0;  // at least this much
};

// The need of a share of one GPU of `model`: gpu_milli (1..1000) of its
// compute and, when memory_mib is 0, of its memory; else memory_mib MiB.
ProfileNeed NeedOfShare(const geometry::GpuModel& model, int gpu_milli, int64_t memory_mib);

bool ProfileFits(const geometry::GiProfile& profile, const ProfileNeed& need);

// The index of the smallest profile of `model` that fits, or nullopt when
// none does (e.g. more memory than the largest profile has).
std::optional<int> SmallestFittingProfile(const geometry::GpuModel& model, const ProfileNeed& need);

// Whether `profile` (an index into model.profiles) spans the whole GPU's
// compute: a request for it runs on a whole GPU in the simulator.
bool IsWholeGpuProfile(const geometry::GpuModel& model, int profile);

}  // namespace migsched::plan
