#include "engines/slurm_gres_type.h"

#include <cctype>

namespace migsched::engines {
namespace {

constexpr std::string_view kVendorPrefix = "nvidia_";

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Slurm's gpu_common_underscorify_tolower, then without the vendor prefix.
std::string SlurmDeviceName(const geometry::GpuModel& model, std::string_view nvml_name) {
  std::string_view name = nvml_name;
  if (name.empty()) name = model.product_names.empty() ? std::string_view(model.name) : model.product_names.front();
  std::string out = Lower(name);
  for (char& c : out) {
    if (c == ' ') c = '_';
  }
  if (out.starts_with(kVendorPrefix)) out.erase(0, kVendorPrefix.size());
  return out;
}

}  // namespace

Result<SlurmTypeStyle> ParseSlurmTypeStyle(std::string_view text) {
  if (text == "autodetect") return SlurmTypeStyle::kAutodetect;
  if (text == "profile") return SlurmTypeStyle::kProfile;
  return InvalidArgumentError("unknown SLURM type style '" + std::string(text) +
                              "' (valid: autodetect, profile)");
}

std::string SlurmMigType(const geometry::GpuModel& model, const geometry::GiProfile& profile,
                         std::string_view nvml_name, SlurmTypeStyle style) {
  if (style == SlurmTypeStyle::kProfile) return profile.name;
  std::string device = SlurmDeviceName(model, nvml_name);
  device = device.substr(0, device.find('-'));
  const int64_t gib = (profile.memory_mib + 512) / 1024;  // roundl(MiB / 1024)
  return device + "_" + std::to_string(profile.compute_slices) + "g." + std::to_string(gib) + "gb";
}

std::string SlurmWholeGpuType(const geometry::GpuModel& model, std::string_view nvml_name,
                              SlurmTypeStyle style) {
  if (style == SlurmTypeStyle::kProfile) return Lower(model.name);
  return SlurmDeviceName(model, nvml_name);
}

}  // namespace migsched::engines
