// Layouts: concrete lists of GPU instances on one GPU, their validity with a
// precise reason, and the text form "PROFILE@START" users type.
//
// Validity does not depend on the order of the list: every rule is either
// pairwise (overlap, media exclusivity) or a total (compute, instance count).
// Order matters only when the driver picks placements itself; with explicit
// starts (nvmlDeviceCreateGpuInstanceWithPlacement) any order of a valid
// layout can be created.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "geometry/gpu_model.h"
#include "geometry/gpu_state.h"
#include "geometry/start_set.h"

namespace migsched::geometry {

struct GpuInstance {
  int profile = 0;  // index into GpuModel::profiles
  Placement placement;
  friend bool operator==(const GpuInstance&, const GpuInstance&) = default;
};

// "3g.20gb@4".
std::string InstanceLabel(const GpuModel& model, const GpuInstance& instance);

// A user's request for one instance: a profile, with or without a start.
struct InstanceSpec {
  int profile = 0;
  std::optional<int> start;
};

// Parses "PROFILE" or "PROFILE@START". NotFound for an unknown profile (the
// message lists the model's profiles); InvalidArgument for a malformed start.
Result<InstanceSpec> ParseInstanceSpec(const GpuModel& model, std::string_view text);

struct LayoutVerdict {
  bool valid = false;
  std::string reason;  // empty when valid, else e.g. "3g.20gb@4 overlaps 2g.10gb@4"
  GpuState state;      // the state of the valid prefix of the layout
};

// Checks a whole layout; the reason names the first offending instance and,
// where there is one, the instance it conflicts with.
LayoutVerdict CheckLayout(const GpuModel& model, std::span<const GpuInstance> layout);

// The starts at which `profile` fits next to `layout`, by checking every start
// against every instance. The reference that StateSpace's tables must match,
// and the baseline they are benchmarked against.
StartSet ScanFits(const GpuModel& model, std::span<const GpuInstance> layout, int profile);

}  // namespace migsched::geometry
