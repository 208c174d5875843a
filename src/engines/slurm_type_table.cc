#include "engines/slurm_type_table.h"

#include <algorithm>

namespace migsched::engines {

SlurmTypeTable::SlurmTypeTable(const geometry::Catalog& catalog, SlurmTypeStyle style) {
  const auto add = [&](const std::string& name, SlurmType::Offer offer) {
    auto [it, added] = by_name_.emplace(name, types_.size());
    if (added) types_.push_back({name, {}});
    types_[it->second].offers.push_back(offer);
    std::vector<std::string>& names = of_model_[offer.model];
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  for (const geometry::GpuModel& model : catalog.models()) {
    for (const geometry::GiProfile& profile : model.profiles) {
      if (profile.name.find('+') != std::string::npos) continue;  // "+me": its base profile's type
      add(SlurmMigType(model, profile, "", style), {&model, &profile});
    }
    add(SlurmWholeGpuType(model, "", style), {&model, nullptr});
  }
}

const SlurmType* SlurmTypeTable::Find(std::string_view type) const {
  const auto it = by_name_.find(type);
  return it == by_name_.end() ? nullptr : &types_[it->second];
}

std::vector<std::string> SlurmTypeTable::OfModel(const geometry::GpuModel& model) const {
  const auto it = of_model_.find(&model);
  return it == of_model_.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace migsched::engines
