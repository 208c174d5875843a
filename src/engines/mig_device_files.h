// The device files through which a process reaches a GPU or a MIG device, as
// the NVIDIA driver exposes them and Slurm's NVML AutoDetect lists them.
//
// A MIG device needs its parent GPU's /dev/nvidia<minor> plus two capability
// files, /dev/nvidia-caps/nvidia-cap<N>: one granting its GPU instance, one
// its compute instance. Slurm's gpu/nvml plugin gives a MIG device exactly
// these three, in this order, as one GRES with several files (_handle_mig in
// src/plugins/gpu/nvml/gpu_nvml.c), which gres.conf writes as MultipleFiles=.
//
// The driver publishes each capability's minor in
// /proc/driver/nvidia-caps/mig-minors ("gpu0/gi3/access 30",
// "gpu0/gi3/ci0/access 31"). The table is fixed, not allocated: minors 1 and
// 2 are the global config and monitor capabilities; then, per GPU, 15 GPU
// instance ids (0-14), each its own "access" followed by 8 compute instance
// ids (0-7) — 9 minors per GPU instance, 135 per GPU:
//   gi minor = 3 + 135 * gpu + 9 * gi,   ci minor = gi minor + 1 + ci.
// This reproduces every line quoted from real systems: the mig-minors listing
// in NVIDIA's k8s-dra-driver-gpu (gpu0/gi0/access 3, gpu0/gi0/ci1/access 5,
// gpu3/gi3/ci3/access 439, gpu6/gi11/ci7/access 920) and a GH200 node's
// gres.conf and cgroup device list (gpu0/gi3 -> nvidia-cap30/31, gi4 -> 39/40,
// gi5 -> 48/49, gi13 -> 120/121). The GI and CI ids are NVML's
// (nvmlDeviceGetGpuInstanceId / nvmlDeviceGetComputeInstanceId).
//
// `gpu` is the GPU's NVML index, which Slurm uses for both the mig-minors
// lookup and (as the device minor) /dev/nvidia<gpu>; the two agree unless the
// driver numbers devices out of PCI order. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace migsched::engines {

inline constexpr int kMaxGpuInstanceId = 14;
inline constexpr int kMaxComputeInstanceId = 7;

// /dev/nvidia<gpu>.
std::string GpuDeviceFile(int gpu);

// {"/dev/nvidia<gpu>", GI capability file, CI capability file}.
// InvalidArgument for a negative GPU, a GI id outside 0-14 or a CI id
// outside 0-7.
Result<std::vector<std::string>> MigDeviceFiles(int gpu, int gi, int ci);

// Where the driver's device files live; the functions above name files under it.
inline constexpr std::string_view kDevRoot = "/dev";

// `file`, a path under /dev as named above, moved under another device root,
// for device files kept elsewhere (a test's fake device tree):
// "/dev/nvidia-caps/nvidia-cap21" under "/tmp/t/dev" is
// "/tmp/t/dev/nvidia-caps/nvidia-cap21"; under "/dev" it is unchanged. A
// trailing '/' on `dev_root` is ignored. InvalidArgument when `dev_root` is
// not an absolute path (Slurm wants absolute device paths) or `file` is not
// under /dev.
Result<std::string> UnderDevRoot(const std::string& file, std::string_view dev_root);

}  // namespace migsched::engines
