// The trace's jobs turned into scheduler requests for one fleet, once, so
// every policy of a run sees exactly the same requests.
#pragma once

#include <optional>
#include <vector>

#include "fleet/fleet.h"
#include "sched/options.h"
#include "sim/backend.h"
#include "trace/trace.h"

namespace migsched::sim {

struct SimJob {
  trace::TraceJob job;
  // nullopt: no GPU of the fleet can run the job (reported as unplaced).
  std::optional<SimRequest> request;
};

// Maps every job by the rule of profile_mapping.h; request ids are job ids.
std::vector<SimJob> PrepareJobs(const trace::Trace& trace, const fleet::Fleet& fleet);

// The demand mix the fragmentation-aware policy plans for: how often each
// MIG option occurs among the jobs (whole-GPU jobs do not enter it), in order
// of first occurrence.
std::vector<sched::MixEntry> ExpectedMix(const std::vector<SimJob>& jobs);

}  // namespace migsched::sim
