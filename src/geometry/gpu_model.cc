#include "geometry/gpu_model.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>

#include "common/strings.h"

namespace migsched::geometry {
namespace {

// The most instances of `profile` that can coexist by placement and compute
// alone: equal-size intervals, so taking starts greedily left to right is optimal.
int PlacementCapacity(const GpuModel& model, const GiProfile& profile) {
  int count = 0;
  int free_from = 0;
  for (int start : profile.starts) {
    if (start >= free_from) {
      ++count;
      free_from = start + profile.memory_slices;
    }
  }
  return std::min({count, model.compute_slices / profile.compute_slices, model.max_instances});
}

}  // namespace

std::string_view EvidenceName(Evidence evidence) {
  switch (evidence) {
    case Evidence::kCaptured: return "captured";
    case Evidence::kEquivalent: return "equivalent";
    case Evidence::kInferred: return "inferred";
  }
  return "inferred";
}

bool GiProfile::AllowsStart(int start) const {
  return std::binary_search(starts.begin(), starts.end(), start);
}

std::optional<int> GpuModel::FindProfile(std::string_view profile_name) const {
  for (size_t i = 0; i < profiles.size(); ++i) {
    if (profiles[i].name == profile_name) return static_cast<int>(i);
  }
  return std::nullopt;
}

std::string GpuModel::ProfileNames() const {
  std::vector<std::string> names;
  for (const GiProfile& p : profiles) names.push_back(p.name);
  return Join(names, ", ");
}

Status ValidateGiProfile(const GpuModel& model, const GiProfile& profile) {
  const Result<MigProfileName> parsed = MigProfileName::Parse(profile.name);
  if (!parsed.has_value()) return parsed.error();
  if (parsed->compute_slices != profile.compute_slices) {
    return InvalidArgumentError("name says " + std::to_string(parsed->compute_slices) +
                                " compute slices but compute_slices is " +
                                std::to_string(profile.compute_slices));
  }
  if (parsed->variant != profile.media_variant) {
    return InvalidArgumentError("media variant does not match the name suffix");
  }
  if (profile.compute_slices < 1 || profile.compute_slices > model.compute_slices) {
    return InvalidArgumentError("compute_slices " + std::to_string(profile.compute_slices) +
                                " outside 1.." + std::to_string(model.compute_slices));
  }
  if (profile.memory_slices < 1 || profile.memory_slices > model.memory_slices) {
    return InvalidArgumentError("memory_slices " + std::to_string(profile.memory_slices) +
                                " outside 1.." + std::to_string(model.memory_slices));
  }
  if (profile.memory_mib <= 0) return InvalidArgumentError("memory_mib must be positive");
  if (profile.starts.empty()) return InvalidArgumentError("no placement starts");
  for (size_t i = 0; i < profile.starts.size(); ++i) {
    const int start = profile.starts[i];
    if (start < 0 || start + profile.memory_slices > model.memory_slices) {
      return InvalidArgumentError("start " + std::to_string(start) + " + size " +
                                  std::to_string(profile.memory_slices) + " exceeds " +
                                  std::to_string(model.memory_slices) + " memory slices");
    }
    if (i > 0 && start <= profile.starts[i - 1]) {
      return InvalidArgumentError("starts must be strictly ascending");
    }
  }
  const int capacity = PlacementCapacity(model, profile);
  if (profile.max_count < 1 || profile.max_count > capacity) {
    return InvalidArgumentError("max_count " + std::to_string(profile.max_count) +
                                " outside 1.." + std::to_string(capacity) +
                                " (what its placements and compute allow)");
  }
  // Placements, compute and the media flags are the whole state of the layout
  // engine; a lower count is only enforceable where a media rule implies it.
  const bool media_singleton = profile.media_variant == MediaVariant::kMediaExtension ||
                               profile.media_variant == MediaVariant::kAllMedia;
  if (profile.max_count < capacity && !(media_singleton && profile.max_count == 1)) {
    return InvalidArgumentError("max_count " + std::to_string(profile.max_count) +
                                " is below the " + std::to_string(capacity) +
                                " its placements allow; only +me and +me.all profiles may be "
                                "limited (to 1)");
  }
  for (size_t i = 0; i < profile.compute_instances.size(); ++i) {
    const CiProfile& ci = profile.compute_instances[i];
    // max_count compute instances of ci.compute_slices each must fit side by
    // side in the GPU instance's compute slices.
    if (ci.compute_slices < 1 || ci.max_count < 1 ||
        ci.compute_slices * ci.max_count > profile.compute_slices) {
      return InvalidArgumentError("compute instance id " + std::to_string(ci.id) + ": " +
                                  std::to_string(ci.max_count) + " x " +
                                  std::to_string(ci.compute_slices) +
                                  " compute slices does not fit the GPU instance's " +
                                  std::to_string(profile.compute_slices));
    }
    for (size_t j = 0; j < i; ++j) {
      if (profile.compute_instances[j].id == ci.id) {
        return InvalidArgumentError("two compute instances share id " + std::to_string(ci.id));
      }
    }
  }
  return Status::Ok();
}

Status ValidateGpuModel(const GpuModel& model) {
  if (model.name.empty()) return InvalidArgumentError("GPU without a name");
  if (model.compute_slices < 1 || model.compute_slices > 8) {
    return InvalidArgumentError("compute_slices must be 1..8");
  }
  if (model.memory_slices < 1 || model.memory_slices > kMaxMemorySlices) {
    return InvalidArgumentError("memory_slices must be 1.." + std::to_string(kMaxMemorySlices));
  }
  if (model.memory_mib <= 0) return InvalidArgumentError("memory_mib must be positive");
  if (model.max_instances < 1) return InvalidArgumentError("max_instances must be positive");
  if (model.profiles.empty()) return InvalidArgumentError("no profiles");
  for (size_t i = 0; i < model.profiles.size(); ++i) {
    const GiProfile& profile = model.profiles[i];
    MIGSCHED_RETURN_IF_ERROR(
        ValidateGiProfile(model, profile).WithPrefix("profile '" + profile.name + "'"));
    for (size_t j = 0; j < i; ++j) {
      if (model.profiles[j].name == profile.name) {
        return InvalidArgumentError("duplicate profile '" + profile.name + "'");
      }
      if (model.profiles[j].id == profile.id) {
        return InvalidArgumentError("profiles '" + model.profiles[j].name + "' and '" +
                                    profile.name + "' share id " + std::to_string(profile.id));
      }
    }
  }
  return Status::Ok();
}

std::string FormatPciDeviceId(uint32_t id) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "0x%08X", id);
  return buffer;
}

Result<uint32_t> ParsePciDeviceId(std::string_view text) {
  // The 0x prefix is required: without it "B300" would read as a device id.
  std::string_view digits = text;
  const bool prefixed = digits.starts_with("0x") || digits.starts_with("0X");
  if (prefixed) digits.remove_prefix(2);
  uint32_t value = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, 16);
  if (!prefixed || ec != std::errc() || ptr != digits.data() + digits.size() ||
      (digits.size() != 4 && digits.size() != 8)) {
    return InvalidArgumentError("malformed PCI device id '" + std::string(text) +
                                "': expected 0xDDDDVVVV (e.g. 0x20B010DE) or 0xDDDD");
  }
  if (digits.size() == 4) value = (value << 16) | 0x10DEu;  // NVIDIA's vendor id
  return value;
}

}  // namespace migsched::geometry
