#include "k8s/container_allocation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace migsched::k8s {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;
using testing::HasError;

const std::vector<ListedDevice> kListed{{"MIG-a", true}, {"MIG-b", true}, {"MIG-gone", false}};

TEST(AllocateContainer, VisibleDevicesNameTheUuidsInKubeletsOrder) {
  const Result<ContainerAllocation> got = AllocateContainer({"MIG-b", "MIG-a"}, kListed, {});
  ASSERT_TRUE(got.has_value()) << got.error().ToString();
  EXPECT_THAT(got->envs, ElementsAre(Pair("NVIDIA_VISIBLE_DEVICES", "MIG-b,MIG-a")));
  EXPECT_TRUE(got->cdi_devices.empty());
}

TEST(AllocateContainer, CdiDeviceNamesBehindTheOption) {
  const Result<ContainerAllocation> got = AllocateContainer({"MIG-a"}, kListed, {.cdi = true});
  ASSERT_TRUE(got.has_value()) << got.error().ToString();
  EXPECT_THAT(got->cdi_devices, ElementsAre("nvidia.com/gpu=MIG-a"));
  EXPECT_THAT(got->envs, ElementsAre(Pair("NVIDIA_VISIBLE_DEVICES", "MIG-a")));
}

TEST(AllocateContainer, Errors) {
  EXPECT_THAT(AllocateContainer({}, kListed, {}), HasError(StatusCode::kInvalidArgument, "no devices"));
  EXPECT_THAT(AllocateContainer({"MIG-a", "MIG-a"}, kListed, {}),
              HasError(StatusCode::kInvalidArgument, "'MIG-a' is asked for twice"));
  EXPECT_THAT(AllocateContainer({"MIG-x"}, kListed, {}), HasError(StatusCode::kNotFound, "no device 'MIG-x'"));
  EXPECT_THAT(AllocateContainer({"MIG-gone"}, kListed, {}),
              HasError(StatusCode::kFailedPrecondition, "'MIG-gone' has vanished"));
}

}  // namespace
}  // namespace migsched::k8s
