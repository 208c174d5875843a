// GpuState: everything about a GPU's MIG layout that decides what else fits.
//
// Two layouts with the same GpuState accept exactly the same further
// instances, so the state — not the list of instances — is what the layout
// engine reasons about. It is five bytes: occupied memory slices, compute
// slices used, instance count, instances using shared media engines, and the
// exclusive media flags. CheckPlace is the single statement of the hardware's
// placement rules; everything else (tables, validation, search) derives from it.
#pragma once

#include <compare>
#include <cstdint>
#include <string_view>

#include "geometry/gpu_model.h"

namespace migsched::geometry {

struct GpuState {
  static constexpr uint8_t kMediaExtensionHeld = 1;  // a "+me" instance exists
  static constexpr uint8_t kAllMediaHeld = 2;        // a "+me.all" instance exists

  uint16_t occupied = 0;     // bit i set: memory slice i belongs to an instance
  uint8_t compute_used = 0;  // compute slices held by instances
  uint8_t instances = 0;     // GPU instances
  uint8_t media_users = 0;   // instances other than "-me" (they use shared media engines)
  uint8_t exclusive = 0;     // kMediaExtensionHeld | kAllMediaHeld

  uint64_t Key() const {
    return uint64_t{occupied} | uint64_t{compute_used} << 16 | uint64_t{instances} << 24 |
           uint64_t{media_users} << 32 | uint64_t{exclusive} << 40;
  }
  friend auto operator<=>(const GpuState&, const GpuState&) = default;
};

// Why an instance cannot be placed; kFits when it can.
enum class PlaceCheck {
  kFits,
  kStartNotAllowed,     // the profile may not start at that slot
  kOverlap,             // its memory slices are taken
  kComputeExhausted,    // not enough compute slices left
  kInstanceLimit,       // the GPU has its maximum number of instances
  kMediaExtensionHeld,  // a second "+me" instance
  kAllMediaHeld,        // a "+me.all" instance leaves room only for "-me" ones
  kMediaInUse,          // "+me.all" while other instances use media engines
};
std::string_view PlaceCheckName(PlaceCheck check);

PlaceCheck CheckPlace(const GpuModel& model, const GiProfile& profile, const GpuState& state,
                      int start);

// The state after adding/removing an instance. AfterPlace requires
// CheckPlace(...) == kFits; AfterRemove requires that the instance is present.
GpuState AfterPlace(const GiProfile& profile, const GpuState& state, int start);
GpuState AfterRemove(const GiProfile& profile, const GpuState& state, int start);

// Free memory slices that no profile of the model can use any more, given the
// rest of the state (e.g. slot 7 after 7 x 1g.5gb on an A100). Bit i = slice i.
uint16_t StrandedSlices(const GpuModel& model, const GpuState& state);

}  // namespace migsched::geometry
