// How many instances of each profile a GPU (or a set of GPUs) carries, in the
// model's profile order — what every engine format counts. Pure.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "fleet/fleet.h"

namespace migsched::engines {

// (profile name, count) pairs, profiles in catalog order, counts > 0.
using ProfileCounts = std::vector<std::pair<std::string, int>>;

// The instances of one MIG-enabled GPU; empty for a whole GPU.
ProfileCounts CountProfiles(const fleet::FleetGpu& gpu);

// `into` plus `more`, keeping first-seen order of names.
void AddCounts(ProfileCounts& into, const ProfileCounts& more);

}  // namespace migsched::engines
