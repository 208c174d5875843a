// NVIDIA's static preset layouts (the gpu-operator's default mig-parted
// configs "all-1g" and "all-balanced"), derived from a model's profiles so
// every catalog model gets one. The planner's baselines and the scheduler's
// static policies both use these. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "geometry/gpu_model.h"
#include "geometry/layout.h"

namespace migsched::geometry {

enum class Preset {
  kAll1g,        // as many of the smallest standard 1g profile as fit (7 x 1g on an A100)
  kAllBalanced,  // one of each standard compute size up to half the GPU, largest first at
                 // its highest start, the rest filled with the smallest 1g (A100:
                 // 3g+2g+1g+1g; A30 and 4-slice models: 2g+1g+1g)
};

std::vector<std::string> PresetNames();  // "all-1g", "all-balanced"
Result<Preset> ParsePreset(std::string_view name);

// The preset's layout for one model, largest instances first; always valid by
// CheckLayout. Empty when the model has no standard-media 1g profile.
std::vector<GpuInstance> PresetLayout(const GpuModel& model, Preset preset);

}  // namespace migsched::geometry
