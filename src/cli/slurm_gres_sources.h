// Where `migsched slurm gres` learns a node's MIG devices: this machine's GPUs
// through NVML, or a `migsched serve` fleet (GET /v1/fleet). Both give the
// engines' SlurmNodeGres: each MIG device (a compute instance) or whole GPU
// with its GRES type and device files.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "engines/slurm_gres_writer.h"
#include "geometry/catalog.h"
#include "nvml/nvml_session.h"

namespace migsched::cli {

// The GPUs of this machine as node `node`. Types use the product name NVML
// reports for each GPU. A GPU instance without a compute instance is no MIG
// device yet and becomes a note. Errors: NVML's, and NotFound for a GPU or
// profile the catalog does not know.
Result<engines::SlurmNodeGres> SlurmNodeFromNvml(const nvml::NvmlSession& session, const std::string& node,
                                                 engines::SlurmTypeStyle style);

// The nodes of a server's fleet document (all of them when `only_node` is
// empty). The server knows GPUs by catalog model, so types use the model's
// catalog product name. Instances the agent has not created yet (no NVML ids)
// become notes. Errors: InvalidArgument for a document of another shape,
// NotFound for an unknown model or profile, or for `only_node` when no node
// has that name.
Result<std::vector<engines::SlurmNodeGres>> SlurmNodesFromFleetJson(const nlohmann::json& fleet,
                                                                    const geometry::Catalog& catalog,
                                                                    const std::string& only_node,
                                                                    engines::SlurmTypeStyle style);

}  // namespace migsched::cli
