// `simulate --services FILE`: long-running services to simulate beside the
// trace's batch jobs (sim/service.h), as YAML. Documented in
// docs/simulator.md ("Services"):
//   services:
//     - name: chat
//       gpu_milli: 250          # one replica's request: gpu_milli and/or memory_mib, or profile
//       replica_rps: 40         # requests/s one replica sustains
//       min_replicas: 1
//       max_replicas: 16
//       priority: 10            # optional, as a trace row's (higher first)
//       end_s: 172800           # when the service stops
//       repeat_s: 86400         # optional: the series repeats with this period
//       rate:                   # time (s) -> requests/s, each rate holding until the next point
//         - {t_s: 0, rps: 50}
//         - {t_s: 28800, rps: 400}
//       # or rate_csv: chat_rate.csv (columns t_s,rps; relative to this file)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sim/service.h"

namespace migsched::io {

// Every error is InvalidArgument naming "<file>:<line>" and the key or the
// CSV row: an unknown or missing key, a value that is not a number or out of
// range, neither or both of rate/rate_csv, no request or a profile with
// gpu_milli/memory_mib, times that do not increase, end_s not after the first
// point, a series longer than repeat_s, a name given twice. NotFound when the
// file or a rate_csv cannot be read. `base_dir` resolves relative rate_csv paths.
Result<std::vector<sim::ServiceSpec>> ParseServices(std::string_view text, const std::string& source,
                                                    const std::string& base_dir);
Result<std::vector<sim::ServiceSpec>> ReadServicesFile(const std::string& path);

}  // namespace migsched::io
