// The GRES Type a SLURM gres.conf/slurm.conf gives a MIG instance or a whole
// GPU, in one of two styles:
//
//  - kAutodetect (the default): what Slurm's own NVML AutoDetect reports, so
//    the types in slurm.conf match what slurmd finds on the node. Slurm's
//    gpu/nvml plugin (src/plugins/gpu/nvml/gpu_nvml.c: _nvml_get_device_name,
//    _get_system_gpu_list_nvml, _handle_mig) names
//      a whole GPU  by nvmlDeviceGetName, lower-cased, spaces turned into '_'
//                   ("NVIDIA A100-SXM4-80GB" -> "nvidia_a100-sxm4-80gb");
//      a MIG device "<that name cut at its first '-'>_<S>g.<M>gb", S being
//                   the GPU instance's slice count and M its memory in MiB
//                   divided by 1024 and rounded ("nvidia_a100_3g.39gb": an
//                   A100-80GB 3g.40gb has 40192 MiB).
//    slurm.conf types must be a substring of that string (SchedMD's gres
//    documentation, "MIG Management": "nvidia_a100_3g.20gb" is configured as
//    "gpu:a100_3g.20gb"). We drop the "nvidia_" vendor prefix the way that
//    example does: "a100_3g.39gb", "h100_80gb_hbm3_1g.10gb", "a100-sxm4-80gb".
//    So the same profile on two models ("1g.10gb" on A100-80GB and H100) is
//    two types, and the memory is what NVML measures, not the profile's name
//    (GH200's 1g.24gb is "1g.23gb", as real GH200 gres.conf files show).
//    "+me" variants have the same slices and memory, hence the same type.
//  - kProfile: the bare NVIDIA profile name ("3g.40gb", "1g.10gb+me"), as
//    DeepOps writes it, and the catalog model name for a whole GPU
//    ("a100-80gb"). Only right with explicit gres.conf lines: Slurm's
//    AutoDetect types do not contain profile names whose memory rounds
//    differently.
// Pure.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "geometry/gpu_model.h"

namespace migsched::engines {

enum class SlurmTypeStyle { kAutodetect, kProfile };

// "autodetect" or "profile"; InvalidArgument naming both otherwise.
Result<SlurmTypeStyle> ParseSlurmTypeStyle(std::string_view text);

// The type of a MIG instance of `profile` on a GPU NVML names `nvml_name`
// ("NVIDIA H100 80GB HBM3"). An empty `nvml_name` means the model's first
// catalog product name (its model name when the catalog lists none): what a
// planned GPU, known only by model, will most likely report.
std::string SlurmMigType(const geometry::GpuModel& model, const geometry::GiProfile& profile,
                         std::string_view nvml_name, SlurmTypeStyle style);

// The type of a whole GPU (MIG disabled); `nvml_name` as above.
std::string SlurmWholeGpuType(const geometry::GpuModel& model, std::string_view nvml_name,
                              SlurmTypeStyle style);

}  // namespace migsched::engines
