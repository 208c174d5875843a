#include "sched/options.h"

#include <algorithm>
#include <optional>

#include "common/strings.h"
#include "geometry/gpu_state.h"

namespace migsched::sched {
namespace {

using geometry::GiProfile;
using geometry::GpuInstance;
using geometry::GpuModel;
using geometry::GpuState;

// The standard-media profile with the fewest memory slices among those with
// `compute` compute slices (the smallest one of any size when compute == 0).
std::optional<int> SmallestStandard(const GpuModel& model, int compute) {
  std::optional<int> best;
  for (size_t p = 0; p < model.profiles.size(); ++p) {
    const GiProfile& profile = model.profiles[p];
    if (profile.media_variant != geometry::MediaVariant::kStandard) continue;
    if (compute != 0 && profile.compute_slices != compute) continue;
    const auto key = [&](int i) {
      const GiProfile& q = model.profiles[static_cast<size_t>(i)];
      return std::pair(q.compute_slices, q.memory_slices);
    };
    if (!best || key(static_cast<int>(p)) < key(*best)) best = static_cast<int>(p);
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
    if (geometry::CheckPlace(model, gi, state, start) != geometry::PlaceCheck::kFits) continue;
    state = geometry::AfterPlace(gi, state, start);
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
  const std::optional<int> smallest = SmallestStandard(model, 0);
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

}  // namespace migsched::sched
