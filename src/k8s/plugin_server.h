// One resource's DevicePlugin gRPC service (kubelet device plugin API
// v1beta1), serving the lists the device plugin runner publishes:
// ListAndWatch streams every new list as soon as it is published, and
// GetPreferredAllocation and Allocate answer from the latest one
// (preferred_allocation.h, container_allocation.h). No
// PreStartContainer work is needed: the options say so.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "k8s/container_allocation.h"
#include "k8s/device_health.h"
#include "k8s/node_devices.h"
#include "k8s/proto/deviceplugin_v1beta1.grpc.pb.h"

namespace migsched::k8s {

class PluginServer final : public v1beta1::DevicePlugin::Service {
 public:
  // Called with the device IDs of every Allocate answered (on a gRPC thread).
  using OnAllocate = std::function<void(const std::vector<std::string>& device_ids)>;
  PluginServer(std::string resource, AllocationOptions options, std::ostream& log, OnAllocate on_allocate);

  // The resource's devices now; ListAndWatch streams send the list when it
  // differs from the last one published.
  void Publish(std::vector<ListedDevice> listed, std::vector<PluginDevice> devices);
  // Ends every ListAndWatch stream (before the gRPC server shuts down).
  void Stop();

  grpc::Status GetDevicePluginOptions(grpc::ServerContext* context, const v1beta1::Empty* request,
                                      v1beta1::DevicePluginOptions* response) override;
  grpc::Status ListAndWatch(grpc::ServerContext* context, const v1beta1::Empty* request,
                            grpc::ServerWriter<v1beta1::ListAndWatchResponse>* writer) override;
  grpc::Status GetPreferredAllocation(grpc::ServerContext* context, const v1beta1::PreferredAllocationRequest* request,
                                      v1beta1::PreferredAllocationResponse* response) override;
  grpc::Status Allocate(grpc::ServerContext* context, const v1beta1::AllocateRequest* request,
                        v1beta1::AllocateResponse* response) override;
  grpc::Status PreStartContainer(grpc::ServerContext* context, const v1beta1::PreStartContainerRequest* request,
                                 v1beta1::PreStartContainerResponse* response) override;

  // What GetDevicePluginOptions answers and Register announces.
  static v1beta1::DevicePluginOptions Options();

 private:
  const std::string resource_;
  const AllocationOptions options_;
  std::ostream& log_;
  const OnAllocate on_allocate_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<ListedDevice> listed_;
  std::vector<PluginDevice> devices_;
  std::uint64_t version_ = 0;
  bool stopping_ = false;
};

}  // namespace migsched::k8s
