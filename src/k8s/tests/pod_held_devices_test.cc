// Which devices the plugin reports as held by pods: PodResources' listing of
// the plugin's resources, plus allocations a List begun earlier could miss.
#include "k8s/pod_held_devices.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace migsched::k8s {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(DevicesHeldByPods, ListedDevicesOfOurResourcesOnly) {
  const std::vector<PodDevices> listed = {
      {.pod = "ml/a", .resource = "nvidia.com/mig-1g.10gb", .device_ids = {"MIG-b", "MIG-a"}},
      {.pod = "ml/b", .resource = "example.com/nic", .device_ids = {"eth7"}},
      {.pod = "ml/c", .resource = "nvidia.com/mig-3g.40gb", .device_ids = {"MIG-c"}}};
  EXPECT_THAT(DevicesHeldByPods(listed, {"nvidia.com/mig-1g.10gb", "nvidia.com/mig-3g.40gb"}, {}),
              ElementsAre("MIG-a", "MIG-b", "MIG-c"));
}

TEST(DevicesHeldByPods, AllocatedSinceTheListBeganCountsOnce) {
  const std::vector<PodDevices> listed = {
      {.pod = "ml/a", .resource = "nvidia.com/mig-1g.10gb", .device_ids = {"MIG-a"}}};
  EXPECT_THAT(DevicesHeldByPods(listed, {"nvidia.com/mig-1g.10gb"}, {"MIG-a", "MIG-z"}),
              ElementsAre("MIG-a", "MIG-z"));
}

TEST(AllocationLog, AnAllocationCountsUntilAListBegunAfterItAnswers) {
  AllocationLog log;
  EXPECT_EQ(log.Mark(), 0u);
  log.Record({"MIG-a", "MIG-b"});
  const std::uint64_t before_second = log.Mark();
  log.Record({"MIG-c"});
  // A List that began before MIG-c's Allocate cannot have seen it.
  EXPECT_THAT(log.TakeAfter(before_second), ElementsAre("MIG-c"));
  // One that began after it has: kubelet lists it if a pod still holds it.
  EXPECT_THAT(log.TakeAfter(log.Mark()), IsEmpty());
  EXPECT_THAT(log.TakeAfter(0), IsEmpty()) << "forgotten once a later List answered";
}

}  // namespace
}  // namespace migsched::k8s
