#include "geometry/layout_enumerator.h"

#include <algorithm>
#include <numeric>
#include <set>

namespace migsched::geometry {
namespace {

class Enumerator {
 public:
  Enumerator(const GpuModel& model, const StateSpace& space, std::vector<int> allowed)
      : model_(model), space_(space), allowed_(std::move(allowed)) {}

  LayoutCensus Run() {
    Visit(StateSpace::kEmpty, 0);
    census_.distinct_multisets = multisets_.size();
    return std::move(census_);
  }

 private:
  // Decides, slot by slot, which instance (if any) starts at `slot`.
  void Visit(StateId state, int slot) {
    if (slot == model_.memory_slices) {
      Record(state);
      return;
    }
    Visit(state, slot + 1);  // nothing starts here
    for (int profile : allowed_) {
      if (!space_.Fits(state, profile).contains(slot)) continue;
      current_.push_back(
          GpuInstance{profile, model_.profiles[static_cast<size_t>(profile)].PlacementAt(slot)});
      Visit(space_.Place(state, profile, slot), slot + 1);
      current_.pop_back();
    }
  }

  void Record(StateId state) {
    ++census_.valid_layouts;
    for (int profile : allowed_) {
      if (!space_.Fits(state, profile).empty()) return;  // not maximal
    }
    census_.maximal_layouts.push_back(current_);
    std::vector<int> profiles;
    for (const GpuInstance& instance : current_) profiles.push_back(instance.profile);
    std::sort(profiles.begin(), profiles.end());
    multisets_.insert(std::move(profiles));
    const GpuState& s = space_.state(state);
    const auto all_memory = static_cast<uint16_t>((1u << model_.memory_slices) - 1u);
    if (s.compute_used == model_.compute_slices && s.occupied == all_memory) {
      ++census_.full_layouts;
    }
  }

  const GpuModel& model_;
  const StateSpace& space_;
  std::vector<int> allowed_;
  std::vector<GpuInstance> current_;
  std::set<std::vector<int>> multisets_;
  LayoutCensus census_;
};

}  // namespace

LayoutCensus EnumerateLayouts(const GpuModel& model, const StateSpace& space,
                              const std::vector<int>& allowed) {
  std::vector<int> profiles = allowed;
  if (profiles.empty()) {
    profiles.resize(model.profiles.size());
    std::iota(profiles.begin(), profiles.end(), 0);
  }
  return Enumerator(model, space, std::move(profiles)).Run();
}

}  // namespace migsched::geometry
