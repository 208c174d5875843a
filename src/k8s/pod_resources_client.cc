#include "k8s/pod_resources_client.h"

#include <grpcpp/grpcpp.h>

#include "k8s/proto/podresources_v1.grpc.pb.h"

namespace migsched::k8s {

Result<std::vector<PodDevices>> ListPodDevices(const std::filesystem::path& socket,
                                               std::chrono::milliseconds deadline) {
  const auto channel = grpc::CreateChannel("unix:" + socket.string(), grpc::InsecureChannelCredentials());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + deadline);
  v1::ListPodResourcesResponse response;
  const grpc::Status status =
      v1::PodResourcesLister::NewStub(channel)->List(&context, v1::ListPodResourcesRequest(), &response);
  if (!status.ok()) {
    return UnavailableError("kubelet PodResources List on " + socket.string() + ": " + status.error_message());
  }
  std::vector<PodDevices> out;
  for (const v1::PodResources& pod : response.pod_resources()) {
    for (const v1::ContainerResources& container : pod.containers()) {
      for (const v1::ContainerDevices& devices : container.devices()) {
        out.push_back({.pod = pod.namespace_() + "/" + pod.name(),
                       .resource = devices.resource_name(),
                       .device_ids = {devices.device_ids().begin(), devices.device_ids().end()}});
      }
    }
  }
  return out;
}

}  // namespace migsched::k8s
