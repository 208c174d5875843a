// The slurm.conf lines dynamic MIG needs (`migsched slurm dynamic-conf`):
// GresTypes=mig, the TaskProlog, and a capacity node. slurmctld refuses at
// submission a job whose GRES no node of the partition can ever have
// ("Requested node configuration is not available"), and a node's `mig`
// counts are only what is cut now, so a FUTURE node — never started, never
// given a job, hidden from sinfo — declares every type the GPU nodes can
// offer; with it in the partition a job for a type nobody has cut waits as
// pending until migsched cuts it.
// Pure.
#pragma once

#include <string>
#include <vector>

#include "engines/slurm_type_table.h"
#include "geometry/gpu_model.h"

namespace migsched::slurm {

inline constexpr std::string_view kCapacityNode = "migsched-capacity";

// "mig:a100_1g.10gb:14,...": per type, the most any one node (its GPUs'
// models, one entry per GPU) can hold at once.
std::string CapacityGres(const engines::SlurmTypeTable& types,
                         const std::vector<std::vector<const geometry::GpuModel*>>& nodes);

// The lines, with comments, for nodes whose GPUs are `nodes`.
std::string DynamicSlurmConf(const engines::SlurmTypeTable& types,
                             const std::vector<std::vector<const geometry::GpuModel*>>& nodes,
                             const std::string& task_prolog);

}  // namespace migsched::slurm
