// Random valid MIG layouts for property tests, from the geometry engine: every
// subset of a valid layout is valid (layout.h), so a random subset of one of
// the model's maximal layouts (EnumerateLayouts) is a random valid layout.
// Seeded by the caller; instances come in random order, as NVML or a fleet
// file might list them.
#pragma once

#include <algorithm>
#include <random>
#include <vector>

#include "geometry/gpu_model.h"
#include "geometry/layout.h"
#include "geometry/layout_enumerator.h"
#include "testing/catalog_fixture.h"

namespace migsched::testing {

// One GPU's change: from (current_mig, current) to (target_mig, target).
struct LayoutChange {
  bool current_mig = true;
  std::vector<geometry::GpuInstance> current;  // empty when MIG is off
  bool target_mig = true;
  std::vector<geometry::GpuInstance> target;   // empty when MIG is off
};

class RandomLayouts {
 public:
  explicit RandomLayouts(const geometry::GpuModel& model)
      : model_(&model), maximal_(geometry::EnumerateLayouts(model, Space(model)).maximal_layouts) {}

  // Any valid layout: a subset of a maximal one (each instance kept with
  // probability 2/3; a whole maximal layout one time in four).
  std::vector<geometry::GpuInstance> Any(std::mt19937& rng) const {
    std::vector<geometry::GpuInstance> layout = maximal_[Pick(maximal_.size(), rng)];
    if (rng() % 4 != 0) std::erase_if(layout, [&](const geometry::GpuInstance&) { return rng() % 3 == 0; });
    std::shuffle(layout.begin(), layout.end(), rng);
    return layout;
  }

  // A random change: each side MIG off one time in six, the target near the
  // current layout (sharing instances) half of the time, else any.
  LayoutChange Change(std::mt19937& rng) const {
    LayoutChange change;
    change.current_mig = rng() % 6 != 0;
    change.target_mig = rng() % 6 != 0;
    if (change.current_mig) change.current = Any(rng);
    if (change.target_mig) change.target = rng() % 2 == 0 ? Near(change.current, rng) : Any(rng);
    return change;
  }

  // A valid layout sharing part of `from`: some of its instances kept, the
  // rest filled from a random maximal layout wherever an instance still fits.
  std::vector<geometry::GpuInstance> Near(const std::vector<geometry::GpuInstance>& from,
                                          std::mt19937& rng) const {
    std::vector<geometry::GpuInstance> layout = from;
    std::erase_if(layout, [&](const geometry::GpuInstance&) { return rng() % 2 == 0; });
    for (const geometry::GpuInstance& extra : Any(rng)) {
      layout.push_back(extra);
      if (!geometry::CheckLayout(*model_, layout).valid) layout.pop_back();
    }
    std::shuffle(layout.begin(), layout.end(), rng);
    return layout;
  }

 private:
  static size_t Pick(size_t n, std::mt19937& rng) { return static_cast<size_t>(rng() % n); }

  const geometry::GpuModel* model_;
  std::vector<std::vector<geometry::GpuInstance>> maximal_;
};

}  // namespace migsched::testing
