#include "geometry/layout.h"

#include <charconv>

#include "common/strings.h"

namespace migsched::geometry {
namespace {

// The earlier instance that `instance` collides with under `check`, if any.
std::optional<GpuInstance> FindConflict(const GpuModel& model,
                                        std::span<const GpuInstance> earlier,
                                        const GpuInstance& instance, PlaceCheck check) {
  for (const GpuInstance& other : earlier) {
    const MediaVariant variant = model.profiles[static_cast<size_t>(other.profile)].media_variant;
    const bool conflicts =
        (check == PlaceCheck::kOverlap && other.placement.Overlaps(instance.placement)) ||
        (check == PlaceCheck::kMediaExtensionHeld && variant == MediaVariant::kMediaExtension) ||
        (check == PlaceCheck::kAllMediaHeld && variant == MediaVariant::kAllMedia) ||
        (check == PlaceCheck::kMediaInUse && variant != MediaVariant::kNoMedia);
    if (conflicts) return other;
  }
  return std::nullopt;
}

std::string Reason(const GpuModel& model, std::span<const GpuInstance> earlier,
                   const GpuInstance& instance, const GpuState& state, PlaceCheck check) {
  const GiProfile& profile = model.profiles[static_cast<size_t>(instance.profile)];
  const std::string label = InstanceLabel(model, instance);
  const std::optional<GpuInstance> other = FindConflict(model, earlier, instance, check);
  const std::string other_label = other ? InstanceLabel(model, *other) : std::string("?");
  switch (check) {
    case PlaceCheck::kFits:
      return "";
    case PlaceCheck::kStartNotAllowed:
      return "start " + std::to_string(instance.placement.start) + " not allowed for " +
             profile.name + " (allowed: " + Join(profile.starts, ",") + ")";
    case PlaceCheck::kOverlap:
      return label + " overlaps " + other_label;
    case PlaceCheck::kComputeExhausted:
      return label + " needs " + std::to_string(profile.compute_slices) +
             " compute slices but only " + std::to_string(model.compute_slices - state.compute_used) +
             " of " + std::to_string(model.compute_slices) + " are free";
    case PlaceCheck::kInstanceLimit:
      return label + " exceeds the limit of " + std::to_string(model.max_instances) +
             " GPU instances";
    case PlaceCheck::kMediaExtensionHeld:
      return "+me profile already present: " + label + " conflicts with " + other_label;
    case PlaceCheck::kAllMediaHeld:
      return label + " cannot share the GPU with " + other_label +
             ", which holds every media engine (only -me profiles may)";
    case PlaceCheck::kMediaInUse:
      return label + " needs every media engine but " + other_label + " uses one";
  }
  return "unknown";
}

}  // namespace

std::string InstanceLabel(const GpuModel& model, const GpuInstance& instance) {
  return model.profiles[static_cast<size_t>(instance.profile)].name + "@" +
         std::to_string(instance.placement.start);
}

Result<InstanceSpec> ParseInstanceSpec(const GpuModel& model, std::string_view text) {
  const size_t at = text.find('@');
  const std::string_view name = text.substr(0, at);
  const std::optional<int> profile = model.FindProfile(name);
  if (!profile) {
    return NotFoundError("unknown profile '" + std::string(name) + "' for " + model.name +
                         "; valid profiles: " + model.ProfileNames());
  }
  InstanceSpec spec{.profile = *profile, .start = std::nullopt};
  if (at == std::string_view::npos) return spec;
  const std::string_view digits = text.substr(at + 1);
  int start = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), start);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() || start < 0) {
    return InvalidArgumentError("malformed start in '" + std::string(text) +
                                "': expected PROFILE@START with START a slice number");
  }
  spec.start = start;
  return spec;
}

LayoutVerdict CheckLayout(const GpuModel& model, std::span<const GpuInstance> layout) {
  LayoutVerdict verdict{.valid = true, .reason = "", .state = GpuState{}};
  for (size_t i = 0; i < layout.size(); ++i) {
    const GpuInstance& instance = layout[i];
    const GiProfile& profile = model.profiles[static_cast<size_t>(instance.profile)];
    if (instance.placement.size != profile.memory_slices) {
      verdict.valid = false;
      verdict.reason = InstanceLabel(model, instance) + " has size " +
                       std::to_string(instance.placement.size) + " but " + profile.name +
                       " occupies " + std::to_string(profile.memory_slices) + " memory slices";
      return verdict;
    }
    const PlaceCheck check = CheckPlace(model, profile, verdict.state, instance.placement.start);
    if (check != PlaceCheck::kFits) {
      verdict.valid = false;
      verdict.reason = Reason(model, layout.first(i), instance, verdict.state, check);
      return verdict;
    }
    verdict.state = AfterPlace(profile, verdict.state, instance.placement.start);
  }
  return verdict;
}

StartSet ScanFits(const GpuModel& model, std::span<const GpuInstance> layout, int profile_index) {
  const GiProfile& profile = model.profiles[static_cast<size_t>(profile_index)];
  const bool wants_extension = profile.media_variant == MediaVariant::kMediaExtension;
  const bool wants_all_media = profile.media_variant == MediaVariant::kAllMedia;
  const bool uses_media = profile.media_variant != MediaVariant::kNoMedia;
  int compute = 0;
  for (const GpuInstance& instance : layout) {
    const GiProfile& other = model.profiles[static_cast<size_t>(instance.profile)];
    compute += other.compute_slices;
    if (wants_extension && other.media_variant == MediaVariant::kMediaExtension) return {};
    if (uses_media && other.media_variant == MediaVariant::kAllMedia) return {};
    if (wants_all_media && other.media_variant != MediaVariant::kNoMedia) return {};
  }
  if (compute + profile.compute_slices > model.compute_slices) return {};
  if (static_cast<int>(layout.size()) + 1 > model.max_instances) return {};
  uint16_t bits = 0;
  for (int start : profile.starts) {
    const Placement candidate = profile.PlacementAt(start);
    bool free = true;
    for (const GpuInstance& instance : layout) {
      if (instance.placement.Overlaps(candidate)) {
        free = false;
        break;
      }
    }
    if (free) bits = static_cast<uint16_t>(bits | 1u << start);
  }
  return StartSet(bits);
}

}  // namespace migsched::geometry
