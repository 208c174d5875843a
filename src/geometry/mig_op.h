// The MIG operations, in the words plan.json, `plan --dry-run` and the node
// agent all use: enable_mig, disable_mig, destroy_ci, destroy_gi, create_gi,
// create_ci. One GPU's op names the GPU instance it concerns by profile and
// start; the NVML ids an agent needs to execute it are the agent's to add.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "geometry/gpu_model.h"
#include "geometry/layout.h"

namespace migsched::geometry {

enum class MigOpKind {
  kEnableMig,   // switch the GPU into MIG mode (no instances yet)
  kDisableMig,  // leave MIG mode; the GPU must have no instances
  kDestroyCi,   // destroy the compute instance(s) of the GPU instance
  kDestroyGi,   // destroy the GPU instance (its compute instances are gone)
  kCreateGi,    // create the GPU instance at its explicit start
  kCreateCi,    // create one compute instance spanning the GPU instance
};

// "enable_mig", "disable_mig", "destroy_ci", "destroy_gi", "create_gi", "create_ci".
std::string_view MigOpKindName(MigOpKind kind);
// The inverse; InvalidArgument lists the valid names.
Result<MigOpKind> ParseMigOpKind(std::string_view name);
// enable_mig and disable_mig, which concern the GPU, not an instance.
bool IsMigModeOp(MigOpKind kind);

struct MigOp {
  MigOpKind kind = MigOpKind::kCreateGi;
  GpuInstance instance;  // the GPU instance concerned; {} for MIG mode ops
  friend bool operator==(const MigOp&, const MigOp&) = default;
};

// "create_gi 3g.40gb@4", "enable_mig".
std::string DescribeMigOp(const GpuModel& model, const MigOp& op);

}  // namespace migsched::geometry
