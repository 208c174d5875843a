// `migsched export`: the node's current MIG state as a mig-parted config
// (`version: v1`) with one named config, which `apply` and `assert` read back.
// GPUs with the same MIG mode and the same profile counts share one entry;
// the entry lists their indices, or says `devices: all` when it covers every
// GPU. Placements are not part of the format (mig-parted has none). Written by
// mig_parted::WriteMigPartedYaml, which quotes names as YAML needs.
#pragma once

#include <string>
#include <vector>

#include "agent/node_state.h"

namespace migsched::mig_parted {

std::string ExportMigParted(const std::vector<agent::ObservedGpu>& gpus, const std::string& config_name);

}  // namespace migsched::mig_parted
