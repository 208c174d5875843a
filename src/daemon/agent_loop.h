// The node agent as a long-running loop (`migsched agent --server URL`):
//
//   read the node through NVML -> POST its inventory (also the heartbeat)
//   -> the desired layout comes back; when its generation is new, apply it
//   with the journaled reconcile (agent::Apply: never destroys a busy
//   instance) and report again; otherwise long-poll for the next generation.
//
// The agent keeps no state but its journal: after a restart it reports
// generation 0 and re-applies the current desired layout (a no-op when the
// GPUs already match). Connection failures back off exponentially.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "common/status.h"
#include "geometry/catalog.h"

namespace migsched::daemon {

struct AgentOptions {
  std::string server = "http://127.0.0.1:8470";
  std::string node;
  std::string token;
  std::string journal_path;
  std::chrono::milliseconds poll_wait{5000};     // long-poll; also the heartbeat interval
  std::chrono::milliseconds max_backoff{10000};
  // Called after each report with one line for people ("applied generation 4: 6 operations").
  std::function<void(const std::string&)> log;
};

// Runs until `stop` becomes true. Errors only for what retrying cannot fix
// (a malformed server URL); NVML and network errors are reported and retried.
Status RunAgent(const geometry::Catalog& catalog, const AgentOptions& options, const std::atomic<bool>& stop);

}  // namespace migsched::daemon
