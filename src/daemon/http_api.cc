#include "daemon/http_api.h"

#include <httplib.h>

#include <atomic>
#include <charconv>
#include <nlohmann/json.hpp>

#include "daemon/api_json.h"
#include "daemon/dashboard.h"
#include "daemon/external_holds_json.h"
#include "daemon/external_holds_request.h"
#include "daemon/live_savings.h"
#include "daemon/token.h"
#include "report/fleet_svg.h"

namespace migsched::daemon {
namespace {

using nlohmann::ordered_json;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kJson = "application/json";
constexpr std::size_t kDefaultListLimit = 1000;
constexpr std::size_t kMaxListLimit = 100000;
constexpr std::int64_t kMaxLongPollMs = 30000;

thread_local SteadyClock::time_point request_start;

// `body` is JSON text.
void SendJsonText(httplib::Response& res, int status, std::string body) {
  res.status = status;
  body += '\n';
  res.set_content(std::move(body), kJson);
}

void SendJson(httplib::Response& res, int status, const ordered_json& body) { SendJsonText(res, status, body.dump()); }

void SendError(httplib::Response& res, int status, const std::string& error, const std::string& field = "") {
  ordered_json body{{"error", error}};
  body["field"] = field.empty() ? ordered_json(nullptr) : ordered_json(field);
  SendJson(res, status, body);
}

// A 400 for a body a strict reader refused: its message is "<JSON path>: <what>".
void SendBadBody(httplib::Response& res, const Status& error) {
  const std::string& text = error.message();
  const std::size_t colon = text.find(": ");
  SendError(res, 400, colon == std::string::npos ? text : text.substr(colon + 2),
            colon == std::string::npos ? "$" : text.substr(0, colon));
}

int HttpStatusOf(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kFailedPrecondition: return 409;
    case StatusCode::kResourceExhausted: return 429;
    case StatusCode::kUnavailable: return 503;
    default: return 500;
  }
}

// A non-negative integer parameter; nullopt when absent, error text when bad.
std::optional<std::int64_t> IntParam(const httplib::Request& req, const std::string& key, std::int64_t max,
                                     std::string& error) {
  if (!req.has_param(key)) return std::nullopt;
  const std::string text = req.get_param_value(key);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > max) {
    error = "must be an integer from 0 to " + std::to_string(max);
    return std::nullopt;
  }
  return value;
}

// Holds one of a limited number of slots (event streams, long-polls).
class Slot {
 public:
  Slot(std::atomic<std::size_t>& used, std::size_t limit) : used_(used) {
    taken_ = used_.fetch_add(1) < limit;
    if (!taken_) used_.fetch_sub(1);
  }
  ~Slot() {
    if (taken_) used_.fetch_sub(1);
  }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  bool taken() const { return taken_; }

 private:
  std::atomic<std::size_t>& used_;
  bool taken_ = false;
};

}  // namespace

struct HttpApi::Impl {
  ControlPlane& plane;
  const geometry::Catalog& catalog;
  HttpOptions options;
  httplib::Server server;
  int port = 0;
  std::atomic<std::size_t> streams{0};     // /v1/events
  std::atomic<std::size_t> ui_streams{0};  // /ui/events: tokenless, so apart from the operators' pool
  std::atomic<std::size_t> long_polls{0};

  Impl(ControlPlane& p, const geometry::Catalog& c, HttpOptions o) : plane(p), catalog(c), options(std::move(o)) {}

  bool Authorized(const httplib::Request& req, httplib::Response& res) const {
    if (BearerMatches(req.get_header_value("Authorization"), options.token)) return true;
    res.set_header("WWW-Authenticate", "Bearer");
    SendError(res, 401, "missing or wrong bearer token (Authorization: Bearer <token>)");
    return false;
  }

  // Wraps an authenticated handler.
  httplib::Server::Handler Guarded(std::function<void(const httplib::Request&, httplib::Response&)> handler) {
    return [this, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
      if (Authorized(req, res)) handler(req, res);
    };
  }

  void PostJob(const httplib::Request& req, httplib::Response& res) {
    ParsedSpec parsed = ParseJobSpec(req.body, catalog);
    if (!parsed.ok()) return SendError(res, 400, parsed.error.message, parsed.error.field);
    Result<SubmitOutcome> outcome = plane.Submit(std::move(parsed.spec));
    if (!outcome.has_value()) return SendError(res, HttpStatusOf(outcome.error()), outcome.error().message());
    switch (outcome->kind) {
      case SubmitOutcome::Kind::kCreated: return SendJsonText(res, 201, JobJsonText(outcome->job));
      case SubmitOutcome::Kind::kReplayed: return SendJsonText(res, 200, JobJsonText(outcome->job));
      case SubmitOutcome::Kind::kConflict:
        return SendError(res, 409,
                         "job '" + outcome->job.name + "' of tenant '" + outcome->job.tenant +
                             "' exists (id " + std::to_string(outcome->job.id) + ") with a different request",
                         "$.name");
    }
  }

  static std::optional<sched::JobId> JobIdOf(const httplib::Request& req) {
    sched::JobId id = 0;
    const std::string text = req.matches[1];
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return id;
  }

  void GetJob(const httplib::Request& req, httplib::Response& res) {
    const std::optional<sched::JobId> id = JobIdOf(req);
    const std::optional<JobInfo> job = id ? plane.Job(*id) : std::nullopt;
    if (!job) return SendError(res, 404, "no job " + std::string(req.matches[1]));
    SendJsonText(res, 200, JobJsonText(*job));
  }

  void DeleteJob(const httplib::Request& req, httplib::Response& res) {
    const std::optional<sched::JobId> id = JobIdOf(req);
    if (!id) return SendError(res, 404, "no job " + std::string(req.matches[1]));
    Result<JobInfo> job = plane.Cancel(*id);
    if (!job.has_value()) return SendError(res, HttpStatusOf(job.error()), job.error().message());
    SendJsonText(res, 200, JobJsonText(*job));
  }

  void ListJobs(const httplib::Request& req, httplib::Response& res) {
    std::optional<JobPhase> phase;
    if (req.has_param("state")) {
      phase = ParseJobPhase(req.get_param_value("state"));
      if (!phase) return SendError(res, 400, "state must be queued, starting, running, finished or failed", "state");
    }
    std::string error;
    const std::optional<std::int64_t> limit = IntParam(req, "limit", kMaxListLimit, error);
    if (!error.empty()) return SendError(res, 400, "limit " + error, "limit");
    std::string jobs = "{\"jobs\":[";
    for (const JobInfo& job : plane.Jobs(phase, limit ? static_cast<std::size_t>(*limit) : kDefaultListLimit)) {
      if (jobs.back() != '[') jobs += ',';
      jobs += JobJsonText(job);
    }
    SendJsonText(res, 200, jobs + "]}");
  }

  void PostInventory(const httplib::Request& req, httplib::Response& res) {
    Result<NodeInventory> inventory = InventoryFromJson(req.body, catalog);
    if (!inventory.has_value()) return SendBadBody(res, inventory.error());
    if (inventory->node != req.matches[1]) {
      return SendError(res, 400, "the body names node '" + inventory->node + "', the path '" +
                                     std::string(req.matches[1]) + "'", "$.node");
    }
    Result<DesiredLayout> desired = plane.ReportInventory(std::move(*inventory));
    if (!desired.has_value()) return SendError(res, HttpStatusOf(desired.error()), desired.error().message());
    res.status = 200;
    res.set_content(DesiredToJson(*desired), kJson);
  }

  void PutExternalHolds(const httplib::Request& req, httplib::Response& res) {
    Result<std::vector<std::string>> uuids = ExternalHoldsRequestFromJson(req.body);
    if (!uuids.has_value()) return SendBadBody(res, uuids.error());
    const std::string node = req.matches[1];
    Result<ExternalHolds> holds = plane.ReportExternalHolds(node, *uuids);
    if (!holds.has_value()) return SendError(res, HttpStatusOf(holds.error()), holds.error().message());
    SendJsonText(res, 200, ExternalHoldsToJson(node, *holds));
  }

  void GetDesired(const httplib::Request& req, httplib::Response& res) {
    std::string error;
    const std::optional<std::int64_t> after = IntParam(req, "after", std::numeric_limits<std::int64_t>::max(), error);
    if (!error.empty()) return SendError(res, 400, "after " + error, "after");
    const std::optional<std::int64_t> wait = IntParam(req, "wait_ms", kMaxLongPollMs, error);
    if (!error.empty()) return SendError(res, 400, "wait_ms " + error, "wait_ms");
    Slot slot(long_polls, options.max_long_polls);
    if (!slot.taken() && wait.value_or(0) > 0) {
      // The agent backs off and reports again, instead of polling in a loop.
      res.set_header("Retry-After", "1");
      return SendError(res, 503, "too many agents waiting; retry later");
    }
    const auto wait_for = std::chrono::milliseconds(wait.value_or(0));
    Result<DesiredLayout> desired = plane.WaitDesired(req.matches[1], after.value_or(-1), wait_for);
    if (!desired.has_value()) return SendError(res, HttpStatusOf(desired.error()), desired.error().message());
    res.status = 200;
    res.set_content(DesiredToJson(*desired), kJson);
  }

  // Server-sent events from `after` on, until the client goes away.
  void StreamEvents(const httplib::Request& req, httplib::Response& res, std::atomic<std::size_t>& pool) {
    std::string error;
    const std::optional<std::int64_t> after = IntParam(req, "after", std::numeric_limits<std::int64_t>::max(), error);
    if (!error.empty()) return SendError(res, 400, "after " + error, "after");
    auto slot = std::make_shared<Slot>(pool, options.max_streams);
    if (!slot->taken()) return SendError(res, 503, "too many event streams; try again later");
    auto cursor = std::make_shared<std::int64_t>(after.value_or(plane.LastEventSeq()));
    // A stream ends after a while and the client reconnects (EventSource does,
    // after `retry` ms, from Last-Event-ID): no client holds a worker thread
    // for ever, and headless browsers see the page settle.
    const auto deadline = SteadyClock::now() + std::chrono::seconds(options.stream_seconds);
    if (const std::string last = req.get_header_value("Last-Event-ID"); !last.empty() && !after) {
      std::int64_t seq = 0;
      if (std::from_chars(last.data(), last.data() + last.size(), seq).ec == std::errc()) *cursor = seq;
    }
    res.set_header("Cache-Control", "no-store");
    res.set_chunked_content_provider(
        "text/event-stream", [this, slot, cursor, deadline, first = true](std::size_t, httplib::DataSink& sink) mutable {
          const auto left = deadline - SteadyClock::now();
          if (left <= SteadyClock::duration::zero()) {
            sink.done();
            return true;
          }
          const auto wait = std::min<SteadyClock::duration>(left, std::chrono::seconds(10));
          const std::vector<ServiceEvent> events =
              plane.EventsAfter(*cursor, 256, std::chrono::duration_cast<std::chrono::milliseconds>(wait));
          std::string chunk = first ? "retry: 2000\n\n" : "";
          first = false;
          if (events.empty()) chunk += ": keep-alive\n\n";
          for (const ServiceEvent& e : events) {
            chunk += "id: " + std::to_string(e.seq) + "\nevent: " + e.type + "\ndata: " + EventJson(e).dump() + "\n\n";
            *cursor = e.seq;
          }
          return sink.write(chunk.data(), chunk.size()) && sink.is_writable();
        });
  }

  void Backup(const httplib::Request& req, httplib::Response& res) {
    if (!req.has_param("path")) return SendError(res, 400, "give ?path=FILE for the backup", "path");
    const std::string path = req.get_param_value("path");
    if (Status s = plane.Backup(path); !s.ok()) return SendError(res, HttpStatusOf(s), s.message());
    SendJson(res, 200, {{"backup", path}});
  }

  void Routes() {
    server.Post("/v1/jobs", Guarded([this](const auto& req, auto& res) { PostJob(req, res); }));
    server.Get("/v1/jobs", Guarded([this](const auto& req, auto& res) { ListJobs(req, res); }));
    server.Get(R"(/v1/jobs/([^/]+))", Guarded([this](const auto& req, auto& res) { GetJob(req, res); }));
    server.Delete(R"(/v1/jobs/([^/]+))", Guarded([this](const auto& req, auto& res) { DeleteJob(req, res); }));
    server.Get("/v1/fleet", Guarded([this](const auto&, auto& res) { SendJson(res, 200, FleetJson(plane.Fleet())); }));
    server.Get("/v1/events", Guarded([this](const auto& req, auto& res) { StreamEvents(req, res, streams); }));
    server.Post(R"(/v1/agents/([^/]+)/inventory)",
                Guarded([this](const auto& req, auto& res) { PostInventory(req, res); }));
    server.Put(R"(/v1/nodes/([^/]+)/external-holds)",
               Guarded([this](const auto& req, auto& res) { PutExternalHolds(req, res); }));
    server.Get(R"(/v1/agents/([^/]+)/desired)", Guarded([this](const auto& req, auto& res) { GetDesired(req, res); }));
    server.Post("/v1/admin/backup", Guarded([this](const auto& req, auto& res) { Backup(req, res); }));
    // Read-only and tokenless: the dashboard and Prometheus.
    server.Get("/", [](const auto&, auto& res) { res.set_content(std::string(DashboardHtml()), "text/html"); });
    server.Get("/ui/state", [this](const auto&, auto& res) {
      SendJson(res, 200, UiStateJson(plane, catalog, options.costs));
    });
    server.Get("/ui/fleet.svg", [this](const auto&, auto& res) {
      const fleet::Fleet fleet = plane.SchedulerFleet();
      res.set_content(fleet.gpus.empty() ? std::string("<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
                                         : report::RenderFleetSvg(fleet, {.title = "migsched: live fleet"}),
                      "image/svg+xml");
    });
    server.Get("/ui/events", [this](const auto& req, auto& res) { StreamEvents(req, res, ui_streams); });
    server.Get("/metrics", [this](const auto&, auto& res) {
      MetricsText out;
      plane.WriteMetrics(out);
      WriteSavingsMetrics(SavingsOf(plane.Fleet(), catalog, options.costs), options.costs, out);
      plane.metrics().Write(out);
      res.set_content(out.Text(), std::string(kMetricsContentType));
    });
    server.Get("/healthz", [](const auto&, auto& res) { res.set_content("ok\n", "text/plain"); });
  }

  void Limits() {
    server.set_payload_max_length(options.max_body_bytes);
    server.set_read_timeout(options.io_timeout_s, 0);
    server.set_write_timeout(options.io_timeout_s, 0);
    server.set_keep_alive_timeout(options.keep_alive_timeout_s);
    server.set_keep_alive_max_count(options.keep_alive_max_requests);
    server.set_tcp_nodelay(true);
    const std::size_t threads = options.worker_threads;
    server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    // Errors httplib answers itself (413, 404 of unknown paths, 400 of bad
    // requests) get a JSON body too.
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return;
      const std::string error = res.status == 413   ? "request body too large"
                                : res.status == 404 ? "no such endpoint"
                                                    : "bad request";
      SendError(res, res.status, error);
    });
    server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
      SendError(res, 500, "internal error");
    });
    // The handler runs on the thread that routed the request: a thread-local
    // start time times it.
    server.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
      request_start = SteadyClock::now();
      return httplib::Server::HandlerResponse::Unhandled;
    });
    server.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      plane.metrics().ObserveHttp(req.method, res.status, SteadyClock::now() - request_start);
    });
  }
};

Result<std::unique_ptr<HttpApi>> HttpApi::Bind(ControlPlane& plane, const geometry::Catalog& catalog,
                                               HttpOptions options) {
  auto impl = std::make_unique<Impl>(plane, catalog, std::move(options));
  impl->Routes();
  impl->Limits();
  if (impl->options.port == 0) {
    impl->port = impl->server.bind_to_any_port(impl->options.host);
    if (impl->port < 0) return UnavailableError("cannot listen on " + impl->options.host);
  } else {
    if (!impl->server.bind_to_port(impl->options.host, impl->options.port)) {
      return UnavailableError("cannot listen on " + impl->options.host + ":" + std::to_string(impl->options.port) +
                              " (in use, or not an address of this machine?)");
    }
    impl->port = impl->options.port;
  }
  return std::unique_ptr<HttpApi>(new HttpApi(std::move(impl)));
}

HttpApi::HttpApi(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpApi::~HttpApi() { Stop(); }
int HttpApi::port() const { return impl_->port; }
void HttpApi::Run() { impl_->server.listen_after_bind(); }
void HttpApi::Stop() { impl_->server.stop(); }

}  // namespace migsched::daemon
