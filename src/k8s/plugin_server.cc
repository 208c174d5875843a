#include "k8s/plugin_server.h"

#include <chrono>

#include "common/strings.h"
#include "k8s/preferred_allocation.h"

namespace migsched::k8s {
namespace {

// How often a ListAndWatch stream with nothing new checks that kubelet is still there.
constexpr std::chrono::seconds kStreamCheck{1};

grpc::StatusCode GrpcCode(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument: return grpc::StatusCode::INVALID_ARGUMENT;
    case StatusCode::kNotFound: return grpc::StatusCode::NOT_FOUND;
    case StatusCode::kFailedPrecondition: return grpc::StatusCode::FAILED_PRECONDITION;
    default: return grpc::StatusCode::INTERNAL;
  }
}

std::vector<std::string> Ids(const google::protobuf::RepeatedPtrField<std::string>& ids) {
  return {ids.begin(), ids.end()};
}

}  // namespace

PluginServer::PluginServer(std::string resource, AllocationOptions options, std::ostream& log, OnAllocate on_allocate)
    : resource_(std::move(resource)), options_(options), log_(log), on_allocate_(std::move(on_allocate)) {}

v1beta1::DevicePluginOptions PluginServer::Options() {
  v1beta1::DevicePluginOptions options;
  options.set_pre_start_required(false);
  options.set_get_preferred_allocation_available(true);
  return options;
}

void PluginServer::Publish(std::vector<ListedDevice> listed, std::vector<PluginDevice> devices) {
  {
    std::lock_guard lock(mutex_);
    devices_ = std::move(devices);
    if (listed == listed_ && version_ > 0) return;
    listed_ = std::move(listed);
    ++version_;
  }
  changed_.notify_all();
}

void PluginServer::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
}

grpc::Status PluginServer::GetDevicePluginOptions(grpc::ServerContext*, const v1beta1::Empty*,
                                                  v1beta1::DevicePluginOptions* response) {
  *response = Options();
  return grpc::Status::OK;
}

grpc::Status PluginServer::ListAndWatch(grpc::ServerContext* context, const v1beta1::Empty*,
                                        grpc::ServerWriter<v1beta1::ListAndWatchResponse>* writer) {
  std::unique_lock lock(mutex_);
  std::uint64_t sent = version_ + 1;  // none yet: the first pass sends
  while (!stopping_ && !context->IsCancelled()) {
    if (sent == version_) {
      changed_.wait_for(lock, kStreamCheck);
      continue;
    }
    v1beta1::ListAndWatchResponse response;
    for (const ListedDevice& d : listed_) {
      v1beta1::Device* device = response.add_devices();
      device->set_id(d.id);
      device->set_health(std::string(d.healthy ? kHealthy : kUnhealthy));
    }
    sent = version_;
    lock.unlock();
    if (!writer->Write(response)) return grpc::Status::OK;  // kubelet went away
    lock.lock();
  }
  return grpc::Status::OK;
}

grpc::Status PluginServer::GetPreferredAllocation(grpc::ServerContext*,
                                                  const v1beta1::PreferredAllocationRequest* request,
                                                  v1beta1::PreferredAllocationResponse* response) {
  std::lock_guard lock(mutex_);
  for (const v1beta1::ContainerPreferredAllocationRequest& container : request->container_requests()) {
    const std::vector<std::string> ids =
        PreferredAllocation({.available = Ids(container.available_deviceids()),
                             .must_include = Ids(container.must_include_deviceids()),
                             .size = container.allocation_size()},
                            devices_);
    v1beta1::ContainerPreferredAllocationResponse* out = response->add_container_responses();
    for (const std::string& id : ids) out->add_deviceids(id);
  }
  return grpc::Status::OK;
}

grpc::Status PluginServer::Allocate(grpc::ServerContext*, const v1beta1::AllocateRequest* request,
                                    v1beta1::AllocateResponse* response) {
  std::lock_guard lock(mutex_);
  for (const v1beta1::ContainerAllocateRequest& container : request->container_requests()) {
    const std::vector<std::string> ids = Ids(container.devices_ids());
    const Result<ContainerAllocation> allocation = AllocateContainer(ids, listed_, options_);
    if (!allocation.has_value()) {
      log_ << "k8s device-plugin: event=allocate-refused resource=" << resource_ << " devices=" << Join(ids, ",")
           << " error=\"" << allocation.error().message() << "\"" << std::endl;
      return {GrpcCode(allocation.error().code()), resource_ + ": " + allocation.error().message()};
    }
    v1beta1::ContainerAllocateResponse* out = response->add_container_responses();
    for (const auto& [name, value] : allocation->envs) (*out->mutable_envs())[name] = value;
    for (const std::string& name : allocation->cdi_devices) out->add_cdi_devices()->set_name(name);
    log_ << "k8s device-plugin: event=allocate resource=" << resource_ << " devices=" << Join(ids, ",") << std::endl;
    on_allocate_(ids);
  }
  return grpc::Status::OK;
}

grpc::Status PluginServer::PreStartContainer(grpc::ServerContext*, const v1beta1::PreStartContainerRequest*,
                                             v1beta1::PreStartContainerResponse*) {
  return grpc::Status::OK;
}

}  // namespace migsched::k8s
