// `migsched trace import`: a cluster's own history into the generic trace
// format (docs/simulator.md, "Generic traces"), for `simulate --trace csv:`.
//
//   migsched trace import --from sacct|kubectl|alibaba2023 IN -o OUT.csv
//
// IN is `sacct --parsable2` output (trace/sacct.h), `kubectl get pods -A -o
// json` output (trace/kubectl_pods.h) or an Alibaba v2023 pod list. Prints how
// many jobs were written, CPU-only rows and every bad row as file:line: reason
// (the first 20). Exit codes: 0 written; 2 bad usage, unreadable or malformed
// input, or OUT not writable.
#pragma once

#include "cli/command_context.h"

namespace migsched::cli {

void AddTraceCommands(CLI::App& app, ChosenCommand& chosen);

}  // namespace migsched::cli
