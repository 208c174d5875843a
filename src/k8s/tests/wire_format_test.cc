// Pins our .proto to kubelet's wire format, independently of the .proto:
// each message is encoded and compared with bytes worked out by hand from the
// public API's field numbers and types (tag = field << 3 | wire type; 0 =
// varint, 2 = length-delimited), and the services' full method names, which
// gRPC puts in the request path, are checked by name.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "k8s/proto/deviceplugin_v1beta1.grpc.pb.h"
#include "k8s/proto/podresources_v1.grpc.pb.h"

namespace migsched::k8s {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (const int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

// "Name(input) -> [stream ]output" for each method of the service named
// `service` in `file`, in order; empty when the file has no such service.
std::vector<std::string> MethodSignatures(const google::protobuf::FileDescriptor* file, const std::string& service) {
  std::vector<std::string> methods;
  const google::protobuf::ServiceDescriptor* found = file->FindServiceByName(service);
  for (int i = 0; found != nullptr && i < found->method_count(); ++i) {
    const google::protobuf::MethodDescriptor* m = found->method(i);
    methods.push_back(m->name() + "(" + m->input_type()->full_name() + ") -> " +
                      (m->server_streaming() ? "stream " : "") + m->output_type()->full_name());
  }
  return methods;
}

template <typename Message>
std::string Encode(const Message& message) {
  std::string out;
  EXPECT_TRUE(message.SerializeToString(&out));
  return out;
}

TEST(WireFormat, RegisterRequest) {
  v1beta1::RegisterRequest request;
  request.set_version("v1beta1");
  request.set_endpoint("a.sock");
  request.set_resource_name("nvidia.com/gpu");
  request.mutable_options()->set_get_preferred_allocation_available(true);
  const std::string expected = Bytes({0x0A, 7}) + "v1beta1" + Bytes({0x12, 6}) + "a.sock" + Bytes({0x1A, 14}) +
                               "nvidia.com/gpu" + Bytes({0x22, 2, 0x10, 1});
  EXPECT_EQ(Encode(request), expected);
}

TEST(WireFormat, DevicePluginOptions) {
  v1beta1::DevicePluginOptions options;
  options.set_pre_start_required(true);
  options.set_get_preferred_allocation_available(true);
  EXPECT_EQ(Encode(options), Bytes({0x08, 1, 0x10, 1}));
}

TEST(WireFormat, ListAndWatchResponse) {
  v1beta1::ListAndWatchResponse response;
  v1beta1::Device* device = response.add_devices();
  device->set_id("MIG-x");
  device->set_health("Healthy");
  device->mutable_topology()->add_nodes()->set_id(1);
  const std::string inner = Bytes({0x0A, 5}) + "MIG-x" + Bytes({0x12, 7}) + "Healthy" + Bytes({0x1A, 4, 0x0A, 2, 0x08, 1});
  EXPECT_EQ(Encode(response), Bytes({0x0A, 22}) + inner);
}

TEST(WireFormat, PreferredAllocation) {
  v1beta1::PreferredAllocationRequest request;
  v1beta1::ContainerPreferredAllocationRequest* container = request.add_container_requests();
  container->add_available_deviceids("a");
  container->add_must_include_deviceids("b");
  container->set_allocation_size(2);
  EXPECT_EQ(Encode(request), Bytes({0x0A, 8, 0x0A, 1, 'a', 0x12, 1, 'b', 0x18, 2}));

  v1beta1::PreferredAllocationResponse response;
  response.add_container_responses()->add_deviceids("a");
  EXPECT_EQ(Encode(response), Bytes({0x0A, 3, 0x0A, 1, 'a'}));
}

TEST(WireFormat, AllocateAndPreStart) {
  v1beta1::AllocateRequest request;
  request.add_container_requests()->add_devices_ids("a");
  EXPECT_EQ(Encode(request), Bytes({0x0A, 3, 0x0A, 1, 'a'}));

  v1beta1::PreStartContainerRequest prestart;
  prestart.add_devices_ids("a");
  EXPECT_EQ(Encode(prestart), Bytes({0x0A, 1, 'a'}));
}

TEST(WireFormat, AllocateResponse) {
  v1beta1::AllocateResponse response;
  v1beta1::ContainerAllocateResponse* container = response.add_container_responses();
  (*container->mutable_envs())["K"] = "V";
  v1beta1::Mount* mount = container->add_mounts();
  mount->set_container_path("c");
  mount->set_host_path("h");
  mount->set_read_only(true);
  v1beta1::DeviceSpec* spec = container->add_devices();
  spec->set_container_path("c");
  spec->set_host_path("h");
  spec->set_permissions("rw");
  (*container->mutable_annotations())["A"] = "B";
  container->add_cdi_devices()->set_name("n");
  // A map entry is a message {key = 1, value = 2}.
  const std::string inner = Bytes({0x0A, 6, 0x0A, 1, 'K', 0x12, 1, 'V'}) +
                            Bytes({0x12, 8, 0x0A, 1, 'c', 0x12, 1, 'h', 0x18, 1}) +
                            Bytes({0x1A, 10, 0x0A, 1, 'c', 0x12, 1, 'h', 0x1A, 2, 'r', 'w'}) +
                            Bytes({0x22, 6, 0x0A, 1, 'A', 0x12, 1, 'B'}) + Bytes({0x2A, 3, 0x0A, 1, 'n'});
  EXPECT_EQ(Encode(response), Bytes({0x0A, 43}) + inner);
}

TEST(WireFormat, ServicesAndMethods) {
  EXPECT_STREQ(v1beta1::Registration::service_full_name(), "v1beta1.Registration");
  EXPECT_STREQ(v1beta1::DevicePlugin::service_full_name(), "v1beta1.DevicePlugin");
  EXPECT_THAT(MethodSignatures(v1beta1::Empty::descriptor()->file(), "DevicePlugin"),
              ::testing::ElementsAre(
                  "GetDevicePluginOptions(v1beta1.Empty) -> v1beta1.DevicePluginOptions",
                  "ListAndWatch(v1beta1.Empty) -> stream v1beta1.ListAndWatchResponse",
                  "GetPreferredAllocation(v1beta1.PreferredAllocationRequest) -> v1beta1.PreferredAllocationResponse",
                  "Allocate(v1beta1.AllocateRequest) -> v1beta1.AllocateResponse",
                  "PreStartContainer(v1beta1.PreStartContainerRequest) -> v1beta1.PreStartContainerResponse"));
}

// kubelet's PodResources API v1: the fields the plugin reads.
TEST(WireFormat, ListPodResourcesResponse) {
  v1::ListPodResourcesResponse response;
  v1::PodResources* pod = response.add_pod_resources();
  pod->set_name("p");
  pod->set_namespace_("n");
  v1::ContainerResources* container = pod->add_containers();
  container->set_name("c");
  v1::ContainerDevices* devices = container->add_devices();
  devices->set_resource_name("r");
  devices->add_device_ids("d");
  devices->mutable_topology()->add_nodes()->set_id(1);
  const std::string devices_bytes = Bytes({0x0A, 1, 'r', 0x12, 1, 'd', 0x1A, 4, 0x0A, 2, 0x08, 1});
  const std::string container_bytes = Bytes({0x0A, 1, 'c', 0x12, 12}) + devices_bytes;
  const std::string pod_bytes = Bytes({0x0A, 1, 'p', 0x12, 1, 'n', 0x1A, 17}) + container_bytes;
  EXPECT_EQ(Encode(response), Bytes({0x0A, 25}) + pod_bytes);
}

TEST(WireFormat, AllocatableResourcesResponse) {
  v1::AllocatableResourcesResponse response;
  response.add_devices()->set_resource_name("r");
  response.add_cpu_ids(3);
  EXPECT_EQ(Encode(response), Bytes({0x0A, 3, 0x0A, 1, 'r', 0x12, 1, 3}));
}

TEST(WireFormat, PodResourcesListerMethods) {
  EXPECT_STREQ(v1::PodResourcesLister::service_full_name(), "v1.PodResourcesLister");
  EXPECT_THAT(MethodSignatures(v1::ListPodResourcesRequest::descriptor()->file(), "PodResourcesLister"),
              ::testing::ElementsAre(
                           "List(v1.ListPodResourcesRequest) -> v1.ListPodResourcesResponse",
                           "GetAllocatableResources(v1.AllocatableResourcesRequest) -> v1.AllocatableResourcesResponse"));
}

}  // namespace
}  // namespace migsched::k8s
