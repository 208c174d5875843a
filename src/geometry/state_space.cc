#include "geometry/state_space.h"

namespace migsched::geometry {

Result<StateSpace> StateSpace::Build(const GpuModel& model) {
  const size_t profiles = model.profiles.size();
  const size_t slices = static_cast<size_t>(model.memory_slices);
  StateSpace space(profiles, slices);
  space.states_.push_back(GpuState{});
  space.ids_.emplace(GpuState{}.Key(), kEmpty);
  struct Edge {
    StateId from;
    int profile;
    int start;
    StateId to;
  };
  std::vector<Edge> edges;

  // Breadth-first: states_ grows while we walk it.
  for (size_t id = 0; id < space.states_.size(); ++id) {
    const GpuState current = space.states_[id];
    for (size_t p = 0; p < profiles; ++p) {
      const GiProfile& profile = model.profiles[p];
      uint16_t fits = 0;
      for (int start : profile.starts) {
        if (CheckPlace(model, profile, current, start) != PlaceCheck::kFits) continue;
        fits = static_cast<uint16_t>(fits | 1u << start);
        const GpuState next = AfterPlace(profile, current, start);
        auto [it, inserted] = space.ids_.emplace(next.Key(), static_cast<StateId>(space.states_.size()));
        if (inserted) {
          if (space.states_.size() >= kNoState) {
            return ResourceExhaustedError("gpu '" + model.name + "' has more than " +
                                          std::to_string(kNoState - 1) + " layout states");
          }
          space.states_.push_back(next);
        }
        edges.push_back(Edge{static_cast<StateId>(id), static_cast<int>(p), start, it->second});
      }
      space.fits_.push_back(fits);
    }
  }

  // The tables' size is known only once every state is found.
  const size_t transitions = space.states_.size() * profiles * slices;
  space.place_.assign(transitions, kNoState);
  space.remove_.assign(transitions, kNoState);
  for (const Edge& edge : edges) {
    space.place_[space.TransitionIndex(edge.from, edge.profile, edge.start)] = edge.to;
    space.remove_[space.TransitionIndex(edge.to, edge.profile, edge.start)] = edge.from;
  }
  return space;
}

std::optional<StateId> StateSpace::Find(const GpuState& state) const {
  const auto it = ids_.find(state.Key());
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

}  // namespace migsched::geometry

namespace migsched::geometry {

int FreeCount(const StateSpace& space, StateId state, int profile) {
  int count = 0;
  for (StartSet fits = space.Fits(state, profile); !fits.empty(); fits = space.Fits(state, profile)) {
    state = space.Place(state, profile, std::countr_zero(fits.bits()));
    ++count;
  }
  return count;
}

}  // namespace migsched::geometry
