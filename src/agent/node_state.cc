#include "agent/node_state.h"

namespace migsched::agent {

const geometry::CiProfile* FullComputeInstance(const geometry::GiProfile& profile) {
  for (const geometry::CiProfile& ci : profile.compute_instances) {
    if (ci.compute_slices == profile.compute_slices) return &ci;
  }
  return nullptr;
}

bool HoldsFullComputeInstance(const geometry::GpuModel& model, const ObservedGpuInstance& gi) {
  const geometry::CiProfile* full =
      FullComputeInstance(model.profiles[static_cast<size_t>(gi.instance.profile)]);
  return full != nullptr && gi.compute_instances.size() == 1 &&
         gi.compute_instances[0].profile_id == full->id;
}

}  // namespace migsched::agent
