#include "cli/serve_commands.h"

#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <memory>
#include <thread>

#include "cli/cli.h"
#include "cli/seconds_option.h"
#include "daemon/agent_loop.h"
#include "daemon/control_plane.h"
#include "daemon/http_api.h"
#include "daemon/store.h"
#include "daemon/token.h"
#include "io/costs_reader.h"
#include "report/costs.h"
#include "slurm/slurm_adapter.h"

namespace migsched::cli {
namespace {

struct ServeArgs {
  std::string listen = "127.0.0.1:8470";
  std::string state_dir = "./migsched-state";
  std::string token_file;
  std::string policy = "frag-aware";
  double reconfig_delay_s = 0;  // fractional seconds; the core gets milliseconds
  double backfill_hold_s = 30;
  std::size_t threads = 64;
  int stream_seconds = 60;
  int agent_timeout_s = 15;
  std::size_t max_batch = 4096;
  bool sync_normal = false;
  bool check_invariants = false;
  bool slurm = false;
  int slurm_interval_ms = 250;
  std::string costs_path;
};

struct AgentArgs {
  std::string server;
  std::string node;
  std::string token_file;
  std::string journal;
};

std::atomic<bool> g_stop{false};
daemon::HttpApi* g_api = nullptr;

extern "C" void OnSignal(int) {
  g_stop.store(true);
  if (g_api != nullptr) g_api->Stop();
}

int Fail(const CommandContext& context, const Status& status) {
  context.err << "migsched: " << status.message() << "\n";
  return status.code() == StatusCode::kInvalidArgument ? kExitBadInput : kExitNo;
}

Result<std::pair<std::string, int>> SplitListen(const std::string& listen) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return InvalidArgumentError("--listen '" + listen + "': expected ADDRESS:PORT");
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  try {
    std::size_t used = 0;
    const int port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1 || port < 0 || port > 65535) throw std::out_of_range("port");
    return std::make_pair(host, port);
  } catch (const std::exception&) {
    return InvalidArgumentError("--listen '" + listen + "': the port must be 0-65535");
  }
}

// Holds an exclusive lock on STATE/lock for the life of the process: two
// servers writing one store would each acknowledge what the other overwrites.
Status LockStateDir(const std::string& dir) {
  const std::string path = dir + "/lock";
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return UnavailableError("cannot open " + path);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return FailedPreconditionError("another migsched serve is using " + dir + " (" + path + " is locked)");
  }
  return Status::Ok();  // the descriptor stays open until the process ends
}

int RunServe(const CommandContext& context, const ServeArgs& args) {
  Result<std::pair<std::string, int>> listen = SplitListen(args.listen);
  if (!listen.has_value()) return Fail(context, listen.error());
  std::error_code ec;
  std::filesystem::create_directories(args.state_dir, ec);
  std::filesystem::permissions(args.state_dir, std::filesystem::perms::owner_all, ec);
  report::CostSheet costs;
  if (!args.costs_path.empty()) {
    Result<report::CostSheet> read = io::ReadCostSheetFile(context.catalog, args.costs_path);
    if (!read.has_value()) return Fail(context, read.error());
    costs = std::move(read).value();
  }
  if (Status locked = LockStateDir(args.state_dir); !locked.ok()) return Fail(context, locked);
  const std::string token_path = args.token_file.empty() ? args.state_dir + "/token" : args.token_file;
  Result<std::string> token =
      args.token_file.empty() ? daemon::LoadOrCreateTokenFile(token_path) : daemon::ReadTokenFile(token_path);
  if (!token.has_value()) return Fail(context, token.error());
  const auto started = std::chrono::steady_clock::now();
  Result<std::unique_ptr<daemon::Store>> store =
      daemon::Store::Open(args.state_dir, {.synchronous_full = !args.sync_normal});
  if (!store.has_value()) return Fail(context, store.error());
  sched::Options options;
  options.policy = args.policy;
  options.reconfiguration_delay_ms = ToMilliseconds(args.reconfig_delay_s);
  options.backfill_hold_after_ms = ToMilliseconds(args.backfill_hold_s);
  Result<std::unique_ptr<daemon::ControlPlane>> plane = daemon::ControlPlane::Start(
      context.catalog, std::move(store).value(),
      daemon::ControlPlaneOptions{.scheduler = options,
                                  .agent_timeout = std::chrono::seconds(args.agent_timeout_s),
                                  .max_batch = args.max_batch,
                                  .check_invariants = args.check_invariants});
  if (!plane.has_value()) return Fail(context, plane.error());
  Result<std::unique_ptr<daemon::HttpApi>> api = daemon::HttpApi::Bind(
      **plane, context.catalog,
      daemon::HttpOptions{.host = listen->first, .port = listen->second, .token = *token, .worker_threads = args.threads,
                          .stream_seconds = args.stream_seconds, .costs = std::move(costs)});
  if (!api.has_value()) return Fail(context, api.error());
  std::unique_ptr<slurm::SlurmAdapter> slurm_adapter;
  if (args.slurm) {
    Result<std::unique_ptr<slurm::SlurmAdapter>> adapter = slurm::SlurmAdapter::Start(
        **plane, context.catalog, {.interval = std::chrono::milliseconds(args.slurm_interval_ms)}, context.err);
    if (!adapter.has_value()) return Fail(context, adapter.error());
    slurm_adapter = std::move(adapter).value();
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  const daemon::FleetView fleet = (*plane)->Fleet();
  context.out << "migsched serve: listening on http://" << listen->first << ":" << (*api)->port() << " (policy "
              << args.policy << ", state " << args.state_dir << ", ready in " << ms.count() << " ms: "
              << fleet.nodes.size() << " nodes, " << fleet.totals.queued + fleet.totals.running << " active jobs)\n"
              << "  token: " << token_path << "\n"
              << "  dashboard: http://" << listen->first << ":" << (*api)->port() << "/\n"
              << (args.slurm ? "  slurm: dynamic MIG for the nodes slurmctld knows (docs/slurm.md)\n" : "")
              << std::flush;
  g_api = api->get();
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  (*api)->Run();
  g_api = nullptr;
  context.out << "migsched serve: stopped\n";
  return kExitOk;
}

int RunAgent(const CommandContext& context, const AgentArgs& args) {
  const std::string token_path = args.token_file.empty() ? "./migsched-state/token" : args.token_file;
  Result<std::string> token = daemon::ReadTokenFile(token_path);
  if (!token.has_value()) return Fail(context, token.error());
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  const daemon::AgentOptions options{
      .server = args.server, .node = args.node, .token = *token, .journal_path = args.journal,
      .log = [&](const std::string& line) { context.out << "agent " << args.node << ": " << line << std::endl; }};
  const Status status = daemon::RunAgent(context.catalog, options, g_stop);
  if (!status.ok()) return Fail(context, status);
  return kExitOk;
}

std::string DefaultServer() {
  const char* env = std::getenv("MIGSCHED_SERVER");
  return env != nullptr && *env != '\0' ? env : "http://127.0.0.1:8470";
}

}  // namespace

void AddServeCommands(CLI::App& app, ChosenCommand& chosen) {
  auto serve_args = std::make_shared<ServeArgs>();
  CLI::App* serve = app.add_subcommand("serve", "run the control plane: HTTP API, SQLite state, dashboard");
  serve->add_option("--listen", serve_args->listen, "ADDRESS:PORT to listen on (loopback by default)")
      ->capture_default_str();
  serve->add_option("--state", serve_args->state_dir, "state directory (SQLite store, token)")->capture_default_str();
  serve->add_option("--token-file", serve_args->token_file,
                    "bearer token file (mode 0600); default: STATE/token, generated once");
  serve->add_option("--policy", serve_args->policy, "placement policy")->capture_default_str();
  AddSecondsOption(*serve, "--reconfig-delay", serve_args->reconfig_delay_s,
                   "seconds a repartition takes before its job starts (fractional: 0.5)",
                   /*max_seconds=*/3600);
  AddSecondsOption(*serve, "--backfill-hold", serve_args->backfill_hold_s,
                   "seconds the head of the queue waits before no job behind it may start first (starvation "
                   "guard for large requests; 0 = plain greedy backfill)",
                   /*max_seconds=*/86400)
      ->capture_default_str();
  serve->add_option("--threads", serve_args->threads, "HTTP worker threads")->check(CLI::Range(4, 4096));
  serve->add_option("--event-stream-seconds", serve_args->stream_seconds,
                    "an event stream (SSE) ends after this long; clients reconnect")
      ->check(CLI::Range(1, 3600));
  serve->add_option("--agent-timeout", serve_args->agent_timeout_s,
                    "seconds without a report before a node counts as lost (cordoned)")
      ->check(CLI::Range(2, 86400))  // keep it above the agents' 5 s heartbeat (2: tests of lost nodes)
      ->capture_default_str();
  serve->add_option("--max-batch", serve_args->max_batch,
                    "most requests per store transaction (1 = one commit per request, to measure group commit)")
      ->check(CLI::Range(1, 65536))
      ->capture_default_str();
  serve->add_option("--costs", serve_args->costs_path,
                    "prices, electricity price and PUE (YAML, docs/catalog.md): money in what MIG saves");
  serve->add_flag("--check-invariants", serve_args->check_invariants,
                  "check the state's invariants after every batch; stop on a violation (tests, canaries)");
  serve->add_flag("--slurm", serve_args->slurm,
                  "dynamic MIG for SLURM: serve jobs that ask for --gres=mig:<type>:1 through the installed "
                  "scontrol (docs/slurm.md)");
  serve->add_option("--slurm-interval", serve_args->slurm_interval_ms, "milliseconds between two looks at SLURM")
      ->capture_default_str()
      ->check(CLI::Range(10, 60000));
  serve->add_flag("--sync-normal", serve_args->sync_normal,
                  "SQLite synchronous=NORMAL: survives a process crash, not a power loss (faster)");
  serve->callback([&chosen, serve_args] {
    chosen = [serve_args](const CommandContext& c) { return RunServe(c, *serve_args); };
  });

  auto agent_args = std::make_shared<AgentArgs>();
  agent_args->server = DefaultServer();
  agent_args->journal = "/var/lib/migsched/agent.journal";
  CLI::App* agent = app.add_subcommand("agent", "run a node agent that follows a migsched server");
  agent->add_option("--server", agent_args->server, "server URL (default: $MIGSCHED_SERVER)")->capture_default_str();
  agent->add_option("--node", agent_args->node, "this node's name")->required();
  agent->add_option("--token-file", agent_args->token_file, "bearer token file (default: ./migsched-state/token)");
  agent->add_option("--journal", agent_args->journal, "write-ahead journal file")->capture_default_str();
  agent->callback([&chosen, agent_args] {
    chosen = [agent_args](const CommandContext& c) { return RunAgent(c, *agent_args); };
  });
}

}  // namespace migsched::cli
