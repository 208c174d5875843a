#include "engines/mig_device_files.h"

namespace migsched::engines {
namespace {

constexpr int kFirstGpuMinor = 3;  // after the config (1) and monitor (2) capabilities
constexpr int kMinorsPerGpuInstance = 1 + kMaxComputeInstanceId + 1;
constexpr int kMinorsPerGpu = (kMaxGpuInstanceId + 1) * kMinorsPerGpuInstance;

std::string CapFile(int minor) { return "/dev/nvidia-caps/nvidia-cap" + std::to_string(minor); }

}  // namespace

std::string GpuDeviceFile(int gpu) { return "/dev/nvidia" + std::to_string(gpu); }

Result<std::vector<std::string>> MigDeviceFiles(int gpu, int gi, int ci) {
  if (gpu < 0) return InvalidArgumentError("GPU index " + std::to_string(gpu) + " is negative");
  if (gi < 0 || gi > kMaxGpuInstanceId) {
    return InvalidArgumentError("GPU " + std::to_string(gpu) + ": GPU instance id " + std::to_string(gi) +
                                " is outside 0-" + std::to_string(kMaxGpuInstanceId));
  }
  if (ci < 0 || ci > kMaxComputeInstanceId) {
    return InvalidArgumentError("GPU " + std::to_string(gpu) + " GI " + std::to_string(gi) +
                                ": compute instance id " + std::to_string(ci) + " is outside 0-" +
                                std::to_string(kMaxComputeInstanceId));
  }
  const int gi_minor = kFirstGpuMinor + kMinorsPerGpu * gpu + kMinorsPerGpuInstance * gi;
  return std::vector<std::string>{GpuDeviceFile(gpu), CapFile(gi_minor), CapFile(gi_minor + 1 + ci)};
}

Result<std::string> UnderDevRoot(const std::string& file, std::string_view dev_root) {
  if (!dev_root.starts_with('/')) {
    return InvalidArgumentError("device root '" + std::string(dev_root) + "' is not an absolute path");
  }
  const std::string prefix = std::string(kDevRoot) + "/";
  if (!file.starts_with(prefix)) {
    return InvalidArgumentError("device file '" + file + "' is not under " + prefix);
  }
  while (dev_root.size() > 1 && dev_root.ends_with('/')) dev_root.remove_suffix(1);
  const std::string root = dev_root == "/" ? "" : std::string(dev_root);
  return root + file.substr(kDevRoot.size());
}

}  // namespace migsched::engines
