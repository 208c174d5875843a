#include "k8s/device_plugin.h"

#include <grpcpp/grpcpp.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include "engines/k8s_resources.h"
#include "k8s/device_health.h"
#include "k8s/node_devices.h"
#include "k8s/plugin_server.h"
#include "k8s/pod_held_devices.h"
#include "k8s/proto/deviceplugin_v1beta1.grpc.pb.h"

namespace migsched::k8s {
namespace {

constexpr std::string_view kApiVersion = "v1beta1";
constexpr std::string_view kKubeletSocket = "kubelet.sock";
constexpr std::chrono::seconds kRegisterDeadline{5};
constexpr std::chrono::seconds kShutdownDeadline{2};
constexpr std::chrono::seconds kPodResourcesDeadline{2};
// An unchanged report of the pods' devices is sent again this often: serve
// is durable, but a hold may have been released there by hand.
constexpr std::chrono::seconds kHoldResync{60};

// kubelet.sock's identity: a restarted kubelet makes a new socket file.
struct SocketId {
  dev_t dev = 0;
  ino_t ino = 0;
  std::int64_t mtime_ns = 0;
  friend bool operator==(const SocketId&, const SocketId&) = default;
};

std::optional<SocketId> StatSocket(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) return std::nullopt;
  return SocketId{.dev = st.st_dev, .ino = st.st_ino,
                  .mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

// "nvidia.com/mig-1g.10gb" -> "migsched-mig-1g.10gb.sock".
std::string SocketName(const std::string& resource) {
  const std::size_t slash = resource.find('/');
  return "migsched-" + (slash == std::string::npos ? resource : resource.substr(slash + 1)) + ".sock";
}

class Runner {
 public:
  Runner(const geometry::Catalog& catalog, const DevicePluginOptions& options, const CallJson& call,
         std::ostream& log)
      : catalog_(catalog), options_(options), call_(call), log_(log) {}
  ~Runner() {
    for (auto& [name, resource] : resources_) StopServing(resource);
  }
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  void Step() {
    Refresh();
    const std::optional<SocketId> kubelet = StatSocket(options_.plugin_dir / kKubeletSocket);
    if (!kubelet.has_value()) {
      Problem("event=kubelet-absent socket=" + (options_.plugin_dir / kKubeletSocket).string());
      return;
    }
    const bool restarted = kubelet != kubelet_;
    kubelet_ = kubelet;
    for (auto& [name, resource] : resources_) {
      if (restarted || !resource.registered) Serve(name, resource, restarted);
    }
    ReportPodHolds();
  }

  // True once after an Allocate: the loop steps at once, so that serve
  // learns of the pod's devices within a few milliseconds.
  bool TakeWake() { return wake_.exchange(false); }

 private:
  struct Resource {
    std::vector<ListedDevice> listed;
    std::vector<PluginDevice> devices;
    std::unique_ptr<PluginServer> service;
    std::unique_ptr<grpc::Server> server;
    bool registered = false;
  };

  // Logs a problem once until another one (or none) takes its place; the
  // reports of pods' devices keep their own, so that the two kinds of
  // problem do not take turns in the log every step.
  void Problem(const std::string& line) { Problem(last_problem_, line); }
  void HoldProblem(const std::string& line) { Problem(last_hold_problem_, line); }
  void Problem(std::string& last, const std::string& line) {
    if (line != last) log_ << "k8s device-plugin: " << line << std::endl;
    last = line;
  }

  Result<NodeDevices> ReadNode() {
    KubernetesJobs kubernetes;
    for (const char* state : {"starting", "running"}) {
      const Result<nlohmann::json> jobs = call_("GET", std::string("/v1/jobs?state=") + state + "&limit=100000", "");
      if (!jobs.has_value()) return jobs.error();
      Result<std::set<std::uint64_t>> reservations = TenantJobIds(*jobs, options_.tenant);
      if (!reservations.has_value()) return reservations.error();
      kubernetes.reservations.merge(*reservations);
      Result<std::set<std::uint64_t>> pod_holds = TenantJobIds(*jobs, kPodHoldTenant);
      if (!pod_holds.has_value()) return pod_holds.error();
      kubernetes.pod_holds.merge(*pod_holds);
    }
    const Result<nlohmann::json> fleet = call_("GET", "/v1/fleet", "");
    if (!fleet.has_value()) return fleet.error();
    return NodeDevicesFromFleet(*fleet, options_.node, catalog_, kubernetes);
  }

  // Tells serve which of this plugin's MIG devices pods hold, when that
  // changed or kHoldResync passed. On an error nothing is reported: serve
  // keeps the last report's holds, the safe side.
  void ReportPodHolds() {
    std::set<std::string> mig_resources;
    for (const auto& [name, resource] : resources_) {
      if (name != engines::kWholeGpuResource) mig_resources.insert(name);
    }
    const std::uint64_t mark = allocations_.Mark();
    const Result<std::vector<PodDevices>> listed = ListPodDevices(options_.pod_resources_socket, kPodResourcesDeadline);
    if (!listed.has_value()) {
      HoldProblem("event=pod-resources-error error=\"" + listed.error().message() + "\"");
      return;
    }
    const std::vector<std::string> held = DevicesHeldByPods(*listed, mig_resources, allocations_.TakeAfter(mark));
    const auto now = std::chrono::steady_clock::now();
    if (held == reported_ && now - reported_at_ < kHoldResync) return;
    const Result<nlohmann::json> answer =
        call_("PUT", "/v1/nodes/" + options_.node + "/external-holds", nlohmann::json{{"mig_uuids", held}}.dump());
    if (!answer.has_value()) {
      HoldProblem("event=hold-report-error error=\"" + answer.error().message() + "\"");
      reported_.reset();
      return;
    }
    if (held != reported_) {
      log_ << "k8s device-plugin: event=pod-holds held=" << held.size()
           << " unknown=" << answer->value("unknown", nlohmann::json::array()).size()
           << " released=" << answer->value("released", nlohmann::json::array()).size() << std::endl;
    }
    reported_ = held;
    reported_at_ = now;
    last_hold_problem_.clear();
  }

  void Refresh() {
    const Result<NodeDevices> node = ReadNode();
    if (!node.has_value()) {
      Problem("event=server-error error=\"" + node.error().message() + "\"");
      return;
    }
    if (last_problem_.starts_with("event=server-error")) Problem("event=server-ok");
    for (const ResourceDevices& now : *node) {
      const bool fresh = !resources_.contains(now.resource);
      Resource& resource = resources_[now.resource];
      std::vector<ListedDevice> listed = MergeHealth(resource.listed, now.devices);
      const bool changed = fresh || listed != resource.listed;
      resource.listed = std::move(listed);
      resource.devices = now.devices;
      if (resource.service) resource.service->Publish(resource.listed, resource.devices);
      if (!changed) continue;
      std::size_t healthy = 0;
      for (const ListedDevice& d : resource.listed) healthy += d.healthy ? 1 : 0;
      log_ << "k8s device-plugin: event=devices resource=" << now.resource << " healthy=" << healthy
           << " unhealthy=" << resource.listed.size() - healthy << std::endl;
    }
  }

  void StopServing(Resource& resource) {
    if (resource.service) resource.service->Stop();
    if (resource.server) resource.server->Shutdown(std::chrono::system_clock::now() + kShutdownDeadline);
    resource.server.reset();
    resource.service.reset();
    resource.registered = false;
  }

  // (Re)starts the resource's server on a fresh socket and registers it.
  void Serve(const std::string& name, Resource& resource, bool kubelet_restarted) {
    const std::filesystem::path socket = options_.plugin_dir / SocketName(name);
    if (kubelet_restarted || !resource.server) {
      StopServing(resource);
      std::error_code ignored;
      std::filesystem::remove(socket, ignored);
      resource.service = std::make_unique<PluginServer>(name, AllocationOptions{.cdi = options_.cdi}, log_,
                                                        [this](const std::vector<std::string>& ids) {
                                                          allocations_.Record(ids);
                                                          wake_ = true;
                                                        });
      resource.service->Publish(resource.listed, resource.devices);
      grpc::ServerBuilder builder;
      builder.AddListeningPort("unix:" + socket.string(), grpc::InsecureServerCredentials());
      builder.RegisterService(resource.service.get());
      resource.server = builder.BuildAndStart();
      if (!resource.server) {
        Problem("event=serve-error resource=" + name + " socket=" + socket.string());
        resource.service.reset();
        return;
      }
    }
    v1beta1::RegisterRequest request;
    request.set_version(std::string(kApiVersion));
    request.set_endpoint(SocketName(name));
    request.set_resource_name(name);
    *request.mutable_options() = PluginServer::Options();
    const auto channel = grpc::CreateChannel("unix:" + (options_.plugin_dir / kKubeletSocket).string(),
                                             grpc::InsecureChannelCredentials());
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kRegisterDeadline);
    v1beta1::Empty reply;
    const grpc::Status status = v1beta1::Registration::NewStub(channel)->Register(&context, request, &reply);
    if (!status.ok()) {
      Problem("event=register-error resource=" + name + " error=\"" + status.error_message() + "\"");
      return;
    }
    resource.registered = true;
    log_ << "k8s device-plugin: event=registered resource=" << name << " endpoint=" << SocketName(name) << std::endl;
  }

  const geometry::Catalog& catalog_;
  const DevicePluginOptions& options_;
  const CallJson& call_;
  std::ostream& log_;
  std::map<std::string, Resource> resources_;
  AllocationLog allocations_;
  std::atomic<bool> wake_{false};
  std::optional<std::vector<std::string>> reported_;  // the last report serve accepted
  std::chrono::steady_clock::time_point reported_at_{};
  std::optional<SocketId> kubelet_;
  std::string last_problem_;
  std::string last_hold_problem_;
};

}  // namespace

Status RunDevicePlugin(const geometry::Catalog& catalog, const DevicePluginOptions& options, const CallJson& call,
                       const std::atomic<bool>& stop, std::ostream& log) {
  if (!std::filesystem::is_directory(options.plugin_dir)) {
    return FailedPreconditionError("plugin directory " + options.plugin_dir.string() + " does not exist");
  }
  Runner runner(catalog, options, call, log);
  log << "k8s device-plugin: event=start node=" << options.node << " plugin_dir=" << options.plugin_dir.string()
      << " interval_ms=" << options.interval.count() << std::endl;
  constexpr std::chrono::milliseconds kStopCheck{50};
  while (!stop) {
    runner.Step();
    for (auto waited = std::chrono::milliseconds(0); waited < options.interval && !stop && !runner.TakeWake();
         waited += kStopCheck) {
      std::this_thread::sleep_for(std::min(kStopCheck, options.interval - waited));
    }
  }
  log << "k8s device-plugin: event=stop node=" << options.node << std::endl;
  return Status::Ok();
}

}  // namespace migsched::k8s
