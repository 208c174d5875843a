#include "k8s/device_plugin.h"

#include <grpcpp/grpcpp.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include "k8s/device_health.h"
#include "k8s/node_devices.h"
#include "k8s/plugin_server.h"
#include "k8s/proto/deviceplugin_v1beta1.grpc.pb.h"

namespace migsched::k8s {
namespace {

constexpr std::string_view kApiVersion = "v1beta1";
constexpr std::string_view kKubeletSocket = "kubelet.sock";
constexpr std::chrono::seconds kRegisterDeadline{5};
constexpr std::chrono::seconds kShutdownDeadline{2};

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
  Runner(const geometry::Catalog& catalog, const DevicePluginOptions& options, const FetchJson& fetch,
         std::ostream& log)
      : catalog_(catalog), options_(options), fetch_(fetch), log_(log) {}
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
  }

 private:
  struct Resource {
    std::vector<ListedDevice> listed;
    std::vector<PluginDevice> devices;
    std::unique_ptr<PluginServer> service;
    std::unique_ptr<grpc::Server> server;
    bool registered = false;
  };

  // Logs a problem once until another one (or none) takes its place.
  void Problem(const std::string& line) {
    if (line != last_problem_) log_ << "k8s device-plugin: " << line << std::endl;
    last_problem_ = line;
  }

  Result<NodeDevices> ReadNode() {
    std::set<std::uint64_t> reservations;
    for (const char* state : {"starting", "running"}) {
      const Result<nlohmann::json> jobs = fetch_(std::string("/v1/jobs?state=") + state + "&limit=100000");
      if (!jobs.has_value()) return jobs.error();
      Result<std::set<std::uint64_t>> ids = TenantJobIds(*jobs, options_.tenant);
      if (!ids.has_value()) return ids.error();
      reservations.merge(*ids);
    }
    const Result<nlohmann::json> fleet = fetch_("/v1/fleet");
    if (!fleet.has_value()) return fleet.error();
    return NodeDevicesFromFleet(*fleet, options_.node, catalog_, reservations);
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
      resource.service = std::make_unique<PluginServer>(name, AllocationOptions{.cdi = options_.cdi}, log_);
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
  const FetchJson& fetch_;
  std::ostream& log_;
  std::map<std::string, Resource> resources_;
  std::optional<SocketId> kubelet_;
  std::string last_problem_;
};

}  // namespace

Status RunDevicePlugin(const geometry::Catalog& catalog, const DevicePluginOptions& options, const FetchJson& fetch,
                       const std::atomic<bool>& stop, std::ostream& log) {
  if (!std::filesystem::is_directory(options.plugin_dir)) {
    return FailedPreconditionError("plugin directory " + options.plugin_dir.string() + " does not exist");
  }
  Runner runner(catalog, options, fetch, log);
  log << "k8s device-plugin: event=start node=" << options.node << " plugin_dir=" << options.plugin_dir.string()
      << " interval_ms=" << options.interval.count() << std::endl;
  constexpr std::chrono::milliseconds kStopCheck{50};
  while (!stop) {
    runner.Step();
    for (auto waited = std::chrono::milliseconds(0); waited < options.interval && !stop; waited += kStopCheck) {
      std::this_thread::sleep_for(std::min(kStopCheck, options.interval - waited));
    }
  }
  log << "k8s device-plugin: event=stop node=" << options.node << std::endl;
  return Status::Ok();
}

}  // namespace migsched::k8s
