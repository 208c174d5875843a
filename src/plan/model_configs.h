// Per GPU model: the items it must host (profiles chosen by right-sizing,
// plus "whole GPU"), its configurations (distinct profile multisets of the
// maximal layouts over those profiles, from geometry::EnumerateLayouts) and a
// cache of concrete layouts (starts) per multiset.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "common/status.h"
#include "geometry/gpu_model.h"
#include "geometry/layout.h"
#include "geometry/state_space.h"

namespace migsched::plan {

inline constexpr int kWholeGpuItem = -1;  // item "profile" meaning MIG disabled

class ModelConfigs {
 public:
  static Result<ModelConfigs> Create(const geometry::GpuModel& model);

  // Item index for a profile (or kWholeGpuItem), adding it if new.
  int ItemFor(int profile);
  const std::vector<int>& items() const { return items_; }  // item -> profile

  // Count vectors over items(); call after every ItemFor. A whole-GPU item
  // gets the configuration holding just it.
  std::vector<std::vector<int>> Configurations() const;
  // Weight of each item for the greedy cover: its memory x compute slices.
  std::vector<int> ItemSizes() const;

  // Starts for a multiset of profiles on an empty GPU (sorted profile list),
  // cached; nullopt if it does not fit.
  const std::optional<std::vector<geometry::GpuInstance>>& LayoutFor(
      const std::vector<int>& profiles);

  const geometry::GpuModel& model() const { return *model_; }
  const geometry::StateSpace& space() const { return space_; }

 private:
  ModelConfigs(const geometry::GpuModel& model, geometry::StateSpace space)
      : model_(&model), space_(std::move(space)) {}

  const geometry::GpuModel* model_;
  geometry::StateSpace space_;
  std::vector<int> items_;
  std::map<std::vector<int>, std::optional<std::vector<geometry::GpuInstance>>> layouts_;
};

}  // namespace migsched::plan
