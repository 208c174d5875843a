#include "plan/profile_fit.h"

#include <tuple>

namespace migsched::plan {
namespace {

// ceil(milli x slices / 1000)
int SharedSlices(int gpu_milli, int slices) { return static_cast<int>((int64_t{gpu_milli} * slices + 999) / 1000); }

}  // namespace

ProfileNeed NeedOfShare(const geometry::GpuModel& model, int gpu_milli, int64_t memory_mib) {
  return ProfileNeed{.compute_slices = SharedSlices(gpu_milli, model.compute_slices),
                     .memory_slices = memory_mib > 0 ? 0 : SharedSlices(gpu_milli, model.memory_slices),
                     .memory_mib = memory_mib};
}

bool ProfileFits(const geometry::GiProfile& profile, const ProfileNeed& need) {
  return profile.media_variant == geometry::MediaVariant::kStandard &&
         profile.compute_slices >= need.compute_slices && profile.memory_slices >= need.memory_slices &&
         profile.memory_mib >= need.memory_mib;
}

std::optional<int> SmallestFittingProfile(const geometry::GpuModel& model, const ProfileNeed& need) {
  std::optional<int> best;
  for (size_t i = 0; i < model.profiles.size(); ++i) {
    const geometry::GiProfile& p = model.profiles[i];
    if (!ProfileFits(p, need)) continue;
    if (best) {
      const geometry::GiProfile& b = model.profiles[static_cast<size_t>(*best)];
      if (std::tie(p.compute_slices, p.memory_mib) >= std::tie(b.compute_slices, b.memory_mib)) continue;
    }
    best = static_cast<int>(i);
  }
  return best;
}

bool IsWholeGpuProfile(const geometry::GpuModel& model, int profile) {
  return model.profiles[static_cast<size_t>(profile)].compute_slices == model.compute_slices;
}

}  // namespace migsched::plan
