#include "plan/baselines.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include "geometry/state_space.h"

namespace migsched::plan {
namespace {

using geometry::GiProfile;
using geometry::GpuModel;

// Which choice a workload has on each model.
using ChoiceByModel = std::map<const GpuModel*, const SizingChoice*>;

// A workload's choices by model, and the labels a GPU must carry to take it.
struct Choices {
  ChoiceByModel by_model;
  std::vector<std::string> require_labels;
};

Choices ChoicesOf(const WorkloadSizing& sizing) {
  Choices out{.by_model = {}, .require_labels = sizing.require_labels};
  for (const SizingChoice& choice : sizing.choices) out.by_model.emplace(choice.model, &choice);
  return out;
}

// The workload's choice on `gpu`, or nullptr where it may not run.
const SizingChoice* ChoiceOn(const Choices& choices, const fleet::FleetGpu& gpu) {
  if (!fleet::CarriesLabels(gpu.labels, choices.require_labels)) return nullptr;
  const auto it = choices.by_model.find(gpu.model);
  return it == choices.by_model.end() ? nullptr : it->second;
}

// Workloads that fit some model, largest first: whole GPUs, then memory
// slices, then compute slices of their first choice; ties keep input order.
std::vector<size_t> DecreasingOrder(const std::vector<WorkloadSizing>& sizing) {
  std::vector<size_t> order;
  for (size_t i = 0; i < sizing.size(); ++i) {
    if (!sizing[i].choices.empty()) order.push_back(i);
  }
  auto key = [&](size_t i) {
    const SizingChoice& c = sizing[i].choices.front();
    return std::tuple(c.whole_gpu() ? 1 : 0, c.memory_slices, c.compute_slices);
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) > key(b); });
  return order;
}

// Per GPU of the fleet: how a baseline is using it.
struct GpuUse {
  bool whole = false;     // given whole to one replica
  int replicas = 0;       // replicas on it
};

BaselineResult Finish(std::string name, const fleet::Fleet& fleet, const std::vector<GpuUse>& use,
                      std::vector<Unplaced> unplaced) {
  BaselineResult result{.name = std::move(name), .gpus_used = 0, .gpus_used_by_model = {}, .replicas_placed = 0,
                        .unplaced = std::move(unplaced)};
  for (size_t g = 0; g < use.size(); ++g) {
    if (use[g].replicas > 0) {
      ++result.gpus_used;
      ++result.gpus_used_by_model[fleet.gpus[g].model];
    }
    result.replicas_placed += use[g].replicas;
  }
  return result;
}

void AddUnplaced(std::vector<Unplaced>& unplaced, const WorkloadSizing& sizing, int replicas,
                 std::string reason) {
  if (replicas > 0) unplaced.push_back(Unplaced{sizing.workload, replicas, std::move(reason)});
}

// The first GPU at or after `cursor` that `accept` takes; fleet size if none.
// Baselines only ever fill GPUs, so a GPU refused once stays refused and the
// cursor never moves back.
template <typename Accept>
size_t Advance(size_t cursor, size_t end, Accept&& accept) {
  while (cursor < end && !accept(cursor)) ++cursor;
  return cursor;
}

// Workloads with the same choices on every model and the same required labels
// fit the same GPUs, so they share a cursor: a GPU refused for one is refused
// for all of them. This keeps a baseline linear in GPUs times distinct shapes,
// not times workloads.
using Shape = std::pair<std::vector<std::tuple<const GpuModel*, int, int, int>>, std::vector<std::string>>;

Shape ShapeOf(const WorkloadSizing& sizing) {
  Shape shape;
  for (const SizingChoice& c : sizing.choices) {
    shape.first.emplace_back(c.model, c.profile.value_or(-1), c.memory_slices, c.compute_slices);
  }
  std::sort(shape.first.begin(), shape.first.end());
  shape.second = sizing.require_labels;
  std::sort(shape.second.begin(), shape.second.end());
  return shape;
}

}  // namespace

Result<std::vector<int>> PresetProfiles(const GpuModel& model, Preset preset) {
  std::vector<int> profiles;
  for (const geometry::GpuInstance& instance : geometry::PresetLayout(model, preset)) {
    profiles.push_back(instance.profile);
  }
  if (profiles.empty()) return NotFoundError(model.name + " has no standard 1g profile");
  return profiles;
}

BaselineResult WholeGpuBaseline(const fleet::Fleet& fleet,
                                const std::vector<WorkloadSizing>& sizing) {
  std::vector<GpuUse> use(fleet.gpus.size());
  std::vector<Unplaced> unplaced;
  std::map<Shape, size_t> cursors;
  for (size_t w : DecreasingOrder(sizing)) {
    const Choices choices = ChoicesOf(sizing[w]);
    int left = sizing[w].choices.front().replicas;
    size_t& cursor = cursors[ShapeOf(sizing[w])];
    for (; left > 0; --left) {
      cursor = Advance(cursor, use.size(), [&](size_t g) {
        return use[g].replicas == 0 && ChoiceOn(choices, fleet.gpus[g]) != nullptr;
      });
      if (cursor == use.size()) break;
      use[cursor] = GpuUse{.whole = true, .replicas = 1};
    }
    AddUnplaced(unplaced, sizing[w], left, "no free GPU of an allowed model left");
  }
  return Finish("whole-gpu", fleet, use, std::move(unplaced));
}

BaselineResult PresetBaseline(const fleet::Fleet& fleet, const std::vector<WorkloadSizing>& sizing,
                              Preset preset) {
  // The preset's free instances per GPU, as counts per profile index.
  std::map<const GpuModel*, std::vector<int>> preset_of;
  std::vector<std::map<int, int>> free(fleet.gpus.size());
  for (size_t g = 0; g < fleet.gpus.size(); ++g) {
    const GpuModel* model = fleet.gpus[g].model;
    if (!preset_of.contains(model)) {
      Result<std::vector<int>> profiles = PresetProfiles(*model, preset);
      preset_of[model] = profiles.has_value() ? *profiles : std::vector<int>{};
    }
    for (int p : preset_of[model]) ++free[g][p];
  }
  std::vector<GpuUse> use(fleet.gpus.size());
  std::vector<Unplaced> unplaced;
  std::map<Shape, size_t> cursors;
  for (size_t w : DecreasingOrder(sizing)) {
    const Choices choices = ChoicesOf(sizing[w]);
    // The smallest free preset instance on GPU g that holds the replica.
    auto smallest_fit = [&](size_t g) -> std::optional<int> {
      const SizingChoice* choice = ChoiceOn(choices, fleet.gpus[g]);
      if (choice == nullptr || choice->whole_gpu() || use[g].whole) return std::nullopt;
      std::optional<int> best;
      for (const auto& [p, count] : free[g]) {
        const GiProfile& profile = fleet.gpus[g].model->profiles[static_cast<size_t>(p)];
        if (count == 0 || profile.memory_slices < choice->memory_slices ||
            profile.compute_slices < choice->compute_slices) {
          continue;
        }
        const GiProfile* current =
            best ? &fleet.gpus[g].model->profiles[static_cast<size_t>(*best)] : nullptr;
        if (current == nullptr ||
            std::pair(profile.compute_slices, profile.memory_slices) <
                std::pair(current->compute_slices, current->memory_slices)) {
          best = p;
        }
      }
      return best;
    };
    const bool whole = sizing[w].choices.front().whole_gpu();
    size_t& cursor = cursors[ShapeOf(sizing[w])];
    int left = sizing[w].choices.front().replicas;
    for (; left > 0; --left) {
      cursor = Advance(cursor, use.size(), [&](size_t g) {
        if (!whole) return smallest_fit(g).has_value();
        const SizingChoice* choice = ChoiceOn(choices, fleet.gpus[g]);
        return use[g].replicas == 0 && choice != nullptr && choice->whole_gpu();
      });
      if (cursor == use.size()) break;
      if (whole) {
        use[cursor] = GpuUse{.whole = true, .replicas = 1};
        continue;
      }
      --free[cursor][*smallest_fit(cursor)];
      ++use[cursor].replicas;
    }
    AddUnplaced(unplaced, sizing[w], left,
                whole ? "no free GPU of an allowed model left"
                      : "no free preset instance large enough on an allowed model");
  }
  return Finish(preset == Preset::kAll1g ? "all-1g" : "all-balanced", fleet, use, std::move(unplaced));
}

BaselineResult FirstFitDecreasing(const fleet::Fleet& fleet,
                                  const std::vector<WorkloadSizing>& sizing) {
  std::map<const GpuModel*, geometry::StateSpace> spaces;
  for (const fleet::FleetGpu& gpu : fleet.gpus) {
    if (spaces.contains(gpu.model)) continue;
    Result<geometry::StateSpace> space = geometry::StateSpace::Build(*gpu.model);
    if (space.has_value()) spaces.emplace(gpu.model, std::move(space).value());
  }
  std::vector<GpuUse> use(fleet.gpus.size());
  std::vector<geometry::StateId> state(fleet.gpus.size(), geometry::StateSpace::kEmpty);
  std::vector<Unplaced> unplaced;
  std::map<Shape, size_t> cursors;
  for (size_t w : DecreasingOrder(sizing)) {
    const Choices choices = ChoicesOf(sizing[w]);
    size_t& cursor = cursors[ShapeOf(sizing[w])];
    int left = sizing[w].choices.front().replicas;
    for (; left > 0; --left) {
      cursor = Advance(cursor, use.size(), [&](size_t g) {
        const SizingChoice* choice = ChoiceOn(choices, fleet.gpus[g]);
        if (choice == nullptr || use[g].whole) return false;
        if (choice->whole_gpu()) return use[g].replicas == 0;
        const auto space = spaces.find(fleet.gpus[g].model);
        return space != spaces.end() && !space->second.Fits(state[g], *choice->profile).empty();
      });
      if (cursor == use.size()) break;
      const SizingChoice& choice = *ChoiceOn(choices, fleet.gpus[cursor]);
      if (choice.whole_gpu()) {
        use[cursor] = GpuUse{.whole = true, .replicas = 1};
        continue;
      }
      const geometry::StateSpace& space = spaces.at(fleet.gpus[cursor].model);
      // The driver's own choice on a fresh GPU: the highest allowed start.
      const int start = space.Fits(state[cursor], *choice.profile).highest();
      state[cursor] = space.Place(state[cursor], *choice.profile, start);
      ++use[cursor].replicas;
    }
    AddUnplaced(unplaced, sizing[w], left, "no GPU of an allowed model has room left");
  }
  return Finish("ffd", fleet, use, std::move(unplaced));
}

std::vector<BaselineResult> RunBaselines(const fleet::Fleet& fleet,
                                         const std::vector<WorkloadSizing>& sizing) {
  return {WholeGpuBaseline(fleet, sizing), PresetBaseline(fleet, sizing, Preset::kAll1g),
          PresetBaseline(fleet, sizing, Preset::kAllBalanced), FirstFitDecreasing(fleet, sizing)};
}

}  // namespace migsched::plan
