#include "geometry/layout_solver.h"

#include <algorithm>
#include <bit>
#include <map>

namespace migsched::geometry {
namespace {

class Search {
 public:
  Search(const GpuModel& model, const StateSpace& space, std::vector<int> order)
      : space_(space), model_(model), order_(std::move(order)),
        dead_(space.size() * (order_.size() + 1), false) {}

  bool Run(StateId state, size_t depth) {
    if (depth == order_.size()) return true;
    const size_t key = state * (order_.size() + 1) + depth;
    if (dead_[key]) return false;
    const int profile = order_[depth];
    const StartSet fits = space_.Fits(state, profile);
    // The memo also absorbs the k! orders of k identical profiles: they all
    // reach the same state, which is explored once.
    for (int start = fits.highest(); start >= 0; --start) {
      if (!fits.contains(start)) continue;
      chosen_.push_back(GpuInstance{profile, model_.profiles[static_cast<size_t>(profile)].PlacementAt(start)});
      if (Run(space_.Place(state, profile, start), depth + 1)) return true;
      chosen_.pop_back();
    }
    dead_[key] = true;
    return false;
  }

  std::vector<GpuInstance> TakeResult() { return std::move(chosen_); }

 private:
  const StateSpace& space_;
  const GpuModel& model_;
  std::vector<int> order_;
  std::vector<bool> dead_;  // [state][depth]: no completion exists from here
  std::vector<GpuInstance> chosen_;
};

}  // namespace

std::optional<std::vector<GpuInstance>> SolvePlacement(const GpuModel& model,
                                                       const StateSpace& space, StateId from,
                                                       std::span<const int> profiles) {
  std::vector<int> order(profiles.begin(), profiles.end());
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    const GiProfile& pa = model.profiles[static_cast<size_t>(a)];
    const GiProfile& pb = model.profiles[static_cast<size_t>(b)];
    if (pa.memory_slices != pb.memory_slices) return pa.memory_slices > pb.memory_slices;
    if (pa.compute_slices != pb.compute_slices) return pa.compute_slices > pb.compute_slices;
    return a < b;
  });
  Search search(model, space, std::move(order));
  if (!search.Run(from, 0)) return std::nullopt;
  return search.TakeResult();
}

}  // namespace migsched::geometry

namespace migsched::geometry {

std::string ExplainNoPlacement(const GpuModel& model, const StateSpace& space, StateId from,
                               std::span<const int> profiles) {
  const GpuState& state = space.state(from);
  int compute = 0;
  int memory = 0;
  int media_extensions = 0;
  std::map<int, int> requested;
  for (int profile : profiles) {
    const GiProfile& p = model.profiles[static_cast<size_t>(profile)];
    compute += p.compute_slices;
    memory += p.memory_slices;
    if (p.media_variant == MediaVariant::kMediaExtension) ++media_extensions;
    ++requested[profile];
  }
  const int free_compute = model.compute_slices - state.compute_used;
  if (compute > free_compute) {
    return "they need " + std::to_string(compute) + " compute slices but " +
           std::to_string(free_compute) + " are free";
  }
  const int free_memory = model.memory_slices - std::popcount(state.occupied);
  if (memory > free_memory) {
    return "they need " + std::to_string(memory) + " memory slices but " +
           std::to_string(free_memory) + " are free";
  }
  const bool extension_held = (state.exclusive & GpuState::kMediaExtensionHeld) != 0;
  if (media_extensions > (extension_held ? 0 : 1)) {
    return "+me profile already present: a GPU holds at most one +me instance";
  }
  for (const auto& [profile, count] : requested) {
    const int room = FreeCount(space, from, profile);
    if (count > room) {
      return "at most " + std::to_string(room) + " " +
             model.profiles[static_cast<size_t>(profile)].name + " fit, " +
             std::to_string(count) + " requested";
    }
  }
  return "no combination of allowed starts holds them all (placement conflict)";
}

}  // namespace migsched::geometry
