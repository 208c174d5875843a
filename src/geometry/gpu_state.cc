#include "geometry/gpu_state.h"

namespace migsched::geometry {
namespace {

bool UsesSharedMedia(const GiProfile& profile) {
  return profile.media_variant != MediaVariant::kNoMedia;
}

uint8_t ExclusiveFlag(const GiProfile& profile) {
  switch (profile.media_variant) {
    case MediaVariant::kMediaExtension: return GpuState::kMediaExtensionHeld;
    case MediaVariant::kAllMedia: return GpuState::kAllMediaHeld;
    default: return 0;
  }
}

}  // namespace

std::string_view PlaceCheckName(PlaceCheck check) {
  switch (check) {
    case PlaceCheck::kFits: return "fits";
    case PlaceCheck::kStartNotAllowed: return "start not allowed";
    case PlaceCheck::kOverlap: return "overlap";
    case PlaceCheck::kComputeExhausted: return "compute slices exhausted";
    case PlaceCheck::kInstanceLimit: return "instance limit reached";
    case PlaceCheck::kMediaExtensionHeld: return "+me profile already present";
    case PlaceCheck::kAllMediaHeld: return "+me.all profile holds every media engine";
    case PlaceCheck::kMediaInUse: return "media engines in use by other instances";
  }
  return "unknown";
}

PlaceCheck CheckPlace(const GpuModel& model, const GiProfile& profile, const GpuState& state,
                      int start) {
  if (!profile.AllowsStart(start)) return PlaceCheck::kStartNotAllowed;
  if ((state.occupied & profile.PlacementAt(start).SliceMask()) != 0) return PlaceCheck::kOverlap;
  if (state.compute_used + profile.compute_slices > model.compute_slices) {
    return PlaceCheck::kComputeExhausted;
  }
  if (state.instances + 1 > model.max_instances) return PlaceCheck::kInstanceLimit;
  if (profile.media_variant == MediaVariant::kMediaExtension &&
      (state.exclusive & GpuState::kMediaExtensionHeld) != 0) {
    return PlaceCheck::kMediaExtensionHeld;
  }
  // nvml.h: a +me.all instance "prevents allocation of all but _NO_ME profiles".
  if (UsesSharedMedia(profile) && (state.exclusive & GpuState::kAllMediaHeld) != 0) {
    return PlaceCheck::kAllMediaHeld;
  }
  if (profile.media_variant == MediaVariant::kAllMedia && state.media_users > 0) {
    return PlaceCheck::kMediaInUse;
  }
  return PlaceCheck::kFits;
}

GpuState AfterPlace(const GiProfile& profile, const GpuState& state, int start) {
  GpuState next = state;
  next.occupied = static_cast<uint16_t>(next.occupied | profile.PlacementAt(start).SliceMask());
  next.compute_used = static_cast<uint8_t>(next.compute_used + profile.compute_slices);
  next.instances = static_cast<uint8_t>(next.instances + 1);
  if (UsesSharedMedia(profile)) next.media_users = static_cast<uint8_t>(next.media_users + 1);
  next.exclusive = static_cast<uint8_t>(next.exclusive | ExclusiveFlag(profile));
  return next;
}

GpuState AfterRemove(const GiProfile& profile, const GpuState& state, int start) {
  GpuState next = state;
  next.occupied = static_cast<uint16_t>(next.occupied & ~profile.PlacementAt(start).SliceMask());
  next.compute_used = static_cast<uint8_t>(next.compute_used - profile.compute_slices);
  next.instances = static_cast<uint8_t>(next.instances - 1);
  if (UsesSharedMedia(profile)) next.media_users = static_cast<uint8_t>(next.media_users - 1);
  next.exclusive = static_cast<uint8_t>(next.exclusive & ~ExclusiveFlag(profile));
  return next;
}

uint16_t StrandedSlices(const GpuModel& model, const GpuState& state) {
  uint16_t usable = 0;
  for (const GiProfile& profile : model.profiles) {
    for (int start : profile.starts) {
      if (CheckPlace(model, profile, state, start) == PlaceCheck::kFits) {
        usable = static_cast<uint16_t>(usable | profile.PlacementAt(start).SliceMask());
      }
    }
  }
  const uint16_t all = static_cast<uint16_t>((1u << model.memory_slices) - 1u);
  return static_cast<uint16_t>(all & ~state.occupied & ~usable);
}

}  // namespace migsched::geometry
