#include "engines/profile_counts.h"

#include <algorithm>

namespace migsched::engines {

ProfileCounts CountProfiles(const fleet::FleetGpu& gpu) {
  if (!gpu.mig_enabled) return {};
  std::vector<int> per_profile(gpu.model->profiles.size(), 0);
  for (const fleet::FleetInstance& i : gpu.instances) {
    ++per_profile[static_cast<size_t>(i.instance.profile)];
  }
  ProfileCounts counts;
  for (size_t p = 0; p < per_profile.size(); ++p) {
    if (per_profile[p] > 0) counts.emplace_back(gpu.model->profiles[p].name, per_profile[p]);
  }
  return counts;
}

void AddCounts(ProfileCounts& into, const ProfileCounts& more) {
  // No structured binding here: clang before 16 cannot capture one in a lambda.
  for (const auto& added : more) {
    const auto it = std::find_if(into.begin(), into.end(),
                                 [&](const auto& entry) { return entry.first == added.first; });
    if (it == into.end()) {
      into.push_back(added);
    } else {
      it->second += added.second;
    }
  }
}

}  // namespace migsched::engines
