// GpuModel: one catalog entry — a MIG-capable GPU, its GPU-instance profiles
// (GiProfile), their allowed placements and compute-instance profiles.
//
// A Placement is {start, size} in memory slices ("placement units" in NVML):
// the half-open range [start, start + size). A profile may only start at the
// slots the hardware lists for it (nvidia-smi mig -lgipp), e.g. on an A100-40GB
// 3g.20gb may start at 0 or 4 and nothing may start at slot 7 with size 1.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "geometry/mig_profile.h"

namespace migsched::geometry {

// Memory-slice bitmasks are 16 bits wide; the largest real GPU has 12 slices.
inline constexpr int kMaxMemorySlices = 16;

struct Placement {
  int start = 0;
  int size = 0;

  int end() const { return start + size; }
  bool Overlaps(const Placement& other) const { return start < other.end() && other.start < end(); }
  uint16_t SliceMask() const {
    return static_cast<uint16_t>(((1u << size) - 1u) << start);
  }
  friend bool operator==(const Placement&, const Placement&) = default;
};

// How a catalog value was established.
enum class Evidence {
  kCaptured,    // printed by nvidia-smi/NVML on this very SKU
  kEquivalent,  // printed on a sibling SKU with the same die, ids and counts
  kInferred,    // expected from documentation or the family pattern; not seen
};
std::string_view EvidenceName(Evidence evidence);

struct MediaEngines {
  std::optional<int> dec, enc, jpg, ofa;
};

struct CiProfile {
  int compute_slices = 0;
  int id = 0;         // NVML compute-instance profile id
  int max_count = 0;  // how many fit in one GPU instance
  bool inferred = false;
};

struct GiProfile {
  std::string name;  // as nvidia-smi prints it, e.g. "1g.10gb+me"
  MediaVariant media_variant = MediaVariant::kStandard;
  int id = 0;         // per-device profile id: what nvidia-smi prints and -cgi takes
  int nvml_enum = 0;  // NVML_GPU_INSTANCE_PROFILE_* value
  int compute_slices = 0;
  int memory_slices = 0;  // also the placement size
  int64_t memory_mib = 0;
  bool memory_estimated = false;
  int max_count = 0;
  std::optional<int> sm_count;
  std::optional<int> copy_engines;
  MediaEngines media;
  std::vector<int> starts;  // allowed placement starts, ascending
  Evidence evidence = Evidence::kInferred;
  std::vector<CiProfile> compute_instances;

  Placement PlacementAt(int start) const { return Placement{start, memory_slices}; }
  bool AllowsStart(int start) const;
};

struct GpuModel {
  std::string name;  // short name, e.g. "A100-40GB"
  std::vector<std::string> aliases;
  std::vector<std::string> product_names;   // as NVML reports them
  std::vector<uint32_t> pci_device_ids;     // 0xDDDDVVVV, as mig-parted writes them
  std::string architecture;
  std::string confidence;
  std::string evidence_note;
  int compute_slices = 0;
  int memory_slices = 0;
  int64_t memory_mib = 0;
  bool memory_estimated = false;
  int max_instances = 0;
  // NVIDIA's published maximum board power (TDP) in watts and where it is
  // stated; 0 and "" when the catalog does not know it.
  int board_power_w = 0;
  std::string board_power_source;
  // What a GPU-hour costs (rent, or purchase price over its depreciation);
  // the built-in catalog leaves it empty: prices are the operator's.
  std::optional<double> price_per_gpu_hour;
  std::vector<GiProfile> profiles;

  // Index of the profile with this exact name, if any.
  std::optional<int> FindProfile(std::string_view profile_name) const;
  // "1g.5gb, 1g.5gb+me, ..." — for error messages.
  std::string ProfileNames() const;
};

// Checks one profile against its GPU: sizes, starts inside the GPU, sorted
// unique starts, counts the engine can enforce. The message names the problem
// but not the profile; callers add that context.
Status ValidateGiProfile(const GpuModel& model, const GiProfile& profile);

// Checks the GPU-level fields and every profile ("profile '1g.5gb': ...").
Status ValidateGpuModel(const GpuModel& model);

// "0x20B010DE". Parses the same, also the 16-bit device id alone ("0x20B0",
// meaning NVIDIA's vendor id 0x10DE).
std::string FormatPciDeviceId(uint32_t id);
Result<uint32_t> ParsePciDeviceId(std::string_view text);

}  // namespace migsched::geometry
