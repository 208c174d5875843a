#include "plan/model_configs.h"

#include <algorithm>
#include <set>

#include "geometry/layout_enumerator.h"
#include "geometry/layout_solver.h"

namespace migsched::plan {

Result<ModelConfigs> ModelConfigs::Create(const geometry::GpuModel& model) {
  Result<geometry::StateSpace> space = geometry::StateSpace::Build(model);
  if (!space.has_value()) return space.error();
  return ModelConfigs(model, std::move(space).value());
}

int ModelConfigs::ItemFor(int profile) {
  const auto it = std::find(items_.begin(), items_.end(), profile);
  if (it != items_.end()) return static_cast<int>(it - items_.begin());
  items_.push_back(profile);
  return static_cast<int>(items_.size()) - 1;
}

std::vector<std::vector<int>> ModelConfigs::Configurations() const {
  std::vector<int> profiles;
  for (int item : items_) {
    if (item != kWholeGpuItem) profiles.push_back(item);
  }
  std::set<std::vector<int>> distinct;
  if (!profiles.empty()) {
    std::sort(profiles.begin(), profiles.end());
    const geometry::LayoutCensus census = geometry::EnumerateLayouts(*model_, space_, profiles);
    for (const auto& layout : census.maximal_layouts) {
      std::vector<int> counts(items_.size(), 0);
      for (const geometry::GpuInstance& instance : layout) {
        const auto it = std::find(items_.begin(), items_.end(), instance.profile);
        ++counts[static_cast<size_t>(it - items_.begin())];
      }
      distinct.insert(std::move(counts));
    }
  }
  std::vector<std::vector<int>> configs(distinct.begin(), distinct.end());
  const auto whole = std::find(items_.begin(), items_.end(), kWholeGpuItem);
  if (whole != items_.end()) {
    std::vector<int> counts(items_.size(), 0);
    counts[static_cast<size_t>(whole - items_.begin())] = 1;
    configs.push_back(std::move(counts));
  }
  return configs;
}

std::vector<int> ModelConfigs::ItemSizes() const {
  std::vector<int> sizes;
  for (int item : items_) {
    if (item == kWholeGpuItem) {
      sizes.push_back(model_->memory_slices * model_->compute_slices);
    } else {
      const geometry::GiProfile& p = model_->profiles[static_cast<size_t>(item)];
      sizes.push_back(p.memory_slices * p.compute_slices);
    }
  }
  return sizes;
}

const std::optional<std::vector<geometry::GpuInstance>>& ModelConfigs::LayoutFor(
    const std::vector<int>& profiles) {
  auto it = layouts_.find(profiles);
  if (it == layouts_.end()) {
    it = layouts_
             .emplace(profiles, geometry::SolvePlacement(*model_, space_,
                                                         geometry::StateSpace::kEmpty, profiles))
             .first;
  }
  return it->second;
}

}  // namespace migsched::plan
