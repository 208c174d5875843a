// Parsing and printing of GPU-instance profile names such as "1g.10gb",
// "1g.5gb+me", "1g.24gb+me.all", "2g.48gb-me" and "4g.96gb+gfx".
//
// The suffix decides how the instance shares the GPU's media engines
// (NVDEC/NVJPG/OFA...), which is a placement rule of its own: only one "+me"
// instance per GPU, and "+me.all" excludes every instance except "-me" ones.
// Names are not identities (they drift with drivers, e.g. 7g.79gb vs 7g.80gb);
// the catalog keys on (GPU, profile id), names are for people.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace migsched::geometry {

enum class MediaVariant {
  kStandard,        // no suffix: the default share of media engines
  kMediaExtension,  // "+me": also takes the GPU's otherwise unassigned media engines
  kAllMedia,        // "+me.all": takes every media engine on the GPU
  kNoMedia,         // "-me": no media engine at all
  kGraphics,        // "+gfx": graphics APIs enabled; same geometry as standard
};

std::string_view MediaVariantSuffix(MediaVariant variant);

struct MigProfileName {
  int compute_slices = 0;  // the N in "Ng"
  int memory_gb = 0;       // the M in "M.gb", as NVIDIA rounds it
  MediaVariant variant = MediaVariant::kStandard;

  // Parses "<N>g.<M>gb[+me|+me.all|-me|+gfx]".
  static Result<MigProfileName> Parse(std::string_view text);
  std::string ToString() const;

  friend bool operator==(const MigProfileName&, const MigProfileName&) = default;
};

}  // namespace migsched::geometry
