#include "geometry/presets.h"

#include <algorithm>
#include <optional>

#include "common/strings.h"
#include "geometry/gpu_state.h"

namespace migsched::geometry {
namespace {

// The standard-media profile with the fewest memory slices among those with
// `compute` compute slices.
std::optional<int> SmallestStandard(const GpuModel& model, int compute) {
  std::optional<int> best;
  for (size_t p = 0; p < model.profiles.size(); ++p) {
    const GiProfile& profile = model.profiles[p];
    if (profile.media_variant != MediaVariant::kStandard || profile.compute_slices != compute) {
      continue;
    }
    if (!best || profile.memory_slices < model.profiles[static_cast<size_t>(*best)].memory_slices) {
      best = static_cast<int>(p);
    }
  }
  return best;
}

enum class StartOrder { kLowestFirst, kHighestFirst };

// Adds `profile` at the first start in `order` that fits; false if none does.
bool PlaceOne(const GpuModel& model, int profile, StartOrder order, GpuState& state,
              std::vector<GpuInstance>& layout) {
  const GiProfile& gi = model.profiles[static_cast<size_t>(profile)];
  std::vector<int> starts = gi.starts;
  if (order == StartOrder::kHighestFirst) std::reverse(starts.begin(), starts.end());
  for (int start : starts) {
    if (CheckPlace(model, gi, state, start) != PlaceCheck::kFits) continue;
    state = AfterPlace(gi, state, start);
    layout.push_back(GpuInstance{profile, gi.PlacementAt(start)});
    return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> PresetNames() { return {"all-1g", "all-balanced"}; }

Result<Preset> ParsePreset(std::string_view name) {
  if (name == "all-1g") return Preset::kAll1g;
  if (name == "all-balanced") return Preset::kAllBalanced;
  return InvalidArgumentError("unknown preset '" + std::string(name) +
                              "'; valid presets: " + Join(PresetNames(), ", "));
}

std::vector<GpuInstance> PresetLayout(const GpuModel& model, Preset preset) {
  std::vector<GpuInstance> layout;
  GpuState state;
  const std::optional<int> smallest = SmallestStandard(model, 1);
  if (!smallest) return layout;
  if (preset == Preset::kAllBalanced) {
    for (int compute = model.compute_slices / 2; compute >= 1; --compute) {
      if (const std::optional<int> profile = SmallestStandard(model, compute)) {
        PlaceOne(model, *profile, StartOrder::kHighestFirst, state, layout);
      }
    }
  }
  while (PlaceOne(model, *smallest, StartOrder::kLowestFirst, state, layout)) {
  }
  return layout;
}

}  // namespace migsched::geometry
