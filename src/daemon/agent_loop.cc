#include "daemon/agent_loop.h"

#include <httplib.h>

#include <algorithm>
#include <thread>

#include "agent/apply.h"
#include "agent/nvml_node.h"
#include "daemon/inventory.h"
#include "nvml/nvml_session.h"

namespace migsched::daemon {
namespace {

// One report: read the node, send it, read the desired layout that comes back.
Result<DesiredLayout> Report(httplib::Client& client, const geometry::Catalog& catalog, const AgentOptions& options,
                             std::int64_t applied, const std::string& apply_error) {
  Result<std::unique_ptr<nvml::NvmlSession>> session = nvml::NvmlSession::Open(catalog);
  if (!session.has_value()) return session.error();
  Result<std::vector<agent::ObservedGpu>> gpus = agent::ObserveNode(**session);
  if (!gpus.has_value()) return gpus.error();
  const NodeInventory inventory{.node = options.node, .applied_generation = applied, .apply_error = apply_error,
                                .gpus = std::move(*gpus)};
  const httplib::Result res = client.Post("/v1/agents/" + options.node + "/inventory", InventoryToJson(inventory),
                                          "application/json");
  if (!res) return UnavailableError("cannot reach " + options.server + ": " + httplib::to_string(res.error()));
  if (res->status != 200) {
    return UnavailableError("server answered " + std::to_string(res->status) + " to the inventory: " + res->body);
  }
  return DesiredFromJson(res->body, catalog);
}

Result<DesiredLayout> WaitForChange(httplib::Client& client, const geometry::Catalog& catalog,
                                    const AgentOptions& options, std::int64_t after) {
  const httplib::Result res = client.Get("/v1/agents/" + options.node + "/desired?after=" + std::to_string(after) +
                                         "&wait_ms=" + std::to_string(options.poll_wait.count()));
  if (!res) return UnavailableError("cannot reach " + options.server + ": " + httplib::to_string(res.error()));
  if (res->status != 200) return UnavailableError("server answered " + std::to_string(res->status) + ": " + res->body);
  return DesiredFromJson(res->body, catalog);
}

// Applies `desired`; "" on success, else why not.
std::string ApplyLayout(const geometry::Catalog& catalog, const AgentOptions& options, const DesiredLayout& desired,
                        std::size_t& operations) {
  Result<std::unique_ptr<nvml::NvmlSession>> session = nvml::NvmlSession::Open(catalog);
  if (!session.has_value()) return session.error().message();
  const std::vector<agent::GpuTarget> targets = TargetsOf(desired);
  Result<agent::ApplyReport> report = agent::Apply(
      **session, catalog,
      [&](const std::vector<agent::ObservedGpu>&) -> Result<std::vector<agent::GpuTarget>> { return targets; },
      agent::ApplyOptions{.force = false, .dry_run = false, .journal_path = options.journal_path});
  if (!report.has_value()) return report.error().message();
  operations = report->executed.size() + report->recovery.size();
  return "";
}

}  // namespace

Status RunAgent(const geometry::Catalog& catalog, const AgentOptions& options, const std::atomic<bool>& stop) {
  httplib::Client client(options.server);
  if (!client.is_valid()) return InvalidArgumentError("--server '" + options.server + "' is not a valid URL");
  client.set_bearer_token_auth(options.token);
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(options.poll_wait + std::chrono::seconds(10));
  client.set_keep_alive(true);
  // A POST goes out as two writes (headers, body): with Nagle's algorithm the
  // body waits for the server's delayed ACK, 40 ms on Linux, on every report.
  client.set_tcp_nodelay(true);
  const auto log = [&](const std::string& line) {
    if (options.log) options.log(line);
  };
  std::chrono::milliseconds backoff{200};
  const auto pause = [&] {
    for (auto waited = std::chrono::milliseconds(0); waited < backoff && !stop.load();
         waited += std::chrono::milliseconds(50)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    backoff = std::min(backoff * 2, options.max_backoff);
  };
  std::int64_t applied = 0;
  std::string apply_error;
  bool report_now = true;
  while (!stop.load()) {
    Result<DesiredLayout> next = report_now ? Report(client, catalog, options, applied, apply_error)
                                            : WaitForChange(client, catalog, options, applied);
    if (!next.has_value()) {
      log("error: " + next.error().message() + "; retrying in " + std::to_string(backoff.count()) + " ms");
      pause();
      report_now = true;
      continue;
    }
    // Any other generation is applied, a lower one too: the server's store
    // may have been restored from a backup.
    if (next->generation == applied) {
      backoff = std::chrono::milliseconds(200);
      // Nothing new: the long-poll ended, report again (the heartbeat).
      report_now = !report_now;
      continue;
    }
    std::size_t operations = 0;
    apply_error = ApplyLayout(catalog, options, *next, operations);
    if (apply_error.empty()) {
      backoff = std::chrono::milliseconds(200);
      applied = next->generation;
      log("applied generation " + std::to_string(applied) + ": " + std::to_string(operations) + " operations");
    } else {
      log("apply of generation " + std::to_string(next->generation) + " failed: " + apply_error);
      pause();  // report the failure, then retry no faster than the backoff
    }
    report_now = true;
  }
  return Status::Ok();
}

}  // namespace migsched::daemon
