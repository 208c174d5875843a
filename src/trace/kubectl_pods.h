// Kubernetes pod history as a trace: the output of `kubectl get pods -A -o
// json` (a List with `items`). A pod asking for GPUs is a job:
//   submit    metadata.creationTimestamp
//   run time  the latest containerStatuses[].state.terminated.finishedAt
//             minus status.startTime
//   GPUs      the sum over containers of resources.limits (else requests)
//             `nvidia.com/gpu` (whole GPUs), or one `nvidia.com/mig-<profile>`
//             (that MIG profile, e.g. nvidia.com/mig-1g.10gb)
//   tenant    metadata.namespace; name: namespace/name; priority: spec.priority
// Pods without GPUs are counted in cpu_only_rows. A pod that never started,
// is still running, or asks for several MIG devices is a RowIssue whose
// `line` is its 1-based position in `items` (JSON has no useful lines; the
// reason names the pod). Times are seconds from the earliest submit.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "trace/trace.h"

namespace migsched::trace {

// InvalidArgument "<source>: ..." when the text is not JSON with an `items` array.
Result<Trace> ParseKubectlPods(std::string_view text, const std::string& source);

}  // namespace migsched::trace
