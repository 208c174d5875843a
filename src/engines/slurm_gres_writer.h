// SLURM configuration for a planned fleet: gres.conf and the slurm.conf lines
// that declare each node's GPUs as typed GRES, one type per MIG profile, e.g.
//   NodeName=node-1 Gres=gpu:1g.10gb:16,gpu:3g.40gb:8
// (the form of SchedMD's gres documentation and DeepOps' DGX configs). Whole
// GPUs (MIG disabled) are typed by their model, lower case ("gpu:h100-80gb:2").
//
// gres.conf uses AutoDetect=nvml: the /dev/nvidia-caps files of MIG devices
// follow from GPU/compute-instance ids the driver assigns at creation time,
// so explicit File= lines cannot be known before the layout exists. Pure.
#pragma once

#include <string>

#include "fleet/fleet.h"

namespace migsched::engines {

struct SlurmConfig {
  std::string gres_conf;   // the whole gres.conf
  std::string slurm_conf;  // lines to merge into slurm.conf: GresTypes, TRES, NodeName=...
};

SlurmConfig WriteSlurmConfig(const fleet::Fleet& fleet);

// The GRES type of a whole GPU of this model: "h100-80gb".
std::string WholeGpuGresType(const geometry::GpuModel& model);

}  // namespace migsched::engines
