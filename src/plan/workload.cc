#include "plan/workload.h"

namespace migsched::plan {

std::string_view WorkloadKindName(WorkloadKind kind) {
  return kind == WorkloadKind::kTraining ? "training" : "inference";
}

}  // namespace migsched::plan
