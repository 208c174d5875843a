// The trace's jobs turned into scheduler requests for one fleet, once, so
// every policy of a run sees exactly the same requests.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "fleet/fleet.h"
#include "sched/options.h"
#include "sim/backend.h"
#include "sim/service.h"
#include "trace/trace.h"

namespace migsched::sim {

struct SimJob {
  trace::TraceJob job;
  // nullopt: no GPU of the fleet can run the job (reported as unplaced).
  std::optional<SimRequest> request;
};

// Maps every job by the rule of profile_mapping.h; request ids are job ids.
std::vector<SimJob> PrepareJobs(const trace::Trace& trace, const fleet::Fleet& fleet);

// Which requests the fragmentation-aware policy's expected mix counts.
enum class MixScope {
  kMigOnly,  // only MIG requests: empty GPUs are not valued for whole-GPU jobs
  kAll,      // also whole-GPU jobs, as the full-GPU profile (7g.80gb on an H100)
};
Result<MixScope> ParseMixScope(std::string_view text);  // "mig" | "all"

// The demand mix the fragmentation-aware policy plans for, as in FGD: how
// often each request occurs among the jobs, in order of first occurrence. A
// MIG option counts once per job; under kAll a whole-GPU job counts num_gpu
// times as the full-GPU profile of each model it may use, so that an empty
// GPU is valued as room for a whole-GPU job (which makes the policy pack
// like best-fit when whole-GPU jobs dominate, as in the Alibaba traces).
// A service's replica counts once per scale-up (ReplicaWant), as a job would.
std::vector<sched::MixEntry> ExpectedMix(const std::vector<SimJob>& jobs,
                                         const std::vector<const geometry::GpuModel*>& models, MixScope scope,
                                         std::span<const ServiceLoad> services = {});

}  // namespace migsched::sim
