// HttpApi: serve's HTTP/1.1 JSON API over cpp-httplib (docs/serve.md).
//
//   POST   /v1/jobs                      submit (idempotent per tenant+name)
//   GET    /v1/jobs[?state=S&limit=N]    list
//   GET    /v1/jobs/{id}                 one job
//   DELETE /v1/jobs/{id}                 release or cancel
//   GET    /v1/fleet                     nodes, GPUs, instances, slices
//   GET    /v1/fleet/export              the fleet as a planner fleet file (YAML)
//   GET    /v1/events[?after=SEQ]        server-sent events
//   POST   /v1/agents/{node}/inventory   an agent's report -> its desired layout
//   GET    /v1/agents/{node}/desired?after=G&wait_ms=W   long-poll
//   POST   /v1/admin/backup?path=P       SQLite online backup
//   GET    /metrics, /, /ui/state, /ui/fleet.svg, /ui/events   no token (read-only)
//
// Every /v1 route needs "Authorization: Bearer <token>". Errors are JSON
// {"error", "field"}. Limits: body size, read/write and keep-alive timeouts,
// worker threads, concurrent event streams and long-polls.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "daemon/control_plane.h"
#include "report/costs.h"

namespace migsched::daemon {

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8470;  // 0: any free port (see HttpApi::port)
  std::string token;
  std::size_t max_body_bytes = 1 << 20;
  int io_timeout_s = 5;           // a slow client is dropped after this long without progress
  int keep_alive_timeout_s = 5;
  std::size_t keep_alive_max_requests = 10000;
  std::size_t worker_threads = 64;
  std::size_t max_streams = 16;   // concurrent SSE clients
  std::size_t max_long_polls = 32;
  int stream_seconds = 60;        // an event stream ends after this long; clients reconnect
  report::CostSheet costs;        // for what MIG saves (/metrics, dashboard): serve --costs
};

class HttpApi {
 public:
  // Binds (an error names the address); serving starts with Run().
  static Result<std::unique_ptr<HttpApi>> Bind(ControlPlane& plane, const geometry::Catalog& catalog,
                                               HttpOptions options);
  ~HttpApi();
  int port() const;
  void Run();   // blocks until Stop()
  void Stop();

 private:
  struct Impl;
  explicit HttpApi(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace migsched::daemon
